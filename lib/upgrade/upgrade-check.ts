/**
 * What deploying `after` over `before` would destroy (#25): two synthesized outputs compared, Terraform stack by
 * stack and the GitOps tree object by object, without any cloud or cluster. Pure: the reading of directories is in
 * output-reader.ts, the command in cli.ts. Loads neither cdktf nor cdk8s.
 */
import { STATEFUL_TYPES } from '../policy/terraform/kit';
import { REPLACEMENT_PROVIDERS, REPLACEMENT_TABLE } from './replacement-table';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized Terraform JSON and Kubernetes objects
type Json = Record<string, any>;

/** What a deploy would do to something that holds data. */
export type UpgradeAction = 'delete' | 'replace' | 'new-state' | 'stack-removed' | 'prune';

/** One thing a deploy of the new output would destroy, or might. */
export interface UpgradeFinding {
  readonly action: UpgradeAction;
  /** `<stack>/<address>`, `<stack>`, or `<Kind> <namespace>/<name>`. */
  readonly target: string;
  /** Why: the argument and its values, the backend, what Argo CD would do. */
  readonly reason: string;
  /** `<action> <target>`: what an acknowledgement names (in backticks). */
  readonly key: string;
}

/** Both engines' output of one synthesis. */
export interface SynthesizedOutput {
  /** Terraform JSON by stack name (`cdktf.out/stacks/<stack>/cdk.tf.json`). */
  readonly stacks: ReadonlyMap<string, Json>;
  /** Every Kubernetes object of the GitOps tree. */
  readonly objects: readonly Json[];
}

const finding = (action: UpgradeAction, target: string, reason: string): UpgradeFinding => ({
  action,
  target,
  reason,
  key: `${action} ${target}`,
});

/** The types whose deletion or replacement loses data: the policy pack's list, and secrets (their values). */
const STATEFUL = new Set<string>([...STATEFUL_TYPES.aws, ...STATEFUL_TYPES.digitalocean, 'aws_secretsmanager_secret']);

const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** The value at `block.attribute` (a nested block is a list of one, or an object). */
function at(resource: Json, path: string): unknown {
  let v: unknown = resource;
  for (const part of path.split('.')) {
    if (Array.isArray(v)) v = v.map((x) => (x as Json)?.[part]);
    else v = (v as Json | undefined)?.[part];
  }
  return Array.isArray(v) && v.every((x) => x === undefined) ? undefined : v;
}

function resources(stack: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [type, byName] of Object.entries<Json>(stack.resource ?? {}))
    for (const [name, r] of Object.entries<Json>(byName)) out.set(`${type}.${name}`, r);
  return out;
}

function backendOf(stack: Json): string {
  const backend: Json = stack.terraform?.backend ?? {};
  const [kind, config] = Object.entries<Json>(backend)[0] ?? ['local', { path: 'terraform.tfstate' }];
  const where = ['bucket', 'key', 'region', 'path', 'workspace_key_prefix', 'organization', 'workspaces']
    .filter((k) => config[k] !== undefined)
    .map((k) => `${k}=${typeof config[k] === 'string' ? config[k] : JSON.stringify(config[k])}`);
  return `${kind}${where.length ? ` ${where.join(' ')}` : ''}`;
}

/** Who answered for `type`: the provider and version the table was asked of. */
const provenance = (type: string): string => {
  const provider = type.startsWith('digitalocean_') ? 'digitalocean' : 'aws';
  return `terraform-provider-${provider} ${REPLACEMENT_PROVIDERS[provider]}`;
};

/** What `terraform apply` of each stack of `after` would destroy of what `before` deployed. */
export function compareTerraform(before: ReadonlyMap<string, Json>, after: ReadonlyMap<string, Json>): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  for (const [name, old] of [...before].sort(([a], [b]) => a.localeCompare(b))) {
    const now = after.get(name);
    if (!now) {
      out.push(
        finding(
          'stack-removed',
          name,
          'the stack is no longer synthesized: what it deployed stays with nothing to manage it (cdktf deploy does not see it), and its state is left behind',
        ),
      );
      continue;
    }
    const [was, is] = [backendOf(old), backendOf(now)];
    if (was !== is)
      out.push(
        finding(
          'new-state',
          name,
          `state moves from ${was} to ${is}: Terraform starts there from an empty state and creates a second environment beside the one it no longer manages`,
        ),
      );
    const moved = new Map<string, string>(((now.moved ?? []) as Json[]).map((m) => [m.from, m.to]));
    const forgotten = new Set<string>(((now.removed ?? []) as Json[]).filter((r) => r.lifecycle?.destroy === false).map((r) => r.from));
    const nowResources = resources(now);
    for (const [address, r] of resources(old)) {
      const type = address.slice(0, address.indexOf('.'));
      if (!STATEFUL.has(type) || forgotten.has(address)) continue;
      const target = `${name}/${address}`;
      const next = nowResources.get(moved.get(address) ?? address);
      if (!next) {
        const brake = r.lifecycle?.prevent_destroy ? ' (prevent_destroy makes the plan fail instead)' : '';
        out.push(finding('delete', target, `gone from the configuration: Terraform destroys it${brake}`));
        continue;
      }
      const reasons = replacementReasons(type, r, next);
      const brake = r.lifecycle?.prevent_destroy ? ' (prevent_destroy makes the plan fail instead)' : '';
      if (reasons.length) out.push(finding('replace', target, `${reasons.join('; ')}${brake}`));
    }
  }
  return out;
}

