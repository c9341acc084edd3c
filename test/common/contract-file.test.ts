import * as fs from 'fs';
import * as path from 'path';
import { PlatformContract } from 'samokoder-infra/k8s';
import { testTmp } from '../util/reference';

// The reader a Kubernetes repository uses on the file a cloud stack writes (the round trip through a real stack is
// test/aws/contract-round-trip.test.ts). Every refusal is pinned: a message names the file, the field, the value and
// what is allowed.

const contract: PlatformContract = {
  environment: 'production',
  region: 'eu-central-1',
  clusterName: 'billing-production',
  kubernetesVersion: '1.35',
  namespace: 'billing',
  serviceAccounts: ['billing'],
  connectionSecretName: 'billing/production/connection',
  podIdentities: [
    { namespace: 'billing', serviceAccount: 'billing' },
    { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  ],
  secretEntries: ['billing/production/connection', 'billing/production/app'],
  dataSubnetCidrs: ['10.40.108.0/24'],
  dataTier: [
    { name: 'postgres', cidrs: ['10.40.108.0/24'], port: 5432 },
    { name: 'redis', cidrs: ['10.40.108.0/24'], port: 6379 },
  ],
  secretPrefix: 'billing/production/',
};
const FILE = 'platform/production.json';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the file as free-form JSON, to break it
const fileWith = (change: (doc: Record<string, any>) => void): string => {
  const doc = JSON.parse(PlatformContract.toJson(contract));
  change(doc);
  return JSON.stringify(doc);
};
const read = (text: string) => () => PlatformContract.fromJson(text, FILE);

describe('PlatformContract.toJson / fromJson', () => {
  test('the file reads back as the contract it was written from, schemaVersion first', () => {
    const text = PlatformContract.toJson(contract);
    expect(Object.keys(JSON.parse(text))[0]).toBe('schemaVersion');
    expect(JSON.parse(text).schemaVersion).toBe(PlatformContract.SCHEMA_VERSION);
    expect(PlatformContract.fromJson(text)).toEqual(contract);
  });

  test('the same contract gives the same bytes, whatever the order of its fields', () => {
    const reordered = Object.fromEntries(Object.entries(contract).reverse()) as unknown as PlatformContract;
    expect(PlatformContract.toJson(reordered)).toBe(PlatformContract.toJson(contract));
    expect(PlatformContract.toJson(contract).endsWith('}\n')).toBe(true);
  });

  test('a loaded contract is frozen', () => {
    const loaded = PlatformContract.fromJson(PlatformContract.toJson(contract));
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.dataTier[0].cidrs)).toBe(true);
  });

  test('fromFile reads a file; the default source in messages is "platform contract"', () => {
    const file = path.join(fs.mkdtempSync(path.join(testTmp(), 'contract-')), 'production.json');
    fs.writeFileSync(file, PlatformContract.toJson(contract));
    expect(PlatformContract.fromFile(file)).toEqual(contract);
    expect(() => PlatformContract.fromJson('[]')).toThrow('[platform contract] holds a list, not a platform contract (a JSON object)');
  });
});

describe('files of earlier schema versions stay readable', () => {
  // Files this library wrote, kept as they are: a later library must still read them (bump schemaVersion for a
  // format change and keep reading these; never edit them).
  test.each([
    'platform-contract.v1.aws.json',
    'platform-contract.v1.digitalocean.json',
    'platform-contract.v2.aws.json',
    'platform-contract.v3.digitalocean.json',
  ])('%s', (name) => {
    const file = path.join(__dirname, 'fixtures', name);
    const loaded = PlatformContract.fromFile(file);
    expect(loaded.namespace).toBe('samokoder');
    expect(loaded.dataTier.length).toBeGreaterThan(0);
    // The current writer gives the same bytes for what the file holds, but for the version it writes.
    const written = fs.readFileSync(file, 'utf8').replace(/"schemaVersion": \d+/, `"schemaVersion": ${PlatformContract.SCHEMA_VERSION}`);
    expect(PlatformContract.toJson(loaded)).toBe(written);
  });
});

