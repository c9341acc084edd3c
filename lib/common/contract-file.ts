import * as fs from 'fs';
import { Ipv4Cidr } from './cidr';
import { invalidProp, show, ValidationError } from './errors';
import { refuseReservedNamespace } from './namespaces';
import { _nearest } from './props';
import { credentialFields } from './secret-detection';
import { isUnresolved, requireDnsLabel, requireHostname, requireUrlPath } from './validate';

/**
 * The platform contract as a file: what a cloud stack publishes at synth (`platform-contract.json` beside its
 * `cdk.tf.json`) and a Kubernetes repository reads, so the app and its database can live in different repositories.
 * It holds names and addresses only (secret-store entry names, CIDRs, ports, namespaces), never a secret value.
 *
 * The format is versioned by `schemaVersion`. Compatibility rule: a library reads every `schemaVersion` up to its
 * own (a later library keeps reading files from this one); a file of a later version is refused with the upgrade
 * to make, never half-read. Unknown fields are refused too (a typo must not drop a data tier silently).
 */

/**
 * The version of the contract file this library writes, and the highest it reads. 2 added `databaseBootstrap` (a
 * reader of version 1 would refuse it as an unknown field), 3 `databaseDump` (the DR primary's; a reader of 2 would
 * refuse it). Version 2 also gained, before any release wrote it, the DR clusters' optional `primaryProbe`,
 * `secretsReader` and the replica monitor's heartbeat fields (2026-12-07). A field added after a release needs a new
 * version.
 */
export const PLATFORM_CONTRACT_SCHEMA_VERSION = 3;
/** The name of the file a stack writes beside its `cdk.tf.json` (`cdktf.out/stacks/<stack>/platform-contract.json`). */
export const PLATFORM_CONTRACT_FILE_NAME = 'platform-contract.json';

/** The shape of one field: how to check it, and (for objects) the order it is written in. */
type Spec =
  | { readonly kind: 'string'; readonly check: (where: string, prop: string, value: string) => void }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Spec }
  | { readonly kind: 'object'; readonly fields: Fields };
type Fields = Readonly<Record<string, { readonly spec: Spec; readonly optional?: boolean }>>;

const pattern =
  (re: RegExp, rule: string) =>
  (where: string, prop: string, value: string): void => {
    if (!re.test(value)) throw invalidProp(where, prop, value, rule);
  };
