/**
 * Which namespaces may read through a `ClusterSecretStore`: those carrying a label, one per store (External Secrets'
 * `spec.conditions[].namespaceSelector`). Without a condition, an ExternalSecret in any namespace reads every entry
 * the cluster's secret identity can. The platform layer's store selects the label; `AppNamespace`
 * (`secretStoreAccess`) and `ProductionApp` (the store its secrets name) put it on the namespace;
 * `checkPlatformWiring` reports an ExternalSecret whose namespace lacks it (External Secrets would refuse it:
 * nothing syncs).
 */

/** The prefix of the label (`secret-store-access.samokoder.dev/<store name>`). */
export const SECRET_STORE_ACCESS_LABEL_PREFIX = 'secret-store-access.samokoder.dev/';
/** The value the label carries. */
export const SECRET_STORE_ACCESS_LABEL_VALUE = 'true';

/** The label key by which the ClusterSecretStore `store` admits a namespace: `secret-store-access.samokoder.dev/aws-secrets-manager`. */
export function secretStoreAccessLabel(store: string): string {
  return `${SECRET_STORE_ACCESS_LABEL_PREFIX}${store}`;
}
