import { _KPLUS_KUBERNETES_MINOR } from '../private/kplus';

/**
 * Compares the Kubernetes version cdk8s-plus models with the cluster's. Returns a warning when they are more than
 * `tolerance` minors apart, else undefined. Fields newer than the cdk8s-plus line (the preStop `sleep` action,
 * `matchLabelKeys`) are added by the library's own patches; anything else needs a newer cdk8s-plus line.
 */
export function kubernetesVersionDrift(
  clusterVersion: string,
  tolerance = 1,
  modelled: string = _KPLUS_KUBERNETES_MINOR,
): string | undefined {
  const minor = (v: string) => Number(/^v?1\.(\d+)/.exec(v)?.[1] ?? NaN);
  const drift = minor(clusterVersion) - minor(modelled);
  if (Number.isNaN(drift)) return `cannot compare Kubernetes versions "${clusterVersion}" and "${modelled}"`;
  if (Math.abs(drift) <= tolerance) return undefined;
  return (
    `cdk8s-plus models Kubernetes ${modelled}, the cluster runs ${clusterVersion} (${Math.abs(drift)} minors ${drift > 0 ? 'newer' : 'older'}): ` +
    'objects are validated against the current schemas and the library patches the newer fields it uses, but move to a newer cdk8s-plus line when one exists'
  );
}
