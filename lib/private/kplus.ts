// The seam around cdk8s-plus-28, which no longer gets fixes: the rest of lib/ imports it only through this file.
// Not exported from the package root, but public constructs expose cdk8s-plus types (a `Deployment`, say), so the
// declarations keep it (it carries no internal tag).
import * as kplus from 'cdk8s-plus-28';
export { kplus };

/** The Kubernetes minor the cdk8s-plus line in use models. @internal */
export const _KPLUS_KUBERNETES_MINOR = '1.28';
