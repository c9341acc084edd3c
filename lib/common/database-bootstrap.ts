/**
 * The database role bootstrap's names and SQL, shared by the cloud stack (which grants the bootstrap its identity)
 * and the Kubernetes side (which runs it). No engine imports.
 */

/** The service account the bootstrap Job runs as, in the contract's namespace (its Pod Identity reads the master secret). */
export const DATABASE_BOOTSTRAP_SERVICE_ACCOUNT = 'database-bootstrap';

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
 * Identifiers are quoted, so names with upper case or `-` (which `appDatabaseUser` allows) are used as written.
 */
export function databaseBootstrapSql(user: string, database: string): string {
  const role = quoteIdentifier(user);
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
    '',
  ].join('\n');
}
