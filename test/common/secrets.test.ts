import {
  AppSecret,
  costAllocationTagMap,
  looksLikeLiteralSecret,
  looksLikeSecretValue,
  requirePinnedImage,
  samokoderSecrets,
  SAMOKODER_SECRET_KEYS,
} from 'samokoder-infra';

import { credentialArgumentIndex } from '../../lib/common/secret-detection';
describe('secret detection', () => {
  test.each([
    'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0',
    'sk-ant-api03-Xy7zAb3dEf6hIj9kLm2nOp5qRs8tUv1w',
    'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX',
    '--api-key=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0',
    'https://user:tok3n@git.example.com/org/repo.git',
    'https://api.example.com/v1?access_token=abcdef123456',
    'xoxb-1234-5678-abcdef',
    'AKIAABCDEFGHIJKLMNOP',
    'ghp_abcdefghijklmnopqrstuvwxyz0123',
    '-----BEGIN RSA PRIVATE KEY-----',
    'postgres://user:pass@db.internal:5432/app',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
  ])('%s looks like a secret', (v) => {
    expect(looksLikeSecretValue(v)).toBe(true);
  });

  test.each([
    'samokoder/production/app',
    'postgres://db.internal:5432/app',
    'info',
    'https://api.example.com',
    'sk-prod',
    'sk-production-cluster-nodes', // a name that merely starts with sk-
    'pk_live_4eC39HqLyjWDarjtT1zdp7dc', // Stripe publishable keys are public
    // A password that is a reference: Terraform's interpolation (the DR stack's direct database URL), a variable.
    'postgresql://${digitalocean_database_user.Data_AppUser_1.name}:${digitalocean_database_user.Data_AppUser_1.password}@${digitalocean_database_cluster.Data_Postgres_2.private_host}:25060/app',
    'redis://default:${REDIS_PASSWORD}@cache:6379',
  ])('%s does not', (v) => {
    expect(looksLikeSecretValue(v)).toBe(false);
  });

  test.each([
    ['DB_PASS', 'hunter2'],
    ['STRIPE_KEY', 'whatever-it-is'],
    ['GITHUB_TOKEN', 'abc123'],
    ['SIGNING_KEY', 'c2VjcmV0'],
    ['PAYMENTS', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'], // harmless name, credential value
  ])('%s=%s is a literal secret', (k, v) => {
    expect(looksLikeLiteralSecret(k, v)).toBe(true);
  });

  test.each([
    ['TOKEN_TTL', '3600'],
    ['SESSION_TOKEN_TTL', '30m'],
    ['SECRET_NAME', 'samokoder-app'],
    ['PARTITION_KEY', 'tenant_id'],
    ['REQUIRE_PASSWORD', 'true'],
    ['API_TOKEN', ''],
    ['CACHE_MAX_TOKENS', '4096'],
  ])('%s=%s is not', (k, v) => {
    expect(looksLikeLiteralSecret(k, v)).toBe(false);
  });

  // Shapes that passed in round 3 (#27), and shapes of secretlint's recommended preset (12.0.0) the detector lacked.
  const GRAFANA_SA = 'glsa_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0' + '_' + '0a1b2c3d';
  test.each([
    ['a password set inline in a shell command', 'PGPASSWORD=hunter2 psql -h db.internal -U app'],
    ['a password set inline, quoted', 'export DB_PASSWORD="hunter2" && ./migrate'],
    ['a --password= flag', '--password=hunter2'],
    ['a --token flag inside a command line', 'curl --token s3cr3tvalue https://api.example.com'],
    ['a Grafana service-account token', GRAFANA_SA],
    ['a Grafana Cloud token', 'glc_' + 'eyJvIjoiMTIzNDU2IiwibiI6InN0YWNrLTEyMzQ1Ni1obS1yZWFkLWFsZXJ0cyJ9'],
    [
      'a Discord webhook URL',
      'https://discord.com/api/webhooks/123456789012345678/' + 'aB3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0aB3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0abcdef',
    ],
    ['a legacy Discord webhook URL', 'https://discordapp.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz'],
    [
      'a Microsoft Teams webhook URL',
      'https://acme.webhook.office.com/webhookb2/0a1b2c3d-0000-4000-8000-000000000000@0a1b2c3d/IncomingWebhook/abc/def',
    ],
    ['a legacy OpenAI key (lower-case tail)', 'sk-' + 'abcdefghijklmnopqrst' + 'T3BlbkFJ' + 'abcdefghijklmnopqrst'],
    ['a legacy OpenAI key after an underscore', 'openai_sk-' + 'Ab3dEf6hIj9kLm2nOp5q' + 'T3BlbkFJ' + 'Rs8tUv1wXyZ0aB3dEf6h'],
    ['an npm token', 'npm_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0aB3d'],
    ['a Hugging Face token', 'hf_' + 'AbcdEfghIjklMnopQrstUvwxYzabCdefGh'],
    ['a SendGrid key', 'SG.' + 'Ab3dEf6hIj9kLm2nOp5qRs' + '.' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0aB3dEf6hIj9'],
    ['a HashiCorp Vault token', 'hvs.' + 'CAESI'.padEnd(95, 'aB3d')],
    ['a Docker Hub token', 'dckr_pat_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1'],
    ['a Groq key', 'gsk_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0aB3dEf6hIj9kLm2nOp5q'],
    ['a Shopify token', 'shpat_' + '0123456789abcdef0123456789abcdef'],
    ['a Redis URL with a password and no user', 'redis://:hunter2secret@cache.internal:6379/0'],
    ['a bearer token in a header', "curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0' https://api.example.com"],
    ['basic credentials in a header', 'Authorization: Basic ZGVwbG95Omh1bnRlcjJzZWNyZXQ='],
    ['an Azure storage connection string', 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=' + 'a1B2c3D4e5'.repeat(8) + '==;'],
    [
      'a Service Bus connection string',
      'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=' + 'a1B2c3D4e5'.repeat(4),
    ],
    ['a SQL Server connection string', 'Server=db.internal;Database=app;User Id=app;Password=hunter2;'],
    ['a Sentry DSN', 'https://0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io/4504'],
    ['a Telegram bot token', '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'],
  ])('%s looks like a secret', (_what, v) => {
    expect(looksLikeSecretValue(v)).toBe(true);
  });

  test.each([
    ['a password read from a variable', 'PGPASSWORD="$DB_PASSWORD" psql -h db.internal'],
    ['a password read from a file', 'PGPASSWORD=$(cat /run/secrets/db) psql'],
    ['a password flag reading a file', '--password-file=/run/secrets/db'],
    ['a password flag reading a variable', '--password=${DB_PASSWORD}'],
    ['a setting about passwords', 'PASSWORD_MIN_LENGTH=12'],
    ['a boolean setting', 'REQUIRE_PASSWORD=true'],
    ['a token lifetime flag', '--token-ttl=3600'],
    ['a secret name', 'SECRET_NAME=samokoder-app'],
    ['a Grafana dashboard uid', 'glsa-dashboard-golden-signals'],
    ['a Discord invite', 'https://discord.com/invite/samokoder'],
    ['a task name', 'task-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst'],
    ['a Redis URL without credentials', 'redis://cache.internal:6379/0'],
    ['a bearer token read from a variable', 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com'],
    ['words about bearer tokens', 'Send the Bearer token of the service account'],
    ['words about basic authentication', 'Basic authentication is refused by the gateway'],
    ['a key file flag', 'nginx --key=server.key --cert=server.crt'],
    ['a connection string without credentials', 'Server=db.internal;Database=app;Integrated Security=true;AccountName=acme'],
    ['a Sentry project URL', 'https://sentry.io/organizations/acme/projects/api/'],
    ['a time of day', 'backup at 123456789:AA'],
    ['a key flag naming a key id', '--key=metrics'],
    ['a secret file', '--client-secret=/var/run/secrets/oidc/client-secret'],
  ])('%s does not', (_what, v) => {
    expect(looksLikeSecretValue(v)).toBe(false);
  });

  test('a credential flag and its value as separate arguments', () => {
    expect(credentialArgumentIndex(['psql', '--password', 'hunter2'])).toBe(2);
    expect(credentialArgumentIndex(['app', '--api-key', 'abc123def'])).toBe(2);
    expect(credentialArgumentIndex(['nginx', '--key', 'tls/server.key'])).toBe(-1);
    expect(credentialArgumentIndex(['app', '--key', 'metrics'])).toBe(-1);
    expect(credentialArgumentIndex(['app', '--password', '--verbose'])).toBe(-1);
    expect(credentialArgumentIndex(['app', '--token', '$(cat /run/secrets/token)'])).toBe(-1);
    expect(credentialArgumentIndex(['app', '--password-file', 'db.txt'])).toBe(-1);
  });

  test("the brief's secret keys are declared by reference", () => {
    const all = samokoderSecrets('samokoder/production/app');
    expect(all.map((s) => s.envName)).toEqual([...SAMOKODER_SECRET_KEYS]);
    expect(AppSecret.fromStore('JWT_SECRET', 'k', 'jwt')).toMatchObject({ envName: 'JWT_SECRET', remoteKey: 'k', property: 'jwt' });
  });
});

describe('pinned images', () => {
  test.each(['repo/app:1.2.3', 'registry.local:5000/team/app:2026.11.21', 'app@sha256:' + 'f'.repeat(64)])('%s is pinned', (img) => {
    expect(requirePinnedImage('t', 'image', img)).toBe(img);
  });
  test.each(['repo/app', 'repo/app:latest', 'registry.local:5000/app', 'repo/app:'])('%s is refused', (img) => {
    expect(() => requirePinnedImage('t', 'image', img)).toThrow(`[t] 'image' ("${img}") must be pinned`);
  });
  test('registry credentials in a reference are refused without repeating them', () => {
    expect(() => requirePinnedImage('t', 'image', 'deploy:hunter2secret@ghcr.io/team/app:1.0')).toThrow(
      `[t] 'image' ("<redacted>") holds registry credentials (user:password@): pull with an imagePullSecret, and never write a credential into a reference`,
    );
    expect(() => requirePinnedImage('t', 'image', 'deploy:hunter2secret@ghcr.io/team/app:1.0')).not.toThrow(/hunter2/);
  });
  test.each([
    'ghcr.io/team/app:1.2.3@sha256:' + 'a'.repeat(64),
    'localhost:5000/app:v1',
    '10.0.0.5:5000/a__b/c-d.e:1_0',
    'Registry.Example.COM/team/app:1.0',
  ])('%s is a pinned reference (unusual but valid)', (img) => {
    expect(requirePinnedImage('t', 'image', img)).toBe(img);
  });
  test.each<[string, string]>([
    ['repo/app@sha256:abc', 'has a digest that is not sha256:<64 lower-case hex>'],
    ['repo/app@md5:' + 'a'.repeat(32), 'has a digest that is not sha256:<64 lower-case hex>'],
    [
      'ghcr.io/Team/App:1.0',
      'has a repository that is not [registry[:port]/]path with a lower-case path of letters, digits and . _ - separators',
    ],
    ['https://ghcr.io/team/app:1.0', 'is a URL: write the reference without a scheme ("ghcr.io/team/app:1.4.2")'],
    ['repo/app:.hidden', 'has a tag that is not 1–128 letters, digits, _ . - (not starting with . or -)'],
    ['repo//app:1.0', 'has a repository that is not'],
    ['repo/app:1.0 ', 'holds white space'],
  ])('%s is not a reference', (img, why) => {
    expect(() => requirePinnedImage('t', 'image', img)).toThrow(`[t] 'image' ("${img}") is not an image reference: it ${why}`);
  });
});

describe('cost-allocation tags', () => {
  test('all four are required and become Key: value tags', () => {
    expect(costAllocationTagMap('s', { environment: 'staging', service: 'svc', team: 'platform', costCenter: 'CC-1' })).toEqual({
      Environment: 'staging',
      Service: 'svc',
      Team: 'platform',
      CostCenter: 'CC-1',
      ManagedBy: 'samokoder-infra',
    });
    expect(() => costAllocationTagMap('s', { environment: 'staging', service: 'svc', team: '', costCenter: 'CC-1' })).toThrow(
      `[s] 'tags.team' ("") is required on every stack (cost allocation)`,
    );
    expect(() => costAllocationTagMap('s', undefined)).toThrow(`[s] 'tags.environment' (undefined) is required on every stack`);
  });
});
