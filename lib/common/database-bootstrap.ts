/**
 * The database role bootstrap's names and SQL, shared by the cloud stack (which grants the bootstrap its identity)
 * and the Kubernetes side (which runs it). No engine imports.
 */

/** The service account the bootstrap Job runs as, in the contract's namespace (its Pod Identity reads the master secret). */
export const DATABASE_BOOTSTRAP_SERVICE_ACCOUNT = 'database-bootstrap';

/** The service account the scheduled logical dump runs as (`DatabaseDump`; its Pod Identity writes the dumps). */
export const DATABASE_DUMP_SERVICE_ACCOUNT = 'database-dump';

/**
 * The PostgreSQL role the scheduled dump logs in as, with IAM authentication: it may read the app's schema and
 * nothing else (made by {@link databaseBootstrapSql}). One per database instance, as the instance is one stack's.
 */
export const DATABASE_DUMP_USER = 'database_dump';

/** The prefix of the dumps in the backups bucket: `<prefix><database>/<UTC time>.dump`. */
export const DATABASE_DUMP_PREFIX = 'postgres/';

/** The connection entry's key holding the ARN of the RDS-managed master secret (a reference, never the value). */
export const DATABASE_MASTER_SECRET_KEY = 'DATABASE_MASTER_SECRET_ARN';

/** A PostgreSQL identifier in double quotes, any `"` doubled (PostgreSQL 4.1.1, "Identifiers and Key Words"). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A PostgreSQL string literal in single quotes, any `'` doubled (PostgreSQL 4.1.2.1, "String Constants"). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The SQL that makes `user` able to log in with IAM authentication and run the migration, as the RDS master user,
 * idempotent (every statement may run again on every sync) and in one transaction (`psql --single-transaction`):
 *
 * - the role, `LOGIN`, no password (IAM tokens only), created when missing;
 * - `rds_iam` membership: RDS then checks an IAM token instead of a password ("Creating a database account using IAM
 *   authentication", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html);
 * - `CONNECT` on the database (PUBLIC has it by default; said explicitly so a hardened template does not break it);
 * - a schema named after the role and owned by it. Since PostgreSQL 15 only the database owner may create objects
 *   in `public`; with the default `search_path` (`"$user", public`) the migration's unqualified tables land in this
 *   schema, owned by the role the apps log in as: PostgreSQL's "user-private schema" pattern (PostgreSQL 17 docs,
 *   5.10.6 "Usage Patterns"). `CREATE SCHEMA … AUTHORIZATION` needs the master to be able to `SET ROLE` to the
 *   owner: from PostgreSQL 16 the role's creator holds only `ADMIN` on it, so the master grants itself the
 *   membership first (allowed with `ADMIN`, and with `CREATEROLE` before 16). The role's `search_path` is set to
 *   that default, so a parameter group that changes it does not send the migration to `public`.
 *
 * - the scheduled dump's role ({@link DATABASE_DUMP_USER}), `LOGIN` with IAM authentication only, that may read the
 *   app's schema and nothing else: `USAGE` on it, `SELECT` on its tables and sequences, and the same on what the
 *   role creates later (`ALTER DEFAULT PRIVILEGES FOR ROLE`, which needs the membership above; PostgreSQL 17 docs,
 *   "ALTER DEFAULT PRIVILEGES"). `pg_dump --schema` needs no more (PostgreSQL 17 docs, "pg_dump": it needs read
 *   access to the tables it dumps).
 *
 * Identifiers are quoted, so names with upper case or `-` (which `appDatabaseUser` allows) are used as written.
 */
export function databaseBootstrapSql(user: string, database: string): string {
  const role = quoteIdentifier(user);
  const dump = quoteIdentifier(DATABASE_DUMP_USER);
  return [
    `-- Role ${user} for IAM authentication, its schema and its database access; idempotent (samokoder-infra).`,
    'DO $bootstrap$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(user)}) THEN`,
    `    CREATE ROLE ${role} LOGIN;`,
    '  END IF;',
    'END',
    '$bootstrap$;',
    `GRANT rds_iam TO ${role};`,
    `GRANT CONNECT ON DATABASE ${quoteIdentifier(database)} TO ${role};`,
    `GRANT ${role} TO CURRENT_USER;`,
    `CREATE SCHEMA IF NOT EXISTS ${role} AUTHORIZATION ${role};`,
    // PostgreSQL's default, pinned to the role: a parameter group that changes the default does not move its tables.
    `ALTER ROLE ${role} SET search_path TO "$user", public;`,
    `-- Role ${DATABASE_DUMP_USER}: reads schema ${user} for the scheduled dump, nothing else.`,
    'DO $dump$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(DATABASE_DUMP_USER)}) THEN`,
    `    CREATE ROLE ${dump} LOGIN;`,
    '  END IF;',
    'END',
    '$dump$;',
    `GRANT rds_iam TO ${dump};`,
    `GRANT CONNECT ON DATABASE ${quoteIdentifier(database)} TO ${dump};`,
    `GRANT USAGE ON SCHEMA ${role} TO ${dump};`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${role} TO ${dump};`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${role} TO ${dump};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${role} IN SCHEMA ${role} GRANT SELECT ON TABLES TO ${dump};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${role} IN SCHEMA ${role} GRANT SELECT ON SEQUENCES TO ${dump};`,
    '',
  ].join('\n');
}
