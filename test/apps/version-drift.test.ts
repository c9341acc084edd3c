import { kubernetesVersionDrift } from 'samokoder-infra';
import { ACKNOWLEDGED_KPLUS_DRIFT } from '../../apps/kubernetes';
import { referenceCloud } from '../util/reference';

// The reference synth printed four identical "version drift" lines on every run (#28): a gap no one running it can
// close (cdk8s-plus-28 is the last line). It is acknowledged up to the reference clusters' version, and only a
// cluster moved further ahead warns.
describe("the reference synth's version-drift warning", () => {
  const cloud = referenceCloud();
  const versions = [
    ...Object.values(cloud.stacks).map((s) => s.contract.kubernetesVersion),
    cloud.dr.contract('primary').kubernetesVersion,
    cloud.dr.contract('secondary').kubernetesVersion,
  ];

  test('is silent for every reference cluster', () => {
    expect(versions.length).toBeGreaterThan(3);
    expect(versions.map((v) => kubernetesVersionDrift(v, ACKNOWLEDGED_KPLUS_DRIFT)).filter(Boolean)).toEqual([]);
  });

  test('speaks again for a cluster one minor further ahead', () => {
    const newest = Math.max(...versions.map((v) => Number(v.split('.')[1])));
    expect(kubernetesVersionDrift(`1.${newest + 1}`, ACKNOWLEDGED_KPLUS_DRIFT)).toMatch(
      /^cdk8s-plus models Kubernetes 1\.28, the cluster runs/,
    );
  });
});