/** Why the provider would replace `before` by `after` (empty: it would update in place, or leave it). */
function replacementReasons(type: string, before: Json, after: Json): string[] {
  const table = REPLACEMENT_TABLE[type];
  const skip = new Set(['lifecycle', 'depends_on', 'provider', 'count', 'for_each', '//', 'timeouts']);
  if (!table) {
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !skip.has(k) && !same(before[k], after[k]));
    return changed.length ? [`${changed.join(', ')} changed; ${type} was not asked of its provider: check with terraform plan`] : [];
  }
  const forced = table.replace
    .filter((p) => !same(at(before, p), at(after, p)))
    .map((p) => `${p}: ${show(at(before, p))} → ${show(at(after, p))} forces replacement (${provenance(type)})`);
  const maybe = table.unprobed
    .filter((p) => !table.replace.includes(p) && !same(before[p], after[p]))
    .map(
      (p) =>
        `${p}: ${show(before[p])} → ${show(after[p])} may force replacement (the provider could not be asked: check with terraform plan)`,
    );
  return [...forced, ...maybe];
}

const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const keeps = (o: Json): boolean => String(o.metadata?.annotations?.[SYNC_OPTIONS] ?? '').includes('Prune=false');
const idOf = (o: Json): string => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
const cascades = (o: Json): boolean =>
  ((o.metadata?.finalizers ?? []) as string[]).some((f) => f.startsWith('resources-finalizer.argocd.argoproj.io'));
const sourceOf = (a: Json): string => canonical({ source: a.spec?.source, sources: a.spec?.sources, destination: a.spec?.destination });

/**
 * Immutable fields of the data-holding kinds: Kubernetes refuses an update of them (ValidateStatefulSetUpdate and
 * ValidatePersistentVolumeClaimUpdate, kubernetes/kubernetes pkg/apis/{apps,core}/validation/validation.go), so Argo
 * CD's sync fails, or, with Replace=true or Force=true, deletes the object and creates it again.
 */
const IMMUTABLE: Record<string, readonly string[]> = {
  StatefulSet: ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy'],
  PersistentVolumeClaim: ['storageClassName', 'accessModes', 'volumeName', 'selector', 'volumeMode'],
};

/** Why Argo CD's pruning of a data-holding object loses data. */
function pruneReason(o: Json): string | undefined {
  switch (o.kind) {
    case 'Namespace':
      return 'Argo CD prunes the namespace, and Kubernetes deletes everything in it';
    case 'PersistentVolumeClaim':
      return 'Argo CD prunes the claim; its volume is deleted with it under the usual reclaim policy Delete';
    case 'StatefulSet':
      return `Argo CD prunes it and its pods${o.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? ', and its claims (whenDeleted: Delete)' : '; its claims stay'}`;
    case 'CustomResourceDefinition':
      return `Argo CD prunes the CRD, and Kubernetes deletes every ${o.spec?.names?.kind ?? 'object'} in the cluster with it`;
    case 'Application':
      return cascades(o)
        ? `its app of apps prunes it, and its finalizer deletes everything it deployed to ${o.spec?.destination?.namespace ?? 'its destination'}`
        : 'its app of apps prunes it; what it deployed stays, unmanaged';
    default:
      return undefined;
  }
}

/** What Argo CD, syncing `after` where `before` was, would prune or replace among data-holding objects. */
export function compareKubernetes(before: readonly Json[], after: readonly Json[]): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  const now = new Map(after.map((o) => [idOf(o), o]));
  const seen = new Set<string>();
  for (const o of before) {
    const id = idOf(o);
    if (seen.has(id)) continue;
    seen.add(id);
    const next = now.get(id);
    const why = pruneReason(o);
    if (!why) continue;
    if (!next) {
      if (!keeps(o)) out.push(finding('prune', id, why));
      continue;
    }
    const immutable = (IMMUTABLE[o.kind] ?? []).filter((f) => !same(o.spec?.[f], next.spec?.[f]));
    if (immutable.length)
      out.push(
        finding(
          'replace',
          id,
          `${immutable.join(', ')} changed, which Kubernetes does not update: the sync fails, or Replace=true deletes and re-creates it`,
        ),
      );
    if (o.kind === 'Application' && sourceOf(o) !== sourceOf(next) && next.spec?.syncPolicy?.automated?.prune)
      out.push(
        finding(
          'prune',
          id,
          `it now deploys ${show(next.spec?.source?.path ?? next.spec?.sources)} to ${show(next.spec?.destination?.namespace)} (was ${show(o.spec?.source?.path ?? o.spec?.sources)} to ${show(o.spec?.destination?.namespace)}): with automated prune, what it deployed from the old source that the new one lacks is deleted`,
        ),
      );
  }
  return out;
}

/** Both comparisons, in a stable order. */
export function compareOutputs(before: SynthesizedOutput, after: SynthesizedOutput): UpgradeFinding[] {
  return [...compareTerraform(before.stacks, after.stacks), ...compareKubernetes(before.objects, after.objects)];
}

/** The findings `text` acknowledges: each whose key it quotes in backticks (`` `delete stack/address` ``). */
export function acknowledgedIn(findings: readonly UpgradeFinding[], text: string): Set<string> {
  const quoted = new Set([...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1].trim()));
  return new Set(findings.filter((f) => quoted.has(f.key)).map((f) => f.key));
}
