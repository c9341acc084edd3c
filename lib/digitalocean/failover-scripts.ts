import type { FailoverFacts } from './failover-facts';
import { _POLLS, _REPLICAS_ANNOTATION, _SCRIPT_TOOLS, _prologue, FENCE_RULE } from './failover-script-tools';

export { _POLL_SECONDS, _POLLS, _REPLICAS_ANNOTATION, _RESTARTED_FOR_ANNOTATION, _SCRIPT_TOOLS, FENCE_RULE } from './failover-script-tools';

/**
 * failover.sh: the primary region is lost; the secondary takes over, writes included, and the old side is fenced so
 * it cannot take writes when it comes back. Every step skips what is already done, so the script can be run again
 * after an interruption; what cannot be done while the lost region does not answer is listed as pending (exit 3) and
 * done by the next run. @internal
 */
export function _failoverScript(f: FailoverFacts): string {
  const replica = f.replicaName;
  const body = replica
    ? `
echo "== 2. the replica ${replica}"
NEW_ID=$(database_field ${replica} .id)
if [ -n "$NEW_ID" ]; then
  echo "${replica} is already a cluster of its own (promoted by an earlier run): resuming"
else
  PG_ID=$(database_field ${f.postgresCluster} .id)
  [ -n "$PG_ID" ] || { echo "cluster ${f.postgresCluster} not found" >&2; exit 1; }
  status=$(replica_status "$PG_ID" ${replica})
  [ "$status" = active ] || { echo "replica ${replica} is '$status', not active: it cannot be promoted" >&2; exit 1; }
  # The primary is gone, so the heartbeat's age grows with the outage: what the replica holds is what informs.
  at=$(heartbeat_at)
  if [ "$at" = unknown ]; then
    warn "the replica's last heartbeat is unknown (Prometheus in $SECONDARY_CONTEXT did not answer or reads none): the writes lost cannot be estimated"
  else
    echo "the replica holds the primary's writes up to $(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "$at") (its last heartbeat, $(( $(date +%s) - at )) s ago); writes after that are lost (RPO target \${RPO_SECONDS} s)"
  fi

  echo "== 3. promote ${replica} (it becomes an independent cluster)"
  run doctl databases replica promote "$PG_ID" ${replica}
fi
if $EXECUTE; then
  wait_for "${replica}" online ${_POLLS.promotion} database_field ${replica} .status
  NEW_HOST=$(database_field ${replica} .private_connection.host)
elif [ -n "$NEW_ID" ]; then
  NEW_HOST=$(database_field ${replica} .private_connection.host)
else
  NEW_HOST=$(replica_field "$PG_ID" ${replica} .private_connection.host)
fi
[ -n "$NEW_HOST" ] || { echo "no private host for ${replica}" >&2; exit 1; }

echo "== 4. fence the old primary ${f.postgresCluster}: it admits nobody (an empty list would admit everyone)"
# Read into a variable, not in the call's arguments: a read that fails then stops the run (set -e) instead of
# reading as "no longer exists" and leaving the old primary unfenced.
OLD_ID=$(database_field ${f.postgresCluster} .id)
fence_database ${f.postgresCluster} "$OLD_ID"

echo "== 5. both regions' connection entries name ${replica}"
repoint_entry "${f.connectionEntries.secondary}" "$NEW_HOST" "$SECONDARY_CONTEXT"
set_entry_host "${f.connectionEntries.primary}" "$NEW_HOST"
`
    : `
echo "== 2-5. no replica is configured: restore the newest backup in ${f.secondaryRegion} (RPO: up to 24 h); see the runbook" >&2
exit 1
`;
  return `${_prologue(
    f,
    `Regional failover for ${f.host}: ${f.primaryRegion} -> ${f.secondaryRegion}.`,
    '; FORCE=false',
    `
    --force) FORCE=true ;; # skip the "primary is down" check (drills only)`,
  )}
echo "== 1. confirm ${f.primaryRegion} is down"
if [ -n "${replica ? `$(database_field ${replica} .id)` : ''}" ]; then
  echo "the failover has started already (${replica ?? ''} is promoted): not checking again"
else
  failures=0
  for i in 1 2 3; do
    if curl -fsS --max-time 5 "https://${f.regionalHosts.primary}/health" >/dev/null 2>&1; then echo "check $i: primary answers"; else echo "check $i: primary does not answer"; failures=$((failures + 1)); fi
    sleep "$POLL_SECONDS"
  done
  doctl kubernetes cluster get ${f.primaryCluster} --format Name,Status --no-header || warn "doctl cannot read ${f.primaryCluster}"
  if [ "$failures" -lt 3 ] && ! $FORCE; then echo "primary still answers: not failing over (use --force for a drill)" >&2; exit 1; fi
