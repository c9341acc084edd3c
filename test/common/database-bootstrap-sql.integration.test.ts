/**
 * The database bootstrap's SQL on a real PostgreSQL: PGlite 0.4.6 (PostgreSQL 17.5, the library's default RDS major,
 * compiled to WebAssembly; PGlite 0.5 is 18, 0.6 is 19), run in a child process by fixtures/pglite-run.mjs. It is
 * set up as RDS hands it over: a master user that is not a superuser but has CREATEROLE and CREATEDB, owns the
 * database and may grant `rds_iam` (RDS's role for IAM authentication). The SQL runs as that master twice (it runs
 * on every sync); the role it creates must then do what a migration does.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { DATABASE_DUMP_USER, databaseBootstrapSql } from '../../lib/common/database-bootstrap';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- query rows are untyped
type Row = Record<string, any>;
type Step = { exec: string } | { query: string; params?: unknown[] };
type Result = { rows: Row[] } | { error: string };

/** Runs each scenario on a fresh PostgreSQL in one child process (starting one takes seconds: the tests use one). */
function run(scenarios: Step[][]): Result[][] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'fixtures', 'pglite-run.mjs')], {
    input: JSON.stringify(scenarios),
    encoding: 'utf8',
    timeout: 300_000,
  });
  return JSON.parse(out) as Result[][];
}

/**
 * RDS's starting point: rds_iam, and the master (made first, see PARTS) with the rights RDS gives it: CREATEROLE and
 * CREATEDB through rds_superuser, `rds_iam` grantable, owner of the database; not a superuser.
 */
const RDS_LIKE = `
  CREATE ROLE rds_iam NOLOGIN;
  CREATE ROLE rds_superuser NOLOGIN CREATEROLE CREATEDB;
  GRANT rds_superuser TO samokoder_admin;
  GRANT rds_iam TO rds_superuser WITH ADMIN OPTION;
  ALTER DATABASE postgres OWNER TO samokoder_admin;`;
// SET ROLE, not SET SESSION AUTHORIZATION: PGlite runs PostgreSQL in single-user mode, where RESET SESSION
// AUTHORIZATION does not return to the superuser. Privileges are checked against the current role either way.
const asMaster = (sql: string) => `SET ROLE samokoder_admin; BEGIN; ${sql} COMMIT; RESET ROLE;`;
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Steps with names, so the tests read their results by name. */
type Named = Array<[string, Step]>;

/** The bootstrap as the master, twice, then what the migration does as the role it made. */
const bootstrapAndMigrate = (user: string, database: string): Named => {
  const sql = databaseBootstrapSql(user, database);
  return [
    ['first run', { exec: asMaster(sql) }],
    ['second run', { exec: asMaster(sql) }],
    ['role', { query: 'SELECT rolcanlogin, rolsuper, rolcreaterole, rolpassword FROM pg_authid WHERE rolname = $1', params: [user] }],
    ['rds_iam', { query: "SELECT pg_has_role($1, 'rds_iam', 'MEMBER') AS member", params: [user] }],
    ['schema', { query: 'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', params: [user] }],
    ['connect', { query: "SELECT has_database_privilege($1, $2, 'CONNECT') AS connect", params: [user, database] }],
    [
      'settings',
      { query: 'SELECT setconfig FROM pg_db_role_setting WHERE setrole = $1::regrole AND setdatabase = 0', params: [quoted(user)] },
    ],
    // The migration, logged in as the role (a login applies the role's search_path; PGlite's own default is
    // 'public'): unqualified names, as alembic writes them.
    [
      'migration',
      {
        exec: `SET ROLE ${quoted(user)}; SET search_path TO "$user", public;
          CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
          ALTER TABLE alembic_version ADD COLUMN note text;
          INSERT INTO alembic_version VALUES ('1a2b', NULL);`,
      },
    ],
    ['table', { query: "SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 'alembic_version'" }],
    ['public', { exec: 'CREATE TABLE public.t (id int)' }],
    // The scheduled dump's role, on a table the migration made after the bootstrap ran (default privileges).
    ['as superuser', { exec: 'RESET ROLE;' }],
    ['dump role', { query: 'SELECT rolcanlogin, rolsuper, rolpassword FROM pg_authid WHERE rolname = $1', params: [DATABASE_DUMP_USER] }],
    ['dump rds_iam', { query: "SELECT pg_has_role($1, 'rds_iam', 'MEMBER') AS member", params: [DATABASE_DUMP_USER] }],
    ['dump reads', { exec: `SET ROLE ${DATABASE_DUMP_USER}; SELECT version_num FROM ${quoted(user)}.alembic_version;` }],
    ['dump writes', { exec: `INSERT INTO ${quoted(user)}.alembic_version VALUES ('x', NULL)` }],
    ['dump creates', { exec: `CREATE TABLE ${quoted(user)}.x (id int)` }],
    ['drop', { exec: `RESET ROLE; SET ROLE ${quoted(user)}; DROP TABLE alembic_version; RESET ROLE;` }],
  ];
};

