import {
  AppSecret,
  costAllocationTagMap,
  looksLikeSecretValue,
  requirePinnedImage,
  samokoderSecrets,
  SAMOKODER_SECRET_KEYS,
} from 'samokoder-infra';

describe('secret detection', () => {
  test.each([
    'sk-proj-abcdefghijklmnopqrstuvwxyz',
    'xoxb-1234-5678-abcdef',
    'AKIAABCDEFGHIJKLMNOP',
    'ghp_abcdefghijklmnopqrstuvwxyz0123',
    '-----BEGIN RSA PRIVATE KEY-----',
    'postgres://user:pass@db.internal:5432/app',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
  ])('%s looks like a secret', (v) => {
    expect(looksLikeSecretValue(v)).toBe(true);
  });

  test.each(['samokoder/production/app', 'postgres://db.internal:5432/app', 'info', 'https://api.example.com'])('%s does not', (v) => {
    expect(looksLikeSecretValue(v)).toBe(false);
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
