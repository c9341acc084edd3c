/**
 * The seam around cdk8s-plus-28, which no longer gets fixes: the rest of lib/ imports it only through this file.
 * @internal
 */
export * as kplus from 'cdk8s-plus-28';

/** The Kubernetes minor the cdk8s-plus line in use models. @internal */
export const _KPLUS_KUBERNETES_MINOR = '1.28';
