/** The replication-lag monitor both engines name: the Deployment the DR scripts restart and the series they read. */
export const REPLICATION_LAG_MONITOR = 'replication-lag-monitor';

const selector = (namespace: string, extra = '') => `{namespace="${namespace}",job="${REPLICATION_LAG_MONITOR}"${extra}}`;

/**
 * PromQL of the replica's WAL receiver while it streams from the primary (postgres_exporter's `stat_wal_receiver`
 * collector: one series while the receiver runs, labelled with its `status`; none when it has stopped).
 */
export function walReceiverStreamingQuery(namespace: string): string {
  return `max(pg_stat_wal_receiver_last_msg_receipt_time${selector(namespace, ',status="streaming"')})`;
}

/**
 * PromQL of the replication lag (seconds) the monitor in `namespace` exports, and only while the replica's WAL
 * receiver streams. postgres_exporter v0.17.1's `pg_replication_lag_seconds` is 0 whenever the replica has replayed
 * all it received (collector/pg_replication.go: `pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()`), so a
 * replica that stopped receiving reads 0: gated by the receiver's state, that case has no value ("unknown"), and
 * the scripts' gates and the RPO alert cannot pass on it.
 */
export function replicationLagQuery(namespace: string): string {
  return `(max(pg_replication_lag_seconds${selector(namespace)}) and on() ${walReceiverStreamingQuery(namespace)})`;
}
