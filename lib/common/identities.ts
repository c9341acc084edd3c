/**
 * Identities both engines name: the Terraform side binds a cloud role to them, the Kubernetes side runs pods as them.
 * One constant so the two cannot drift apart.
 */

/** Where Cluster Autoscaler runs: its namespace and service account (its Pod Identity role binds to these). */
export const _CLUSTER_AUTOSCALER_IDENTITY = { namespace: 'cluster-autoscaler', serviceAccount: 'cluster-autoscaler' } as const;

/** Where external-dns runs: its namespace and service account (the platform layer's DNS, see `PlatformDns`). */
export const _EXTERNAL_DNS_IDENTITY = { namespace: 'external-dns', serviceAccount: 'external-dns' } as const;
