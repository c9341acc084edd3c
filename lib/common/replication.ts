/** The replication-lag monitor both engines name: the Deployment the DR scripts restart and the series they read. */
export const REPLICATION_LAG_MONITOR = 'replication-lag-monitor';

/** PromQL of the replication lag (seconds) the monitor in `namespace` exports (postgres_exporter's pg_replication). */
export function replicationLagQuery(namespace: string): string {
  return `max(pg_replication_lag_seconds{namespace="${namespace}",job="${REPLICATION_LAG_MONITOR}"})`;
}
