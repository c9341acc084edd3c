/**
 * Identities both engines name: the Terraform side binds a cloud role to them, the Kubernetes side runs pods as them.
 * One constant so the two cannot drift apart.
 */

/** Where Cluster Autoscaler runs: its namespace and service account (its Pod Identity role binds to these). */
export const _CLUSTER_AUTOSCALER_IDENTITY = { namespace: 'cluster-autoscaler', serviceAccount: 'cluster-autoscaler' } as const;
