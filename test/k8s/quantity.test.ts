import { canonicalQuantity, cpuQuantity, memoryQuantity } from '../../lib/k8s/quantity';

describe('quantities as the API server stores them', () => {
  test.each([
    [250, '250m'],
    [1000, '1'],
    [1500, '1500m'],
    [36000, '36'],
  ])('cpu %i millicores → %s', (millis, q) => expect(cpuQuantity(millis)).toBe(q));

  test.each([
    [512, '512Mi'],
    [2048, '2Gi'],
    [1536, '1536Mi'],
    [73728, '72Gi'],
    [1048576, '1Ti'],
  ])('memory %i MiB → %s', (mib, q) => expect(memoryQuantity(mib)).toBe(q));

  // The server's own answers, read back by npm run verify:k8s (Kubernetes 1.34.4).
  test.each([
    ['1000m', '1'],
    ['2048Mi', '2Gi'],
    ['36000m', '36'],
    ['18432Mi', '18Gi'],
    ['256Mi', '256Mi'],
    ['250m', '250m'],
    ['2000', '2k'],
    ['1024Ki', '1Mi'],
  ])('%s is stored as %s', (q, stored) => expect(canonicalQuantity(q)).toBe(stored));

  test.each(['1.5', '1e3', '100Ei'])('%s is not a form the library writes and is left as it is', (q) =>
    expect(canonicalQuantity(q)).toBe(q),
  );
});