fi
${body}
echo "== 6. restart what serves in ${f.secondaryCluster}"
restart_apps "$SECONDARY_CONTEXT" "$NEW_HOST"

echo "== 7. stop the writers in ${f.primaryCluster} (they would reach ${replica ?? 'the database'} across regions; fail-back restores them)"
if reachable "$PRIMARY_CONTEXT"; then
  stop_writers "$PRIMARY_CONTEXT"
else
  pending "scale the writers in ${f.primaryCluster} to 0 (its Kubernetes API does not answer); run this script again when it does"
fi

echo "== 8. ${f.secondaryNodePool} carries the primary's load: at least the primary's nodes (its minimum, or its last count if higher)"
# The primary pool's last count (DigitalOcean's API answers while the region is down). A pool that no longer exists
# counts as its minimum; any other failure stops the run (run it again) rather than sizing the pool from nothing.
# (doctl's errors are read apart from its output: a notice on stderr must not reach jq.)
err=$(mktemp)
if ! pool=$(doctl kubernetes cluster node-pool get ${f.primaryCluster} ${f.primaryNodePool} --output json 2>"$err"); then
  case "$(cat "$err")" in
    *404* | *"not found"*) warn "${f.primaryCluster}/${f.primaryNodePool} not found: sizing ${f.secondaryNodePool} from its minimum"; pool='{}' ;;
    *) echo "could not read ${f.primaryCluster}/${f.primaryNodePool}: $(cat "$err"); run this script again" >&2; rm -f "$err"; exit 1 ;;
  esac
fi
rm -f "$err"
want=$(printf '%s' "$pool" | jq -r '(.[0]? // .).count // 0')
[ "\${want:-0}" -ge ${f.primaryMinNodes} ] 2>/dev/null || want=${f.primaryMinNodes}
have=$(doctl kubernetes cluster node-pool get ${f.secondaryCluster} ${f.secondaryNodePool} --output json | jq -r '(.[0]? // .).min_nodes // 0')
if [ "$have" -ge "$want" ]; then
  echo "${f.secondaryNodePool} keeps at least $have nodes already"
else
  run doctl kubernetes cluster node-pool update ${f.secondaryCluster} ${f.secondaryNodePool} --auto-scale --min-nodes "$want" --max-nodes ${f.secondaryMaxNodes}
fi

${
  replica
    ? `echo "== 9. ${replica} gets the primary's standby (${f.postgresNodes} node(s))"
give_standby ${replica}

`
    : ''
}echo "== 10. verify"
if $EXECUTE; then
  if curl -fsS --max-time 10 "https://${f.host}/health" >/dev/null; then echo "global entry answers"; else warn "https://${f.host}/health does not answer yet"; fi
fi
if [ "$PENDING" -gt 0 ]; then
  echo "not finished: $PENDING step(s) pending (above); run ./failover.sh --execute again when ${f.primaryRegion} answers" >&2
  exit 3
fi
echo "done. Reconcile Terraform state before the next apply (see runbook.md, 'Terraform after a promotion')."
`;
}

/**
 * failback.sh: in two stages. `--stage prepare` builds a replica of the current primary back in the first region, in
 * its VPC, trusted by the two clusters only, and waits until it is active and caught up. `--stage switch` (in a
 * maintenance window) stops the writers, waits for the lag to drain, promotes, fences the primary it leaves, points
 * both regions at the new primary and starts both regions' writers again with the replicas they had. Both stages skip
 * what is already done, so either can be run again after an interruption. @internal
 */
export function _failbackScript(f: FailoverFacts): string {
  const current = f.replicaName ?? f.postgresCluster;
  const back = f.failback.primary;
  const next = f.failback.replica;
  return `${_prologue(
    f,
    `Fail-back for ${f.host}: return to ${f.primaryRegion} once it is healthy.`,
    '; STAGE=prepare',
    `
    --stage=prepare) STAGE=prepare ;;
    --stage=switch) STAGE=switch ;;`,
  )}
