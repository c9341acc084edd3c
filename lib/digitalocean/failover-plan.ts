import * as fs from 'fs';
import * as path from 'path';
import type { FailoverFacts } from './failover-facts';
import { ValidationError } from '../common/errors';
import { credentialLines } from '../common/secret-detection';
import {
  FENCE_RULE,
  _REPLICAS_ANNOTATION,
  _RESTARTED_FOR_ANNOTATION,
  _checkApplyScript,
  _failbackScript,
  _failoverScript,
  _syncFilesScript,
} from './failover-scripts';

/** @internal */
export type { FailoverFacts } from './failover-facts';

/** The Terraform state surgery both reconciliations start with: the primary, what belongs to it, and the replica leave. */
function stateRm(f: FailoverFacts): string {
  const addresses = [
    f.addresses.cluster,
    f.addresses.database,
    f.addresses.user,
    f.addresses.pool,
    f.addresses.firewall,
    f.addresses.replica,
    f.addresses.replicaFirewall,
  ].filter((x): x is string => x !== undefined);
  return ['```sh', `cd cdktf.out/stacks/${f.stackName}`, ...addresses.map((x) => `terraform state rm '${x}'`), '```'].join('\n');
}

/**
 * Imports of a promoted cluster and what it carries over (import ids from terraform-provider-digitalocean's
 * docs/resources: database_cluster `<id>`, database_db and database_user `<cluster id>,<name>`, database_firewall
 * `<cluster id>`, database_replica `<cluster id>,<replica name>`).
 */
function importLines(f: FailoverFacts, id: string): string {
  return [
    `terraform import '${f.addresses.cluster}' ${id}`,
    `terraform import '${f.addresses.database}' ${id},${f.databaseName}`,
    `terraform import '${f.addresses.user}' ${id},${f.databaseName}_app`,
    `terraform import '${f.addresses.firewall}' ${id}`,
  ].join('\n');
}

const current = (f: FailoverFacts) => f.replicaName ?? f.postgresCluster;

const min = (s: number) => `${Math.round((s / 60) * 10) / 10} min`;

/**
 * The failover plan generated from the stack's own configuration, so every name in it matches what Terraform
 * created: a runbook, an executable failover script, a fail-back script, an image-mirroring script for the
 * single-region registry, and a DR-drill checklist.
 */
export class FailoverPlan {
  /** @internal */
  constructor(private readonly f: FailoverFacts) {}

  /** The facts the plan was made from (the simulation builds its world from them). @internal */
  public get _facts(): FailoverFacts {
    return this.f;
  }