describe('PlatformContract.fromJson refuses a malformed or wrong-version file', () => {
  test.each([
    [
      'not JSON',
      '{',
      `[${FILE}] is not JSON: a platform contract file is the JSON object a cloud stack writes at synth (cdktf.out/stacks/<stack>/platform-contract.json)`,
    ],
    ['a list', '[]', `[${FILE}] holds a list, not a platform contract (a JSON object)`],
    ['a string', '"billing"', `[${FILE}] holds "billing", not a platform contract (a JSON object)`],
    ['null', 'null', `[${FILE}] holds null, not a platform contract (a JSON object)`],
    [
      'no schemaVersion',
      fileWith((d) => delete d.schemaVersion),
      `[${FILE}] 'schemaVersion' (undefined) is required: the version of the contract format (this library reads versions 1 to 3)`,
    ],
    [
      'a schemaVersion that is not a number',
      fileWith((d) => (d.schemaVersion = '1')),
      `[${FILE}] 'schemaVersion' ("1") must be a whole number (this library reads versions 1 to 3)`,
    ],
    [
      'schemaVersion 0',
      fileWith((d) => (d.schemaVersion = 0)),
      `[${FILE}] 'schemaVersion' (0) must be a whole number (this library reads versions 1 to 3)`,
    ],
    [
      'a later schemaVersion',
      fileWith((d) => (d.schemaVersion = 4)),
      `[${FILE}] 'schemaVersion' (4) is newer than this library reads (versions 1 to 3): the file was written by a later samokoder-infra; upgrade samokoder-infra in this repository to the version the stack's repository uses`,
    ],
    [
      'an unknown field (its value is not shown)',
      fileWith((d) => (d.databaseHost = 'db.internal')),
      `[${FILE}] 'databaseHost' is not a field of a platform contract (fields: cloud, environment, region, clusterName, kubernetesVersion, namespace, serviceAccounts, connectionSecretName, podIdentities, secretEntries, dataSubnetCidrs, dataTier, secretPrefix, entry, replicaMonitor, databaseRole, databaseBootstrap, filesSync, databaseDump, primaryProbe, secretsReader)`,
    ],
    [
      'a database role that is not a PostgreSQL name',
      fileWith(
        (d) => (d.databaseBootstrap = { user: 'app"; DROP ROLE x; --', database: 'samokoder', serviceAccount: 'database-bootstrap' }),
      ),
      `[${FILE}] 'databaseBootstrap.user' ("app"; DROP ROLE x; --") must be a PostgreSQL name: 1 to 63 letters, digits, _ and -, not starting with a digit`,
    ],
    [
      "a secrets reader that is not an IAM user name (the platform's rotation would pass it to IAM)",
      fileWith((d) => (d.secretsReader = { iamUser: 'reader; rm -rf /' })),
      `[${FILE}] 'secretsReader.iamUser' ("reader; rm -rf /") must be an IAM user name: 1 to 64 letters, digits and + = , . @ _ -`,
    ],
    [
      'an unknown field of a data tier',
      fileWith((d) => (d.dataTier[0].host = 'db.internal')),
      `[${FILE}] 'dataTier[0].host' is not a field of 'dataTier[0]' (fields: name, cidrs, port)`,
    ],
    ['a missing field', fileWith((d) => delete d.namespace), `[${FILE}] 'namespace' (undefined) is required (a string)`],
    ['a number for a string', fileWith((d) => (d.region = 5)), `[${FILE}] 'region' (5) must be a string`],
    [
      'a string for a list',
      fileWith((d) => (d.secretEntries = 'billing/production/app')),
      `[${FILE}] 'secretEntries' ("billing/production/app") must be a list`,
    ],
    ['a list for an object', fileWith((d) => (d.dataTier = [[]])), `[${FILE}] 'dataTier[0]' ([]) must be an object`],
    [
      'a port out of range',
      fileWith((d) => (d.dataTier[0].port = 70000)),
      `[${FILE}] 'dataTier[0].port' (70000) must be a whole number from 1 to 65535`,
    ],
    ['a port as text', fileWith((d) => (d.dataTier[0].port = '5432')), `[${FILE}] 'dataTier[0].port' ("5432") must be a whole number`],
    [
      'a CIDR without a prefix length',
      fileWith((d) => (d.dataTier[1].cidrs[0] = '10.40.108.0')),
      `[${FILE}] 'dataTier[1].cidrs[0]' ("10.40.108.0") has no prefix length. Did you mean "10.40.108.0/24"?`,
    ],
    [
      'a namespace that is not a DNS label',
      fileWith((d) => (d.podIdentities[0].namespace = 'Billing')),
      `[${FILE}] 'podIdentities[0].namespace' ("Billing") must be a DNS label: at most 63 characters of lower-case letters, digits and '-', starting and ending with a letter or digit`,
    ],
    ['an unknown cloud', fileWith((d) => (d.cloud = 'gcp')), `[${FILE}] 'cloud' ("gcp") must be one of "aws", "digitalocean"`],
    [
      'a Kubernetes version with a v',
      fileWith((d) => (d.kubernetesVersion = 'v1.35')),
      `[${FILE}] 'kubernetesVersion' ("v1.35") must be a Kubernetes minor version such as "1.35"`,
    ],
    [
      'a region that is not one',
      fileWith((d) => (d.region = 'EU Central')),
      `[${FILE}] 'region' ("EU Central") must be a cloud region such as "eu-central-1" or "nyc3"`,
    ],
    [
      'a cluster name with a space',
      fileWith((d) => (d.clusterName = 'billing production')),
      `[${FILE}] 'clusterName' ("billing production") must be a cluster name: 1 to 100 letters, digits, - and _`,
    ],
    [
      'a secret entry name with a space',
      fileWith((d) => (d.connectionSecretName = 'billing/production connection')),
      `[${FILE}] 'connectionSecretName' ("billing/production connection") must be the name of a secret-store entry: 1 to 512 letters, digits and / _ + = . @ -`,
    ],
    [
      'an entry with an unknown TLS termination',
      fileWith(
        (d) =>
          (d.entry = {
            hosts: ['billing.acme.dev'],
            tlsTermination: 'edge',
            nodePort: 30080,
            listenerPort: 80,
            healthPath: '/healthz',
            publicHealthPath: '/health',
          }),
      ),
      `[${FILE}] 'entry.tlsTermination' ("edge") must be one of "gateway", "loadBalancer"`,
    ],
    [
      'an entry NodePort outside the NodePort range',
      fileWith(
        (d) =>
          (d.entry = {
            hosts: ['billing.acme.dev'],
            tlsTermination: 'loadBalancer',
            nodePort: 8080,
            listenerPort: 80,
            healthPath: '/healthz',
            publicHealthPath: '/health',
          }),
      ),
      `[${FILE}] 'entry.nodePort' (8080) must be a whole number from 30000 to 32767`,
    ],
    [
      'an entry host that is an address',
      fileWith(
        (d) =>
          (d.entry = {
            hosts: ['10.0.0.1'],
            tlsTermination: 'loadBalancer',
            nodePort: 30080,
            listenerPort: 80,
            healthPath: '/healthz',
            publicHealthPath: '/health',
          }),
      ),
      `[${FILE}] 'entry.hosts[0]' ("10.0.0.1") is an IP address, not a host name: routes match host names and certificates are issued for them`,
    ],
    [
      'a health path that is not a path',
      fileWith(
        (d) =>
          (d.entry = {
            hosts: ['billing.acme.dev'],
            tlsTermination: 'loadBalancer',
            nodePort: 30080,
            listenerPort: 80,
            healthPath: 'healthz',
            publicHealthPath: '/health',
          }),
      ),
      `[${FILE}] 'entry.healthPath' ("healthz") must be an absolute URL path such as "/health"`,
    ],
    [
      'a replica monitor with a zero RPO',
      fileWith((d) => (d.replicaMonitor = { entry: 'billing/production/replica-monitor', rpoSeconds: 0 })),
      `[${FILE}] 'replicaMonitor.rpoSeconds' (0) must be a whole number from 1 to 86400`,
    ],
    [
      'a credential-shaped value (not shown, named by its field)',
      fileWith((d) => d.secretEntries.push('AKIAIOSFODNN7EXAMPLE')),
      `[${FILE}] holds something shaped like a credential at secretEntries[2]: a platform contract carries names and references only; remove the value from the file and rotate it`,
    ],
  ])('%s', (_what, text, message) => {
    expect(read(text)).toThrow(message);
    try {
      read(text)();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('PlatformContract.fromFile and toJson refusals', () => {
  test('a file that does not exist', () => {
    const file = path.join(testTmp(), 'no-such-dir', 'production.json');
    expect(() => PlatformContract.fromFile(file)).toThrow(
      `[${file}] does not exist: synthesize the cloud stack (it writes cdktf.out/stacks/<stack>/platform-contract.json) and copy that file here`,
    );
  });

  test('a path that is not a readable file', () => {
    const dir = fs.mkdtempSync(path.join(testTmp(), 'contract-'));
    expect(() => PlatformContract.fromFile(dir)).toThrow(
      `[${dir}] cannot be read (EISDIR): a platform contract file must be a readable JSON file`,
    );
  });

  test('the file names the file in every message', () => {
    const file = path.join(fs.mkdtempSync(path.join(testTmp(), 'contract-')), 'production.json');
    fs.writeFileSync(
      file,
      fileWith((d) => (d.dataTier[0].port = 0)),
    );
    expect(() => PlatformContract.fromFile(file)).toThrow(`[${file}] 'dataTier[0].port' (0) must be a whole number from 1 to 65535`);
  });

  test('toJson refuses a Terraform reference: the Kubernetes side cannot resolve it', () => {
    expect(() => PlatformContract.toJson({ ...contract, dataSubnetCidrs: ['${TfToken[TOKEN.12]}'] }, 'billing-production')).toThrow(
      `[billing-production] 'dataSubnetCidrs[0]' ("\${TfToken[TOKEN.12]}") must be known at synth, not a Terraform reference: the Kubernetes side cannot resolve it (pass it through the connection secret)`,
    );
  });

  test('toJson refuses a credential-shaped value', () => {
    expect(() => PlatformContract.toJson({ ...contract, secretPrefix: 'AKIAIOSFODNN7EXAMPLE/' }, 'billing-production')).toThrow(
      '[billing-production] the platform contract would carry something shaped like a credential at secretPrefix: it holds names and references only',
    );
  });
});