CURRENT_ID=$(database_field ${current} .id)
[ -n "$CURRENT_ID" ] || { echo "current primary ${current} not found" >&2; exit 1; }
BACK_ID=$(database_field ${back} .id)
# Scales a cluster's writers back to what they ran with before a script stopped them (the annotation), and forgets it.
start_writers() {
  local context=$1 kind name replicas
  for kind in rollouts.argoproj.io deployments; do
    kubectl --context "$context" --namespace "$NAMESPACE" get "$kind" --output json |
      jq -r '.items[] | select(.metadata.annotations["${_REPLICAS_ANNOTATION}"] != null) | "\\(.metadata.name) \\(.metadata.annotations["${_REPLICAS_ANNOTATION}"])"' |
      while read -r name replicas; do
        run kubectl --context "$context" --namespace "$NAMESPACE" patch "$kind/$name" --type merge \\
          --patch "{\\"metadata\\":{\\"annotations\\":{\\"${_REPLICAS_ANNOTATION}\\":null}},\\"spec\\":{\\"replicas\\":$replicas}}"
      done
  done
}
# replicate <primary-id> <replica> <region> <vpc>: a read-only replica of the primary in the region, inside the VPC,
# unless it exists; then waits until it is active.
replicate() {
  local vpc_id
  if replica_status "$1" "$2" >/dev/null 2>&1; then
    echo "$2 exists already"
  else
    vpc_id=$(doctl vpcs list --format ID,Name --no-header | awk -v name="$4" '$2 == name { print $1 }')
    [ -n "$vpc_id" ] || { echo "VPC $4 not found" >&2; exit 1; }
    run doctl databases replica create "$1" "$2" --region "$3" --size ${f.replicaSize} --private-network-uuid "$vpc_id"
  fi
  if $EXECUTE; then wait_for "$2" active 90 replica_status "$1" "$2"; fi
}
# trust <primary-id> <replica> <cluster>...: each cluster is among the replica's trusted sources.
trust() {
  local primary=$1 replica=$2 id rules cluster cluster_id
  shift 2
  id=$(replica_field "$primary" "$replica" .id 2>/dev/null || true)
  required "the id of $replica" "$id"
  rules=''
  if [ -n "$id" ]; then rules=$(doctl databases firewalls list "$id" --format Type,Value --no-header | awk '{ print $1 ":" $2 }'); fi
  for cluster in "$@"; do
    cluster_id=$(doctl kubernetes cluster get "$cluster" --format ID --no-header)
    if printf '%s\\n' "$rules" | grep -qx "k8s:$cluster_id"; then echo "$cluster is trusted already"; continue; fi
    run doctl databases firewalls append "\${id:-<replica-id>}" --rule "k8s:$cluster_id"
  done
}
# watch_replica <primary-id> <replica> <what>: the lag monitor watches the replica, then the script waits until the
# replica replays the heartbeat within the RPO target. Three steps, each skipped when done (so an interrupted run
# resumes): the monitor's entry, its Secret, the monitor's pods.
watch_replica() {
  local dsn host watched tmp
  dsn=$(replica_field "$1" "$2" .private_connection.uri 2>/dev/null || true)
  host=$(replica_field "$1" "$2" .private_connection.host 2>/dev/null || true)
  required "the connection of $2" "$dsn"
  required "the host of $2" "$host"
  watched=$(aws secretsmanager get-secret-value --region "$SECRETS_REGION" --secret-id "${f.monitorEntry}" --query SecretString --output text | jq -r .DATA_SOURCE_NAME)
  if [ -n "$dsn" ] && [ "$dsn" = "$watched" ]; then
    echo "${f.monitorEntry} names $2 already"
  else
    echo "+ point ${f.monitorEntry} at $2"
    if $EXECUTE; then
      tmp=$(mktemp)
      chmod 600 "$tmp"
      printf '%s' "$dsn" | jq -R '{DATA_SOURCE_NAME: .}' >"$tmp"
      aws secretsmanager put-secret-value --region "$SECRETS_REGION" --secret-id "${f.monitorEntry}" --secret-string "file://$tmp" >/dev/null
      rm -f "$tmp"
    fi
  fi
  force_sync "$SECONDARY_CONTEXT" "${f.monitorEntry}" DATA_SOURCE_NAME "$dsn"
  if [ -n "$host" ] && [ "$(restarted_for "$SECONDARY_CONTEXT" deployments/${f.lagMonitor})" = "$host" ]; then
    echo "${f.lagMonitor} was restarted for $2 already"
  else
    restart_deployment "$SECONDARY_CONTEXT" ${f.lagMonitor} "\${host:-<host of $2>}"
  fi
  if $EXECUTE; then wait_for "$3" yes 90 lag_within_rpo; fi
}