/** The bootstrap of `user` without the lines `drop` matches, then a migration's first table. */
const without = (user: string, drop: RegExp): Named => [
  [
    'bootstrap',
    {
      exec: asMaster(
        databaseBootstrapSql(user, 'postgres')
          .split('\n')
          .filter((l) => !drop.test(l))
          .join('\n'),
      ),
    },
  ],
  [
    'migration',
    { exec: `ROLLBACK; RESET ROLE; SET ROLE ${user}; SET search_path TO "$user", public; CREATE TABLE t (id int); RESET ROLE;` },
  ],
];

const USERS = [
  ['samokoder_app', 'postgres'],
  // Names appDatabaseUser allows that only work quoted: upper case and '-'.
  ['Billing-App', 'postgres'],
] as const;
// One instance for all (starting PGlite costs ~3 s of CPU): each part uses its own role names.
const PARTS: Record<string, Named> = {
  // First, before rds_iam exists (not RDS): the SQL must fail in its transaction and leave no role behind.
  'no rds_iam': [
    ['master', { exec: 'CREATE ROLE samokoder_admin LOGIN CREATEROLE CREATEDB INHERIT' }],
    ['bootstrap', { exec: asMaster(databaseBootstrapSql('samokoder_app', 'postgres')) }],
    ['rollback', { exec: 'ROLLBACK; RESET ROLE;' }],
    ['role', { query: "SELECT rolname FROM pg_roles WHERE rolname = 'samokoder_app'" }],
  ],
  rds: [['setup', { exec: RDS_LIKE }]],
  ...Object.fromEntries(USERS.map(([user, database]) => [user, bootstrapAndMigrate(user, database)])),
  // Negative controls: the RDS-like setup is strict enough that each of these statements is needed.
  'no self-grant': without('neg_grant', /TO CURRENT_USER/),
  // The dump's grants name the schema too: without it they fail before the migration can show the missing schema.
  'no schema': without('neg_schema', /CREATE SCHEMA|SCHEMA "neg_schema"/),
};
const results = new Map<string, Result>();
beforeAll(() => {
  const steps = Object.entries(PARTS).flatMap(([part, named]) => named.map(([name, step]) => [`${part}/${name}`, step] as const));
  run([steps.map(([, step]) => step)])[0].forEach((r, i) => results.set(steps[i][0], r));
}, 300_000);
const result = (part: string, step: string): Result => results.get(`${part}/${step}`)!;

test('the RDS-like setup is made', () => {
  expect(result('rds', 'setup')).toEqual({ rows: [] });
});

describe.each(USERS)('databaseBootstrapSql(%j, %j) on an RDS-like PostgreSQL, run twice', (user) => {
  const r = (step: string) => result(user, step);

  test('both runs succeed (the second changes nothing and fails on nothing)', () => {
    expect([r('first run'), r('second run')]).toEqual([{ rows: [] }, { rows: [] }]);
  });

  test('the role exists, can log in, has no password and is no superuser', () => {
    expect(r('role')).toEqual({ rows: [{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolpassword: null }] });
  });

  test('it is a member of rds_iam (RDS then takes an IAM token as its password)', () => {
    expect(r('rds_iam')).toEqual({ rows: [{ member: true }] });
  });

  test('it owns the schema named after it, first in its search_path, and may connect', () => {
    expect([r('schema'), r('connect')]).toEqual([{ rows: [{ owner: user }] }, { rows: [{ connect: true }] }]);
    expect(r('settings')).toEqual({ rows: [{ setconfig: ['search_path="$user", public'] }] });
  });

  test('logged in as the role, the migration creates, alters and drops its tables in its schema', () => {
    expect(r('migration')).toEqual({ rows: [] });
    expect(r('table')).toEqual({ rows: [{ schemaname: user, tableowner: user }] });
    expect(r('drop')).toEqual({ rows: [] });
  });

  test('it cannot create in public (PostgreSQL 15 and later: only the database owner may)', () => {
    expect(r('public')).toEqual({ error: 'permission denied for schema public' });
  });

  test('the dump role logs in with IAM only and reads the schema, also what the migration made later; it writes nothing', () => {
    expect(r('dump role')).toEqual({ rows: [{ rolcanlogin: true, rolsuper: false, rolpassword: null }] });
    expect(r('dump rds_iam')).toEqual({ rows: [{ member: true }] });
    expect(r('dump reads')).toEqual({ rows: [] });
    expect(r('dump writes')).toEqual({ error: 'permission denied for table alembic_version' });
    expect(r('dump creates')).toEqual({ error: `permission denied for schema ${user}` });
  });
});

test('where rds_iam does not exist (not RDS) the SQL fails in its transaction and leaves no role behind', () => {
  expect(result('no rds_iam', 'bootstrap')).toEqual({ error: 'role "rds_iam" does not exist' });
  expect(result('no rds_iam', 'role')).toEqual({ rows: [] });
});

test.each([
  ['the master granting itself the role', 'no self-grant', 'bootstrap', 'must be able to SET ROLE "neg_grant"'],
  ['the schema', 'no schema', 'migration', 'permission denied for schema public'],
])('without %s, the bootstrap or the migration fails (negative control)', (_what, part, step, error) => {
  expect(result(part, step)).toEqual({ error });
});
