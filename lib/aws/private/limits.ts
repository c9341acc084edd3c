import { invalidProp } from '../../common/errors';
import { isUnresolved } from '../../common/validate';

/**
 * The service rules of names and types we take from users and AWS checks only at apply time (after part of a stack
 * exists). Each follows the service's API reference: RDS `CreateDBInstance`, ElastiCache `CreateReplicationGroup`,
 * EC2 instance type naming, EKS `CreateNodegroup` (`amiType`).
 */

/**
 * An RDS DB instance identifier or an ElastiCache replication group id: 1 to `max` lower-case letters, digits and
 * hyphens, starting with a letter, no two hyphens in a row, not ending with a hyphen.
 */
export function _requireAwsIdentifier(path: string, prop: string, value: string, max: number, service: string): string {
  if (isUnresolved(value)) return value;
  if (value.length > max || !/^[a-z]([a-z0-9]|-(?!-))*$/.test(value) || value.endsWith('-')) {
    throw invalidProp(
      path,
      prop,
      value,
      `must be ${service}: 1 to ${max} lower-case letters, digits and hyphens, starting with a letter, without "--" and not ending with "-"`,
    );
  }
  return value;
}

/**
 * PostgreSQL's reserved key words (the "reserved" column of the SQL Key Words appendix, PostgreSQL 17): RDS refuses
 * them as a master user name or a database name.
 */
const POSTGRES_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric system_user table then to trailing true union unique user using variadic when ' +
    'where window with'
  ).split(' '),
);

/** Role names RDS for PostgreSQL or PostgreSQL keep for themselves. */
function reservedRole(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (POSTGRES_RESERVED.has(lower)) return 'a PostgreSQL reserved word';
  if (['rdsadmin', 'rdsrepladmin', 'rdstopmgr', 'public', 'none'].includes(lower)) return 'a role RDS or PostgreSQL keeps';
  if (/^(pg_|rds_)/.test(lower)) return 'in the pg_/rds_ namespace PostgreSQL and RDS keep for their roles';
  return undefined;
}

/** The RDS for PostgreSQL master user name: 1–16 letters, digits and underscores, a letter first, not reserved. */
export function _requireMasterUsername(path: string, prop: string, value: string): string {
  if (isUnresolved(value)) return value;
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/.test(value)) {
    throw invalidProp(path, prop, value, 'must be 1 to 16 letters, digits and underscores, starting with a letter (RDS master user name)');
  }
  const reserved = reservedRole(value);
  if (reserved) throw invalidProp(path, prop, value, `is ${reserved}: RDS refuses it as the master user name`);
  return value;
}

/** The initial database's name: 1–63 letters, digits and underscores, a letter first, not reserved or a system database. */
export function _requireDatabaseName(path: string, prop: string, value: string): string {
  if (isUnresolved(value)) return value;
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(value)) {
    throw invalidProp(path, prop, value, 'must start with a letter and hold only letters, digits and _ (at most 63)');
  }
  if (POSTGRES_RESERVED.has(value.toLowerCase()))
    throw invalidProp(path, prop, value, 'is a PostgreSQL reserved word: RDS refuses it as a database name');
  if (['rdsadmin', 'template0', 'template1'].includes(value.toLowerCase())) {
    throw invalidProp(path, prop, value, "is a database every RDS for PostgreSQL instance already has: choose the application's own name");
  }
  return value;
}

/** `db.<class>.<size>` or `cache.<class>.<size>`, e.g. `db.m6g.large`, `cache.t4g.medium`. */
export function _requireInstanceClass(path: string, prop: string, value: string, prefix: 'db' | 'cache'): string {
  if (isUnresolved(value)) return value;
  if (!new RegExp(`^${prefix}\\.[a-z][a-z0-9-]*\\.[a-z0-9]+$`).test(value)) {
    const example = prefix === 'db' ? 'db.m6g.large' : 'cache.m7g.large';
    throw invalidProp(path, prop, value, `must be an instance class of the form ${prefix}.<family>.<size>, e.g. ${example}`);
  }
  return value;
}

/** The CPU architecture of an EC2 instance type, from its family (`m7g` Graviton, `m6i` Intel, `m6a` AMD, `a1` Graviton). */
export function _instanceArchitecture(type: string): 'arm64' | 'x86_64' {
  const family = type.split('.')[0];
  if (family === 'a1') return 'arm64';
  // Family letters, generation digit(s), then attributes: a "g" among the attributes marks Graviton (m7g, c7gn, x2gd,
  // im4gn, is4gen, g5g); a "g" family letter (g5, the NVIDIA GPU family) does not.
  const m = /^[a-z]+\d+([a-z-]*)$/.exec(family);
  return m && m[1].includes('g') ? 'arm64' : 'x86_64';
}

/** EC2 instance types of one node group: well formed and of one CPU architecture, which picks the EKS AMI type. */
export function _requireInstanceTypes(path: string, prop: string, types: string[]): { types: string[]; amiType: string } {
  if (types.length === 0) throw invalidProp(path, prop, types, 'must name at least one EC2 instance type, e.g. m6i.large');
  types.forEach((t, i) => {
    if (!isUnresolved(t) && !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(t)) {
      throw invalidProp(path, `${prop}[${i}]`, t, 'must be an EC2 instance type of the form <family>.<size>, e.g. m6i.large or m7g.large');
    }
  });
  const arches = [...new Set(types.filter((t) => !isUnresolved(t)).map(_instanceArchitecture))];
  if (arches.length > 1) {
    const by = types.map((t) => `${t} (${_instanceArchitecture(t)})`).join(', ');
    throw invalidProp(
      path,
      prop,
      types,
      `mixes CPU architectures (${by}): one node group runs one AMI type; use all Graviton or all x86 types`,
    );
  }
  return { types, amiType: arches[0] === 'arm64' ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD' };
}

/**
 * A PostgreSQL role the application logs in as (IAM database authentication): 1–63 letters, digits, `_` and `-`, not
 * starting with a digit, not reserved. Other characters (`/`, `:`, spaces, quotes) break the `rds-db:connect` ARN or
 * the connection string.
 */
export function _requireDatabaseRole(path: string, prop: string, value: string): string {
  if (isUnresolved(value)) return value;
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(value)) {
    throw invalidProp(path, prop, value, 'must be a PostgreSQL role name: 1 to 63 letters, digits, _ and -, not starting with a digit');
  }
  const reserved = reservedRole(value);
  if (reserved) throw invalidProp(path, prop, value, `is ${reserved}: PostgreSQL refuses to create it`);
  return value;
}
