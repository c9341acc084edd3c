import { kubernetesVersionDrift } from 'samokoder-infra';

describe('kubernetesVersionDrift', () => {
  test('silent within one minor', () => {
    expect(kubernetesVersionDrift('1.29', 1, '1.28')).toBeUndefined();
    expect(kubernetesVersionDrift('1.28')).toBeUndefined();
  });
  test('warns when the cluster is further ahead, naming both versions', () => {
    expect(kubernetesVersionDrift('1.35')).toBe(
      'cdk8s-plus models Kubernetes 1.28, the cluster runs 1.35 (7 minors newer): objects are validated against the current schemas and the library patches the newer fields it uses, but move to a newer cdk8s-plus line when one exists',
    );
  });
  test('reports versions it cannot read', () => {
    expect(kubernetesVersionDrift('latest')).toBe('cannot compare Kubernetes versions "latest" and "1.28"');
  });
});