const dnsLabel: Spec = { kind: 'string', check: (w, p, v) => void requireDnsLabel(w, p, v) };
const hostname: Spec = { kind: 'string', check: (w, p, v) => void requireHostname(w, p, v) };
const urlPath: Spec = { kind: 'string', check: (w, p, v) => void requireUrlPath(w, p, v) };
const cidr: Spec = { kind: 'string', check: (w, p, v) => void Ipv4Cidr.parse(w, p, v) };
/** A secret-store entry name (AWS Secrets Manager's characters; DigitalOcean's entries live there too). */
const entryName: Spec = {
  kind: 'string',
  check: pattern(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be the name of a secret-store entry: 1 to 512 letters, digits and / _ + = . @ -'),
};
/** A PostgreSQL role or database name as the stacks allow them (quoted in SQL: letters, digits, `_` and `-`). */
const postgresName: Spec = {
  kind: 'string',
  check: pattern(
    /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/,
    'must be a PostgreSQL name: 1 to 63 letters, digits, _ and -, not starting with a digit',
  ),
};
/** An IAM user name (IAM API reference, CreateUser: `UserName`, 1 to 64 of `[\w+=,.@-]`). */
const iamUserName: Spec = {
  kind: 'string',
  check: pattern(/^[\w+=,.@-]{1,64}$/, 'must be an IAM user name: 1 to 64 letters, digits and + = , . @ _ -'),
};
const PORT: Spec = { kind: 'integer', min: 1, max: 65535 };
const NODE_PORT: Spec = { kind: 'integer', min: 30000, max: 32767 };
const list = (of: Spec): Spec => ({ kind: 'array', of });

/** Every field of {@link PlatformContract}, in the order the file lists them. */
const CONTRACT_FIELDS: Fields = {
  cloud: { spec: { kind: 'enum', values: ['aws', 'digitalocean'] }, optional: true },
  environment: { spec: dnsLabel },
  region: {
    spec: { kind: 'string', check: pattern(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a cloud region such as "eu-central-1" or "nyc3"') },
  },
  clusterName: {
    spec: {
      kind: 'string',
      check: pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be a cluster name: 1 to 100 letters, digits, - and _'),
    },
  },
  kubernetesVersion: { spec: { kind: 'string', check: pattern(/^1\.\d{1,3}$/, 'must be a Kubernetes minor version such as "1.35"') } },
  // The apps' namespace: never one Kubernetes or the platform keeps (the stacks refuse those when they write it).
  namespace: { spec: { kind: 'string', check: (w, p, v) => void refuseReservedNamespace(w, p, requireDnsLabel(w, p, v)) } },
  serviceAccounts: { spec: list(dnsLabel) },
  connectionSecretName: { spec: entryName },
  podIdentities: { spec: list({ kind: 'object', fields: { namespace: { spec: dnsLabel }, serviceAccount: { spec: dnsLabel } } }) },
  secretEntries: { spec: list(entryName) },
  dataSubnetCidrs: { spec: list(cidr) },
  dataTier: {
    spec: list({ kind: 'object', fields: { name: { spec: dnsLabel }, cidrs: { spec: list(cidr) }, port: { spec: PORT } } }),
  },
  secretPrefix: { spec: entryName },
  entry: {
    optional: true,
    spec: {
      kind: 'object',
      fields: {
        hosts: { spec: list(hostname) },
        regionalHost: { spec: hostname, optional: true },
        tlsTermination: { spec: { kind: 'enum', values: ['gateway', 'loadBalancer'] } },
        nodePort: { spec: NODE_PORT },
        listenerPort: { spec: PORT },
        healthPath: { spec: urlPath },
        publicHealthPath: { spec: urlPath },
      },
    },
  },
  replicaMonitor: {
    optional: true,
    spec: { kind: 'object', fields: { entry: { spec: entryName }, rpoSeconds: { spec: { kind: 'integer', min: 1, max: 86400 } } } },
  },
  databaseRole: { optional: true, spec: { kind: 'enum', values: ['primary', 'secondary'] } },
  databaseBootstrap: {
    optional: true,
    spec: {
      kind: 'object',
      fields: { user: { spec: postgresName }, database: { spec: postgresName }, serviceAccount: { spec: dnsLabel } },
    },
  },
  filesSync: {
    optional: true,
    spec: {
      kind: 'object',
      fields: {
        entry: { spec: entryName },
        intervalSeconds: { spec: { kind: 'integer', min: 60, max: 86400 } },
        source: { spec: { kind: 'object', fields: { bucket: { spec: dnsLabel }, host: { spec: hostname } } } },
        target: { spec: { kind: 'object', fields: { bucket: { spec: dnsLabel }, host: { spec: hostname } } } },
      },
    },
  },
  databaseDump: {
    optional: true,
    spec: {
      kind: 'object',
      fields: {
        database: { spec: postgresName },
        prefix: {
          spec: {
            kind: 'string',
            check: pattern(/^([a-z0-9-]+\/)+$/, "must be a key prefix: lowercase path segments ending in '/' ('postgres/')"),
          },
        },
        intervalSeconds: { spec: { kind: 'integer', min: 60, max: 86400 } },
      },
    },
  },
  primaryProbe: {
    optional: true,
    spec: { kind: 'object', fields: { region: { spec: dnsLabel }, host: { spec: hostname }, path: { spec: urlPath } } },
  },
  secretsReader: { optional: true, spec: { kind: 'object', fields: { iamUser: { spec: iamUserName } } } },
};

const KIND_NAMES: Record<Spec['kind'], string> = {
  string: 'a string',
  integer: 'a whole number',
  enum: 'a string',
  array: 'a list',
  object: 'an object',
};

/** Checks `value` against `spec` and returns it rebuilt in the spec's order (objects' keys), so output is canonical. */
function conform(where: string, prop: string, value: unknown, spec: Spec): unknown {
  const wrongType = () => invalidProp(where, prop, value, `must be ${KIND_NAMES[spec.kind]}`);
  if (isUnresolved(value)) {
    throw invalidProp(
      where,
      prop,
      value,
      'must be known at synth, not a Terraform reference: the Kubernetes side cannot resolve it (pass it through the connection secret)',
    );
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') throw wrongType();
      spec.check(where, prop, value);
      return value;
    case 'integer':
      if (typeof value !== 'number') throw wrongType();
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        throw invalidProp(where, prop, value, `must be a whole number from ${spec.min} to ${spec.max}`);
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw invalidProp(where, prop, value, `must be one of ${spec.values.map((v) => show(v)).join(', ')}`);
      }
      return value;
    case 'array':
      if (!Array.isArray(value)) throw wrongType();
      return value.map((item, i) => conform(where, `${prop}[${i}]`, item, spec.of));
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType();
      return conformFields(where, prop, value as Record<string, unknown>, spec.fields);
  }
}

function conformFields(where: string, prefix: string, value: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  for (const key of Object.keys(value)) {
    if (!(key in fields) && value[key] !== undefined) {
      // The value is not shown: an unknown field is where a secret pasted by mistake would be.
      const near = _nearest(key, Object.keys(fields), Math.ceil(key.length / 4) - 1);
      throw new ValidationError(
        `[${where}] '${at(key)}' is not a field of ${prefix ? `'${prefix}'` : 'a platform contract'}${near ? `: did you mean '${near}'?` : ''} (fields: ${Object.keys(fields).join(', ')})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, { spec, optional }] of Object.entries(fields)) {
    if (value[name] === undefined) {
      if (optional) continue;
      throw invalidProp(where, at(name), undefined, `is required (${KIND_NAMES[spec.kind]})`);
    }
    out[name] = conform(where, at(name), value[name], spec);
  }
  return out;
}

/** Freezes a parsed document all the way down: a loaded contract is read, never changed. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * The file's text for `contract`: `schemaVersion` first, then the fields in a fixed order, two-space indented with a
 * final newline, so the same stack writes the same bytes on every run. Refuses a contract with a Terraform reference
 * in it (only names known at synth belong there) or anything shaped like a credential.
 */
export function _platformContractJson(where: string, contract: object): string {
  const body = conformFields(where, '', contract as Record<string, unknown>, CONTRACT_FIELDS);
  const leaks = credentialFields(body);
  if (leaks.length > 0) {
    throw new ValidationError(
      `[${where}] the platform contract would carry something shaped like a credential at ${leaks.join(', ')}: it holds names and references only`,
    );
  }
  return `${JSON.stringify({ schemaVersion: PLATFORM_CONTRACT_SCHEMA_VERSION, ...body }, null, 2)}\n`;
}

/** The versions this library reads, for messages. */
const READS = `versions 1 to ${PLATFORM_CONTRACT_SCHEMA_VERSION}`;

/**
 * Reads a contract from the text of a contract file; `source` names it in messages. Every field of
 * {@link PlatformContract} is checked; contract.ts, which owns that type (and imports this file), gives it its type.
 */
export function _parsePlatformContract(text: string, source: string): Readonly<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ValidationError(
      `[${source}] is not JSON: a platform contract file is the JSON object a cloud stack writes at synth (cdktf.out/stacks/<stack>/${PLATFORM_CONTRACT_FILE_NAME})`,
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ValidationError(`[${source}] holds ${Array.isArray(doc) ? 'a list' : show(doc)}, not a platform contract (a JSON object)`);
  }
  // Before any field is checked: a message names the value it refuses, and a credential must not be shown.
  const leaks = credentialFields(doc);
  if (leaks.length > 0) {
    throw new ValidationError(
      `[${source}] holds something shaped like a credential at ${leaks.join(', ')}: a platform contract carries names and references only; remove the value from the file and rotate it`,
    );
  }
  const { schemaVersion, ...fields } = doc as Record<string, unknown>;
  if (schemaVersion === undefined) {
    throw invalidProp(source, 'schemaVersion', undefined, `is required: the version of the contract format (this library reads ${READS})`);
  }
  if (!Number.isInteger(schemaVersion) || (schemaVersion as number) < 1) {
    throw invalidProp(source, 'schemaVersion', schemaVersion, `must be a whole number (this library reads ${READS})`);
  }
  if ((schemaVersion as number) > PLATFORM_CONTRACT_SCHEMA_VERSION) {
    throw invalidProp(
      source,
      'schemaVersion',
      schemaVersion,
      `is newer than this library reads (${READS}): the file was written by a later samokoder-infra; upgrade samokoder-infra in this repository to the version the stack's repository uses`,
    );
  }
  const contract = conformFields(source, '', fields, CONTRACT_FIELDS);
  return deepFreeze(contract);
}

/** Reads and checks a contract file. */
export function _readPlatformContractFile(file: string): Readonly<Record<string, unknown>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(
      code === 'ENOENT'
        ? `[${file}] does not exist: synthesize the cloud stack (it writes cdktf.out/stacks/<stack>/${PLATFORM_CONTRACT_FILE_NAME}) and copy that file here`
        : `[${file}] cannot be read (${code ?? 'error'}): a platform contract file must be a readable JSON file`,
    );
  }
  return _parsePlatformContract(text, file);
}