if [ "$STAGE" = prepare ]; then
  [ -z "$BACK_ID" ] || { echo "${back} is already the primary: nothing to prepare (run --stage=switch to finish)"; exit 0; }
  echo "== 1. ${f.primaryRegion} is healthy again"
  status=$(doctl kubernetes cluster get ${f.primaryCluster} --format Status --no-header)
  [ "$status" = running ] || { echo "cluster ${f.primaryCluster} is '$status', not running" >&2; exit 1; }
  reachable "$PRIMARY_CONTEXT" || { echo "the Kubernetes API of ${f.primaryCluster} does not answer" >&2; exit 1; }

  echo "== 2. replicate ${current} back into ${f.primaryRegion}, inside ${f.primaryVpc}"
  replicate "$CURRENT_ID" ${back} ${f.primaryRegion} ${f.primaryVpc}

  echo "== 3. only ${f.primaryCluster} (its writers, after the switch) and ${f.secondaryCluster} (the lag monitor, then its writers) may reach it"
  trust "$CURRENT_ID" ${back} ${f.primaryCluster} ${f.secondaryCluster}

  echo "== 4. the lag monitor watches ${back} (${f.secondaryCluster}'s ${f.heartbeatWriter} writes the heartbeat into ${current}); wait until it is within the RPO target (\${RPO_SECONDS} s)"
  watch_replica "$CURRENT_ID" ${back} "replication lag within the RPO target"
  echo "prepared: run ./failback.sh --stage=switch --execute in a maintenance window"
  exit 0
fi

if [ -n "$BACK_ID" ]; then
  echo "== 5-7. ${back} is the primary already (promoted by an earlier run): resuming"
else
  echo "== 5. the replica ${back} is active and within the RPO target"
  status=$(replica_status "$CURRENT_ID" ${back})
  [ "$status" = active ] || { echo "replica ${back} is '$status', not active: run --stage=prepare first" >&2; exit 1; }
  [ "$(lag_within_rpo)" = yes ] || { echo "replication lag '$(replication_lag)' s is unknown or above the RPO target (\${RPO_SECONDS} s): wait" >&2; exit 1; }

  echo "== 6. stop the writers in ${f.secondaryCluster} (the lag monitor and the heartbeat writer keep running: the next gate reads them)"
  stop_writers "$SECONDARY_CONTEXT"
  # Every write acknowledged before the writers stopped is on ${back} once it has replayed a heartbeat written after
  # that moment (Prometheus' clock; the primary's is NTP-synced).
  STOPPED_AT=$(prometheus_value 'time()')
  case "$STOPPED_AT" in '' | unknown | *[!0-9]*) echo "Prometheus in $SECONDARY_CONTEXT does not answer: cannot tell when ${back} has every write" >&2; exit 1 ;; esac
  if $EXECUTE; then wait_for "${back} replayed a heartbeat written after the writers stopped" yes 30 heartbeat_after "$STOPPED_AT"; fi

  echo "== 7. promote ${back}"
  run doctl databases replica promote "$CURRENT_ID" ${back}
fi
if $EXECUTE; then wait_for "${back}" online ${_POLLS.promotion} database_field ${back} .status; fi
NEW_HOST=$(database_field ${back} .private_connection.host)
BACK_ID=$(database_field ${back} .id)

echo "== 8. fence ${current}: it admits nobody (keep it for forensics, then delete it)"
fence_database ${current} "$CURRENT_ID"

echo "== 9. both regions' connection entries name ${back}"
repoint_entry "${f.connectionEntries.primary}" "\${NEW_HOST:-<new host>}" "$PRIMARY_CONTEXT"
repoint_entry "${f.connectionEntries.secondary}" "\${NEW_HOST:-<new host>}" "$SECONDARY_CONTEXT"

echo "== 10. both regions serve again: writers back to the replicas they had, then restarted on the new primary"
for context in "$PRIMARY_CONTEXT" "$SECONDARY_CONTEXT"; do
  start_writers "$context"
  restart_apps "$context" "\${NEW_HOST:-<new host>}"
done

echo "== 11. ${back} gets the primary's standby (${f.postgresNodes} node(s))"
give_standby ${back}

echo "== 12. the pair again: replicate ${back} into ${f.secondaryRegion}, inside ${f.secondaryVpc} (${current}, fenced, keeps its name)"
replicate "\${BACK_ID:-<id of ${back}>}" ${next} ${f.secondaryRegion} ${f.secondaryVpc}