  /**
   * The traffic path and what the configuration promises (Markdown, headings at level 2): the part of the runbook the
   * README shows for the reference platform.
   */
  public get summary(): string {
    const f = this.f;
    const m = f.model;
    const source = { configuration: 'configuration', drill: 'your drill (recoveryEstimates)', estimate: '**estimate**, measured nowhere' };
    const rows = m.steps
      .map(
        (s) =>
          `| ${s.step} | ${min(s.seconds)} | ${source[s.source]} | ${s.scriptLimitSeconds ? min(s.scriptLimitSeconds) : ''} | ${s.basis} |`,
      )
      .join('\n');
    return `## Traffic path

${f.trafficPath.map((step, i) => `${i + 1}. ${step}`).join('\n')}

## What the configuration promises

Target RTO ${min(f.rtoTargetSeconds)}, expected **${min(m.expectedRtoSeconds)}**; traffic leaves the primary after about ${min(m.trafficFailoverSeconds)}.
${m.estimatedSeconds > 0 ? `${min(m.estimatedSeconds)} of the expected RTO are the library's estimates, not measurements: time them in a drill and set \`recoveryEstimates\`.` : 'Every figure is configured or comes from your drills.'}
With failover.sh's waits at their limits instead of the expected times, recovery takes up to ${min(m.scriptLimitRtoSeconds)}; past a limit the
script stops and says what it waited for. The simulation in the library's tests checks what the procedure does (fencing,
resumption, both regions after fail-back), not how long it takes.

| step | expected | source | failover.sh waits at most | basis |
|---|---|---|---|---|
${rows}

Detection pages the on-call: the secondary cluster's \`${f.primaryProbe.name}\` (\`PrimaryProbe\`, from its contract) requests ${f.primaryProbe.url} every 30 s,
and \`PrimaryRegionDown\` (critical) fires after 2 min of failures: the namespace's \`AlertRouting\` pages it (critical goes to PagerDuty when it has a \`pagerDuty\` key).
DigitalOcean's uptime alerts also e-mail the \`alertEmails\` addresses (they notify by e-mail or Slack only, so they page nobody by themselves).

Target RPO ${min(f.rpoTargetSeconds)} for the database, expected about ${min(m.expectedRpoSeconds)}. ${m.rpoStatement}
The lag is measured, not assumed: both clusters write a heartbeat into the writer (\`${f.heartbeatWriter}\`, every few seconds) and the secondary
cluster's \`${f.lagMonitor}\` reads it on the replica. An alert fires when the newest heartbeat replayed is older than the target (the
exporter's own lag figure reads 0 on a replica that stopped replaying), and both scripts gate on the same series (\`${f.lagQuery}\`).

Files: ${m.filesRpoStatement}`;
  }

  /** The runbook (Markdown). */
  public get runbook(): string {
    const f = this.f;
    return `# Regional failover runbook: ${f.host}

Generated by samokoder-infra from the \`${f.stackName}\` stack. Names below are the ones Terraform created.

## Topology

| role | region | Kubernetes | entry |
|---|---|---|---|
| primary | ${f.primaryRegion} | \`${f.primaryCluster}\` | https://${f.regionalHosts.primary} |
| secondary | ${f.secondaryRegion} | \`${f.secondaryCluster}\` | https://${f.regionalHosts.secondary} |

- PostgreSQL \`${f.postgresCluster}\` (${f.primaryRegion}, primary + standby)${f.replicaName ? ` with the read-only replica \`${f.replicaName}\` in ${f.secondaryRegion}` : ', **no cross-region replica**'}.
- Valkey: one cluster per region; caches start cold after a failover.
- Secrets: AWS Secrets Manager (${f.secretsRegion}), entries under \`${f.secretPrefix}\`: each cluster reads its own connection entry
  (\`${f.connectionEntries.primary}\`, \`${f.connectionEntries.secondary}\`) with a read-only key (the \`aws-secrets-reader\` Secret in
  \`external-secrets\`) of that cluster's own IAM user (\`${f.readerUsers.primary}\`, \`${f.readerUsers.secondary}\`), which has the
  cluster's \`<region>-secrets-read\` policy (exactly the entries the cluster reads) and may manage its own access keys only. Create the
  first key once per cluster (\`aws iam create-access-key --user-name <user>\`, into that Secret's \`access-key-id\` and
  \`secret-access-key\`); a \`ReaderKeyRotation\` in the cluster then replaces it weekly.
- Files: one Spaces bucket per region (\`${f.buckets.primary}\`, \`${f.buckets.secondary}\`); Spaces does not replicate across regions, \`sync-files.sh\` copies them.
- Registry \`${f.registry}\` lives in ${f.registryRegion} (DigitalOcean registries are single-region); \`mirror-images.sh\` copies images to \`${f.fallbackRegistry}\`.
- The Global Load Balancer sends \`${f.host}\` to ${f.primaryRegion} first and moves traffic by itself when the regional health checks fail.
- ${
      f.apiAccess.publicReason === undefined
        ? `Kubernetes API: DigitalOcean's control-plane firewall admits only ${f.apiAccess.allowedCidrs.join(', ')} (the Argo CD hub's egress addresses and the operators'); run the scripts from there.`
        : publicApiRisk(f.apiAccess.publicReason)
    }

${this.summary}

## Failover

