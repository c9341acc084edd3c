/** The replication-lag monitor both engines name: the Deployment the DR scripts restart and the series they read. */
export const REPLICATION_LAG_MONITOR = 'replication-lag-monitor';
/** The DR secondary's probe of the primary's entry (`PrimaryProbe`): its Deployment, Service and so its `job` label. */
export const PRIMARY_PROBE = 'primary-probe';

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

/**
 * The heartbeat both engines name: the Deployment in the writer's cluster that writes it (`ReplicationHeartbeat`),
 * the one-row table it writes, and the postgres_exporter query namespace the lag monitor reads it with.
 */
export const REPLICATION_HEARTBEAT = {
  /** The writer's Deployment (and ServiceAccount, Secret) in the writer's cluster: the DR scripts never stop it. */
  writer: 'replication-heartbeat',
  /** Schema-qualified, so the writer (the apps' role) and the reader (the replica's admin role) name one table. */
  table: 'public.samokoder_replication_heartbeat',
  /** postgres_exporter's custom query namespace: the metrics are `<namespace>_<column>`. */
  metric: 'pg_replication_heartbeat',
} as const;

/**
 * PromQL of the heartbeat's age (seconds) on the replica: `now()` there minus the newest heartbeat the replica has
 * replayed, written every few seconds on the primary. Unlike `pg_replication_lag_seconds` it grows whenever the
 * replica stops replaying, whatever the WAL receiver says and however idle the primary is.
 */
export function heartbeatAgeQuery(namespace: string): string {
  return `max(${REPLICATION_HEARTBEAT.metric}_age_seconds${selector(namespace)})`;
}

/**
 * PromQL of the newest heartbeat the replica has replayed (Unix seconds, the primary's clock): every write the
 * primary acknowledged before it is on the replica. The fail-back switch waits for one written after the writers
 * stopped; failover.sh prints it as the point after which writes are lost.
 */
export function heartbeatTimestampQuery(namespace: string): string {
  return `max(${REPLICATION_HEARTBEAT.metric}_timestamp_seconds${selector(namespace)})`;
}

/**
 * PromQL of the replica's lag as the DR scripts' gates read it: the heartbeat's age, and only while the WAL receiver
 * streams (otherwise no value: "unknown", and a gate refuses).
 */
export function heartbeatLagQuery(namespace: string): string {
  return `(${heartbeatAgeQuery(namespace)} and on() ${walReceiverStreamingQuery(namespace)})`;
}