echo "== 13. only ${f.secondaryCluster} may reach ${next} (its lag monitor; its writers once a failover promotes it), as Terraform's replica firewall"
trust "$BACK_ID" ${next} ${f.secondaryCluster}

echo "== 14. the lag monitor watches ${next}; wait until it replays the heartbeat within the RPO target (\${RPO_SECONDS} s)"
watch_replica "$BACK_ID" ${next} "${next} replays the heartbeat within the RPO target"
echo "done. Reconcile Terraform before the next apply (runbook.md, 'Terraform after a fail-back'); delete ${current} once you no longer need it."
`;
}

/**
 * check-apply.sh: refuses (exit 1) a Terraform apply of the stack while the world is in a failover the program does
 * not describe: the program's replica is a cluster of its own (promoted), or its primary is fenced. @internal
 */
export function _checkApplyScript(f: FailoverFacts): string {
  const replica = f.replicaName;
  return `#!/usr/bin/env bash
# Refuses an apply of ${f.stackName} while a failover Terraform does not know of is in effect (runbook.md, "Terraform after
# a promotion"). Run it before every \`cdktf deploy\` / \`terraform apply\` of this stack, in CI too.
# Generated by samokoder-infra (${f.stackName}). Needs doctl ${_SCRIPT_TOOLS.doctlVersion}+ (authenticated) and jq.
set -euo pipefail
for tool in doctl jq; do command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }; done
CLUSTERS=$(doctl databases list --output json)
refused=0
${
  replica
    ? `if printf '%s' "$CLUSTERS" | jq -e '.[] | select(.name == "${replica}")' >/dev/null; then
  echo "refused: ${replica} is a cluster of its own (a failover promoted it) while this program declares it a replica of ${f.postgresCluster}" >&2
  refused=1
fi
`
    : ''
}PG_ID=$(printf '%s' "$CLUSTERS" | jq -r '.[] | select(.name == "${f.postgresCluster}") | .id')
if [ -n "$PG_ID" ] && [ "$(doctl databases firewalls list "$PG_ID" --format Type,Value --no-header | awk '{ print $1 ":" $2 }')" = "${FENCE_RULE}" ]; then
  echo "refused: ${f.postgresCluster} is fenced by a failover (its only trusted source is ${FENCE_RULE}) while this program declares it the primary" >&2
  refused=1
fi
if [ "$refused" -ne 0 ]; then
  echo "reconcile the Terraform state first: runbook.md, 'Terraform after a promotion'" >&2
  exit 1
fi
echo "no failover in effect for ${f.stackName}: the apply may proceed"
`;
}

/** sync-files.sh: copies uploaded files from the primary's Spaces bucket to the secondary's. @internal */
export function _syncFilesScript(f: FailoverFacts): string {
  return `#!/usr/bin/env bash
# Copy uploaded files from ${f.buckets.primary} (${f.primaryRegion}) to ${f.buckets.secondary} (${f.secondaryRegion}).
# DigitalOcean Spaces does not replicate across regions: files are as fresh in ${f.secondaryRegion} as the last run of
# this script (the files RPO in runbook.md). Run it on a schedule at least every ${Math.round(f.filesSyncIntervalSeconds / 60)} min.
# Generated by samokoder-infra (${f.stackName}). Needs rclone and SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY.
set -euo pipefail
: "\${SPACES_ACCESS_KEY_ID:?set SPACES_ACCESS_KEY_ID}" "\${SPACES_SECRET_ACCESS_KEY:?set SPACES_SECRET_ACCESS_KEY}"
# The keys reach rclone through its environment, never its command line.
export RCLONE_S3_ACCESS_KEY_ID="$SPACES_ACCESS_KEY_ID" RCLONE_S3_SECRET_ACCESS_KEY="$SPACES_SECRET_ACCESS_KEY"
rclone sync --checksum --fast-list \
  ":s3,provider=DigitalOcean,endpoint=${f.primaryRegion}.digitaloceanspaces.com:${f.buckets.primary}" \
  ":s3,provider=DigitalOcean,endpoint=${f.secondaryRegion}.digitaloceanspaces.com:${f.buckets.secondary}"
`;
}

/** Seconds failover.sh spends confirming the outage: three checks, each up to 5 s, 10 s apart. */
export const FAILOVER_CONFIRM_SECONDS = 3 * (5 + 10);