Run \`./failover.sh\` (dry run) and then \`./failover.sh --execute\`. It needs \`doctl\` (authenticated), \`kubectl\` with contexts
\`do-${f.primaryRegion}-${f.primaryCluster}\` and \`do-${f.secondaryRegion}-${f.secondaryCluster}\`, the AWS CLI (allowed to write
\`${f.secretPrefix}*\`), \`curl\` and \`jq\`. Every step skips what is already done: after an interruption (a lost shell, a
failed call), run it again. It exits 0 when everything is done, 3 when a step waits for ${f.primaryRegion} to answer (run it
again once it does: until then the fence below keeps the old side from writing), 1 when it refuses. In order:

1. **Confirm the primary is down**: three failed health checks of https://${f.regionalHosts.primary}/health and the cluster status. The script stops if the primary answers (use \`--force\` only for a drill). Skipped once the replica is promoted.
2. **Check the replica** \`${f.replicaName ?? '(none)'}\`: status \`active\` or the script stops; it prints the newest heartbeat the replica has replayed (the writes after it are lost), or a warning when Prometheus cannot say.
3. **Promote** it: \`doctl databases replica promote <cluster-id> ${f.replicaName ?? '<replica>'}\`, then wait until it is \`online\`. It becomes an independent cluster without the pool: the apps connect directly on port ${f.databasePort}.
4. **Fence the old primary** \`${f.postgresCluster}\`: its trusted sources are replaced by \`${FENCE_RULE}\` (an address that is never routed; an empty list would admit everyone), so nothing reaches it when ${f.primaryRegion} comes back. DigitalOcean's API is global: this works while the region is down.
5. **Repoint both connection entries** at the promoted cluster: \`${f.connectionEntries.secondary}\` (External Secrets is told to sync now and the script waits until every Secret made from the entry carries the new host) and \`${f.connectionEntries.primary}\` (what starts in ${f.primaryRegion} later reaches the one writer).
6. **Restart what serves** in \`${f.secondaryCluster}\`: the Rollouts through \`spec.restartAt\` (pods replaced in place, paused Rollouts included: no new revision, so no analysis or promotion; the script waits for \`status.restartedAt\`) and the Deployments that run pods. Each restart writes the new host into the \`${_RESTARTED_FOR_ANNOTATION}\` annotation in the same patch; a run again restarts only what has not been restarted for that host, and force-syncs External Secrets only while a Secret lacks it.
7. **Stop the writers in** \`${f.primaryCluster}\` when its API answers (otherwise pending): Rollouts and Deployments scaled to 0, what they ran with kept in the \`${_REPLICAS_ANNOTATION}\` annotation for the fail-back. At 0 neither the autoscaler nor Argo CD scales them back.
8. **Scale** the secondary node pool \`${f.secondaryNodePool}\` to at least the primary's nodes (${f.primaryMinNodes}, or the primary pool's last count if higher), unless it keeps that many already.
9. **Standby**: the promoted cluster, a single node, is resized to the primary's ${f.postgresNodes} node(s) (\`doctl databases resize\`; nodes are added online).
10. **Verify**: https://${f.host}/health answers from ${f.secondaryRegion}; \`pg_is_in_recovery()\` is false on the new primary.

A database-only outage (the cluster of ${f.primaryRegion} healthy, its database lost) passes the health checks of step 1: run
\`./failover.sh --force --execute\` after confirming the database is lost from DigitalOcean's status page or the cluster's
events; everything after step 1 is the same.

## Terraform after a promotion

Terraform cannot promote a replica, and after a promotion its state no longer matches the world. \`./check-apply.sh\` refuses
while it does not (a replica of this program is a cluster of its own, or its primary is fenced): run it before every
\`cdktf deploy\` / \`terraform apply\` of this stack, in CI too. The connection entries' values are the scripts' (Terraform
ignores changes to \`${f.addresses.entryValues.join('`, `')}\`), so no apply puts the lost primary back into them.

Reconcile the state before the next apply. The lost primary and what belongs to it, and the replica, leave the state:

${stateRm(f)}

In the program, swap the regions (primary: ${f.secondaryRegion}, secondary: ${f.primaryRegion}) and name the cluster after the
promoted replica (\`postgres: { clusterName: '${f.replicaName ?? '<promoted replica>'}' }\`: DigitalOcean cannot rename a cluster),
synthesize again, then import the promoted cluster and what it carries over:

\`\`\`sh
${importLines(f, '<id of the promoted cluster>')}
terraform plan    # expect: a pool and a replica in ${f.primaryRegion} created; nothing destroyed
terraform apply${f.addresses.entryValues.map((x) => ` -replace='${x}'`).join('')}
\`\`\`

The \`-replace\` writes the entries again from the new primary's pool (port ${f.databasePort} becomes the pool's). The old primary,
if it comes back, is a stale cluster, fenced by failover.sh: keep it for forensics, then delete it by hand.

## Fail-back

Two stages, each a dry run unless \`--execute\`, each safe to run again:

1. \`./failback.sh --stage=prepare\`: checks \`${f.primaryCluster}\` is running and answers, creates the replica \`${f.postgresCluster}-${f.primaryRegion}\` of the current primary
   inside \`${f.primaryVpc}\`, trusted by the two clusters only, waits until it is \`active\`, points the lag monitor (\`${f.monitorEntry}\`) at it and
   waits until the heartbeat \`${f.secondaryCluster}\`'s \`${f.heartbeatWriter}\` writes into the current primary is replayed within the RPO target.
2. \`./failback.sh --stage=switch\`, in a maintenance window: checks the lag again, stops the writers in \`${f.secondaryCluster}\` (scaled to 0,
   the lag monitor and the heartbeat writer kept), waits until the replica has replayed a heartbeat written after that, promotes, fences the primary it leaves, points both connection entries at the new primary,
   scales both regions' writers back to what they ran with and restarts them on it, and resizes the new primary to ${f.postgresNodes} node(s).

   Then it makes the pair whole again: the replica \`${f.failback.replica}\` of the new primary in ${f.secondaryRegion}, inside \`${f.secondaryVpc}\`,
   trusted by \`${f.secondaryCluster}\` (as the replica firewall Terraform creates), and the lag monitor watches it: the RPO alert and the
   next failover's gates read it. (DigitalOcean database names are unique, and the fenced \`${current(f)}\` keeps its name until you delete it.)

## Terraform after a fail-back

\`./check-apply.sh\` refuses until the state matches again. The same addresses leave the state:

${stateRm(f)}

Keep the original region order and name what the fail-back created (\`postgres: { clusterName: '${f.failback.primary}', replicaName: '${f.failback.replica}' }\`),
synthesize again, then import them:

\`\`\`sh
${importLines(f, '<id of the new primary>')}
terraform import '${f.addresses.replica ?? '<replica address>'}' <id of the new primary>,${f.failback.replica}
terraform import '${f.addresses.replicaFirewall ?? '<replica firewall address>'}' <id of ${f.failback.replica}>
terraform plan    # expect: the pool created; nothing destroyed
terraform apply${f.addresses.entryValues.map((x) => ` -replace='${x}'`).join('')}
\`\`\`

Delete the fenced \`${current(f)}\` by hand once you no longer need it for forensics.
`;
  }

  /** The failover script (bash; dry run unless `--execute`). */
  public get failoverScript(): string {
    return _failoverScript(this.f);
  }

  /** The fail-back script, in two stages (`--stage=prepare`, then `--stage=switch` in a maintenance window). */
  public get failbackScript(): string {
    return _failbackScript(this.f);
  }

  /** Refuses a Terraform apply of the stack while a failover Terraform does not know of is in effect (exit 1). */
  public get checkApplyScript(): string {
    return _checkApplyScript(this.f);
  }

  /** Copies uploaded files to the secondary region's bucket (Spaces does not replicate across regions). */
  public get syncFilesScript(): string {
    return _syncFilesScript(this.f);
  }

  /** Copies images from the single-region registry to the fallback registry. */
  public get mirrorImagesScript(): string {
    const f = this.f;
    return `#!/usr/bin/env bash
# Mirror images from registry.digitalocean.com/${f.registry} (${f.registryRegion}) to ${f.fallbackRegistry}, so clusters can
# pull from the fallback if the registry's region is down. Generated by samokoder-infra (${f.stackName}).
# Needs crane (go-containerregistry) logged in to both registries. Run it from CI after every release.
set -euo pipefail
for repo in $(doctl registry repository list-v2 --format Name --no-header); do
  for tag in $(doctl registry repository list-tags "$repo" --format Tag --no-header); do
    crane copy "registry.digitalocean.com/${f.registry}/$repo:$tag" "${f.fallbackRegistry}/$repo:$tag"
  done
done
`;
  }

  /** The DR-drill checklist (Markdown). */
  public get drillChecklist(): string {
    const f = this.f;
    return `# DR drill checklist: ${f.host}

Run quarterly, in staging first. Record the times; they replace the estimates in the recovery model.

- [ ] Announce the drill; freeze deploys.
- [ ] Check the replica \`${f.replicaName ?? '(none)'}\` is online and note its lag.
- [ ] Start a timer; make ${f.primaryRegion} fail its health checks (scale the Gateway in \`${f.primaryCluster}\` to zero).
- [ ] Uptime alert for ${f.regionalHosts.primary} arrives (expected within ${min(f.model.steps[0].seconds)}).
- [ ] \`PrimaryRegionDown\` pages the on-call (PagerDuty) from ${f.secondaryRegion} (expected within 3 min); note when.
- [ ] Traffic to https://${f.host} is served from ${f.secondaryRegion} (expected within ${min(f.model.trafficFailoverSeconds)}).
- [ ] \`./failover.sh --force\` dry run reads right; then \`--execute\` against the drill environment.
- [ ] Writes succeed through https://${f.host}; \`pg_is_in_recovery()\` is false on the promoted cluster.
- [ ] Images pull in ${f.secondaryRegion} (registry in ${f.registryRegion}; fallback ${f.fallbackRegistry} tested).
- [ ] Total time below the RTO target (${min(f.rtoTargetSeconds)}); rows lost below the RPO target (${min(f.rpoTargetSeconds)}).
- [ ] Reconcile Terraform state; \`terraform plan\` destroys nothing.
- [ ] Fail back with \`./failback.sh\`; write up the timings.
${f.apiAccess.publicReason === undefined ? '' : `- [ ] ${publicApiRisk(f.apiAccess.publicReason)} Check whether the account has the control-plane firewall now; if so, set \`apiAllowedCidrs\`.\n`}`;
  }

  /** The plan's files: name, content and mode. */
  public get files(): Array<[string, string, number]> {
    return [
      ['runbook.md', this.runbook, 0o644],
      ['drill-checklist.md', this.drillChecklist, 0o644],
      ['failover.sh', this.failoverScript, 0o755],
      ['failback.sh', this.failbackScript, 0o755],
      ['check-apply.sh', this.checkApplyScript, 0o755],
      ['mirror-images.sh', this.mirrorImagesScript, 0o755],
      ['sync-files.sh', this.syncFilesScript, 0o755],
    ];
  }

  /** Writes the plan files into `dir` (scripts executable). */
  public writeTo(dir: string): string[] {
    const files = this.files;
    // Nothing is written when any file would carry a credential (a registry URL with user:token@, a webhook):
    // the plan is committed next to the stack.
    const leaks = files.flatMap(([name, content]) => credentialLines(content).map((line) => `${name}:${line}`));
    if (leaks.length > 0) {
      throw new ValidationError(
        `[${this.f.stackName}] the failover plan would write something shaped like a credential at ${leaks.join(', ')}: pass names and references, never secret values`,
      );
    }
    fs.mkdirSync(dir, { recursive: true });
    return files.map(([name, content, mode]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content, { mode });
      fs.chmodSync(file, mode);
      return file;
    });
  }
}

/** The accepted risk of a public Kubernetes API, as the runbook and the drill checklist write it. */
function publicApiRisk(reason: string): string {
  return `**Accepted risk**: both clusters' Kubernetes API is reachable from the whole internet (\`publicKubernetesApi\`): ${reason.replace(/\.$/, '')}.`;
}
