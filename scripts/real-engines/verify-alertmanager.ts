/**
 * The Alertmanager stage of `npm run verify:alerts`: per cluster, the AlertmanagerConfig objects Argo CD syncs are
 * turned into the configuration prometheus-operator generates for the cluster's Alertmanager (alertmanager-config.ts),
 * on top of the kube-prometheus-stack chart's own `alertmanager.config` with the values the platform layer sets, and
 * Alertmanager's own loader judges it (`amtool check-config`, amtool.ts). Before that, what the operator would drop or
 * reject without telling Alertmanager is a finding too: a config its selectors do not select, a Secret reference
 * nothing in the cluster provides.
 *
 * `tsx scripts/real-engines/verify-alertmanager.ts [dist]` runs the stage alone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { AmConfig, convertAlertmanagerConfigs, MatcherStrategy, missingSecrets, providedSecrets, selects } from './alertmanager-config';
import { ensureAmtool } from './amtool';
import { preparedChart } from './charts';
import { REPO, run } from './engines';
import { clustersOf, K8sObject as Obj, planCluster } from './gitops';

/** What the stage needs to know of one cluster. */
export interface ClusterAlerting {
  readonly cluster: string;
  readonly alertmanagerConfigs: Obj[];
  /** Labels of each Namespace the cluster's Applications create. */
  readonly namespaceLabels: Record<string, Record<string, string>>;
  /** Everything the cluster's Applications apply (for the Secret references). */
  readonly objects: Obj[];
  /** The chart's `alertmanager.config` merged with the Application's values. */
  readonly base: AmConfig;
  /** The Alertmanager's namespace (the kube-prometheus-stack Application's destination). */
  readonly alertmanagerNamespace: string;
  /** null: the operator reads only the Alertmanager's own namespace. */
  readonly namespaceSelector: Obj | null;
  readonly configSelector: Obj;
  readonly strategy: MatcherStrategy;
}

/** Helm's value merge: maps merge key by key, anything else replaces, null deletes. */
export function mergeValues(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] && !Array.isArray(out[k]))
      out[k] = mergeValues(out[k], v);
    else out[k] = v;
  }
  return out;
}

/** The clusters' alerting inputs as Argo CD would sync them from `dist` (only clusters with AlertmanagerConfigs). */
export function clusterAlerting(dist: string): { clusters: ClusterAlerting[]; problems: string[] } {
  const clusters: ClusterAlerting[] = [];
  const problems: string[] = [];
  for (const cluster of clustersOf(dist)) {
    // The GitOps repository is laid out like this one: Application paths (`dist/<env>/<app>`) resolve against the
    // directory holding dist/, so a copy elsewhere is read whole.
    const plan = planCluster(path.dirname(dist), dist, cluster);
    const objects = plan.applications.flatMap((a) => a.objects);
    const alertmanagerConfigs = objects.filter((o) => o.kind === 'AlertmanagerConfig');
    if (alertmanagerConfigs.length === 0) continue;
    const stack = plan.applications.find((a) => a.origin === 'helm' && a.application.spec?.source?.chart === 'kube-prometheus-stack');
    if (!stack) {
      problems.push(
        `${cluster}: ${alertmanagerConfigs.length} AlertmanagerConfigs, but no kube-prometheus-stack Application runs an Alertmanager`,
      );
      continue;
    }
    const source = stack.application.spec.source;
    const chartValues = YAML.parse(
      fs.readFileSync(path.join(preparedChart('kube-prometheus-stack', source.targetRevision), 'values.yaml'), 'utf8'),
    );
    let values = chartValues as Obj;
    if (source.helm?.values) values = mergeValues(values, YAML.parse(source.helm.values) ?? {});
    if (source.helm?.valuesObject) values = mergeValues(values, source.helm.valuesObject);
    const spec = values.alertmanager?.alertmanagerSpec ?? {};
    // templates/alertmanager/secret.yaml writes `alertmanager.config` as the base; these replace it with something
    // that cannot be read here (an existing Secret, a template string, a global AlertmanagerConfig).
    const replaced = [
      spec.useExistingSecret && 'alertmanagerSpec.useExistingSecret',
      values.alertmanager?.tplConfig && values.alertmanager?.stringConfig && 'stringConfig',
      spec.alertmanagerConfiguration?.name && 'alertmanagerSpec.alertmanagerConfiguration',
    ].filter(Boolean);
    if (replaced.length > 0) {
      problems.push(`${cluster}: the Alertmanager's base configuration comes from ${replaced.join(', ')}, which the check does not model`);
      continue;
    }
    const nsSelector = spec.alertmanagerConfigNamespaceSelector;
    const cfgSelector = spec.alertmanagerConfigSelector;
    clusters.push({
      cluster,
      alertmanagerConfigs,
      namespaceLabels: Object.fromEntries(
        objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]),
      ),
      objects,
      base: values.alertmanager?.config ?? {},
      alertmanagerNamespace: stack.application.spec.destination?.namespace ?? 'default',
      // templates/alertmanager/alertmanager.yaml: the namespace selector as given (null when unset); an empty
      // config selector is written as `{}`, which selects every AlertmanagerConfig.
      namespaceSelector: nsSelector ?? null,
      configSelector: cfgSelector && Object.keys(cfgSelector).length > 0 ? cfgSelector : {},
      strategy: spec.alertmanagerConfigMatcherStrategy?.type ?? 'OnNamespace',
    });
  }
  return { clusters, problems };
}

export interface Judged {
  readonly problems: string[];
  readonly configs: number;
  readonly receivers: number;
  readonly routes: number;
  /** Critical alerts Alertmanager's router sent to a PagerDuty receiver. */
  readonly paged: number;
}

/** Converts one cluster's AlertmanagerConfigs and has amtool check the result (written to `file`). */
export function judgeCluster(amtool: string, c: ClusterAlerting, file: string): Judged {
  const problems: string[] = [];
  const selected = c.alertmanagerConfigs.filter((amc) => {
    const ns = String(amc.metadata?.namespace ?? '');
    const nsOk = c.namespaceSelector === null ? ns === c.alertmanagerNamespace : selects(c.namespaceSelector, c.namespaceLabels[ns]);
    const ok = nsOk && selects(c.configSelector, amc.metadata?.labels ?? {});
    if (!ok) {
      problems.push(
        `AlertmanagerConfig ${ns}/${amc.metadata?.name}: not selected by the Alertmanager ` +
          `(${nsOk ? 'its labels do not match alertmanagerConfigSelector' : `namespace "${ns}" does not match alertmanagerConfigNamespaceSelector`}): its routes would never be used`,
      );
    }
    return ok;
  });
  const converted = convertAlertmanagerConfigs(c.base, selected, { alertmanagerNamespace: c.alertmanagerNamespace, strategy: c.strategy });
  problems.push(...converted.problems);
  problems.push(
    ...missingSecrets(converted.secrets, providedSecrets(c.objects)).map((p) => `${p}: the operator would reject the AlertmanagerConfig`),
  );
  fs.writeFileSync(file, YAML.stringify(converted.config));
  const r = run(amtool, ['check-config', file]);
  if (r.status !== 0) {
    // amtool prints what it read and why it refused it; the file holds placeholders only, never a Secret's value.
    const why = (r.stdout + r.stderr).match(/FAILED: (.*)/)?.[1] ?? (r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ');
    problems.push(`amtool check-config refused the generated configuration: ${why}`);
  }
  const criticals = r.status === 0 ? unpagedCriticals(amtool, c, file, converted.config) : { problems: [], paged: 0 };
  problems.push(...criticals.problems);
  return { problems, configs: selected.length, receivers: converted.receivers, routes: converted.routes, paged: criticals.paged };
}

/**
 * Every critical alert the cluster's rules raise in a namespace with alert routing must reach a PagerDuty receiver:
 * Alertmanager's own router decides (`amtool config routes test` on the generated configuration, with the alert's
 * labels and the namespace label a namespaced rule carries). A critical alert that lands on Slack or the chart's
 * null receiver pages nobody (#26: a DR primary outage must page).
 */
function unpagedCriticals(amtool: string, c: ClusterAlerting, file: string, config: AmConfig): { problems: string[]; paged: number } {
  const paging = new Set(((config.receivers ?? []) as Obj[]).filter((r) => (r.pagerduty_configs ?? []).length > 0).map((r) => r.name));
  const routed = new Set(c.alertmanagerConfigs.map((amc) => String(amc.metadata?.namespace ?? '')));
  const problems: string[] = [];
  let paged = 0;
  for (const pr of c.objects.filter((o) => o.kind === 'PrometheusRule')) {
    for (const rule of (pr.spec?.groups ?? []).flatMap((g: Obj) => g.rules ?? [])) {
      if (!rule.alert || rule.labels?.severity !== 'critical') continue;
      const labels: Record<string, string> = { namespace: String(pr.metadata?.namespace ?? ''), ...rule.labels, alertname: rule.alert };
      if (!routed.has(labels.namespace)) continue;
      const r = run(amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
      const receivers = r.stdout
        .trim()
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (receivers.some((x) => paging.has(x))) paged++;
      else {
        problems.push(
          `critical alert ${labels.alertname} (${labels.namespace}) reaches ${receivers.join(', ') || 'no receiver'}, no PagerDuty receiver: it pages nobody`,
        );
      }
    }
  }
  return { problems, paged };
}

/** One defect to seed: a name, how it breaks a copy of a cluster's inputs, and the refusal it must meet. */
interface Defect {
  readonly name: string;
  readonly seed: (c: ClusterAlerting) => ClusterAlerting;
  /** A finding must match this (a refusal for another reason does not count). */
  readonly refusal: RegExp;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
function withFirstConfig(c: ClusterAlerting, change: (amc: Obj) => void): ClusterAlerting {
  const configs = clone(c.alertmanagerConfigs);
  change(configs[0]);
  return { ...c, alertmanagerConfigs: configs };
}

/**
 * The stage's own test: each defect is seeded into a copy of a real cluster's inputs and must be refused; otherwise
 * the stage cannot fail and proves nothing. (A zero repeat interval in an AlertmanagerConfig is not among them: the
 * operator drops it, amcfg.go convertToNonZeroDuration, and the route inherits its parent's; the unit tests pin that.
 * Alertmanager's refusal of a zero repeat interval is seeded into the chart's top route instead.)
 */
export const DEFECTS: readonly Defect[] = [
  {
    name: 'a route naming a receiver that does not exist',
    seed: (c) => withFirstConfig(c, (amc) => (amc.spec.route.routes[0].receiver = 'no-such-receiver')),
    refusal: /amtool .*undefined receiver ".*\/no-such-receiver" used in route/,
  },
  {
    name: 'a matcher whose regular expression does not compile',
    seed: (c) =>
      withFirstConfig(c, (amc) => (amc.spec.route.routes[0].matchers = [{ name: 'severity', matchType: '=~', value: 'critical(' }])),
    refusal: /amtool .*error parsing regexp/,
  },
  {
    name: 'a route muted by a time interval that is not defined',
    seed: (c) => withFirstConfig(c, (amc) => (amc.spec.route.routes[0].muteTimeIntervals = ['no-such-interval'])),
    refusal: /amtool .*undefined time interval ".*\/no-such-interval"/,
  },
  {
    name: 'an inhibit rule whose matcher does not parse',
    seed: (c) =>
      withFirstConfig(
        c,
        (amc) => (amc.spec.inhibitRules = [{ sourceMatch: [{ name: 'severity', matchType: '=~', value: '[' }], targetMatch: [] }]),
      ),
    refusal: /amtool .*error parsing regexp/,
  },
  {
    name: "the chart's top route with a repeat interval of 0",
    seed: (c) => ({ ...c, base: { ...clone(c.base), route: { ...clone(c.base.route), repeat_interval: '0s' } } }),
    refusal: /amtool .*repeat_interval cannot be zero/,
  },
  {
    name: 'a Secret reference to a key nothing in the cluster provides',
    seed: (c) =>
      withFirstConfig(c, (amc) => {
        const r = amc.spec.receivers.find((x: Obj) => x.slackConfigs || x.pagerdutyConfigs);
        (r.slackConfigs ?? r.pagerdutyConfigs)[0][r.slackConfigs ? 'apiURL' : 'routingKey'].key = 'no-such-key';
      }),
    refusal: /has no key "no-such-key"/,
  },
  {
    name: 'critical alerts routed to Slack instead of PagerDuty',
    seed: (c) => withFirstConfig(c, (amc) => (amc.spec.route.routes[0].receiver = 'slack')),
    refusal: /critical alert \S+ \(\S+\) reaches .*no PagerDuty receiver/,
  },
  {
    name: 'an AlertmanagerConfig in a namespace the Alertmanager does not select',
    seed: (c) => withFirstConfig(c, (amc) => (amc.metadata.namespace = 'not-selected')),
    refusal: /not-selected\/.*: not selected by the Alertmanager/,
  },
];

export interface StageResult {
  readonly failed: number;
  readonly summary: string;
}

/** Runs the stage: every cluster judged, then the seeded defects. Logs as it goes. */
export function verifyAlertmanager(dist: string, log: (m: string) => void, error: (m: string) => void): StageResult {
  const amtool = ensureAmtool(log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-alertmanager-'));
  let failed = 0;
  const totals = { clusters: 0, configs: 0, receivers: 0, routes: 0, paged: 0 };
  try {
    const { clusters, problems } = clusterAlerting(dist);
    for (const p of problems) error(`✗ ${p}`);
    failed += problems.length;
    for (const c of clusters) {
      const j = judgeCluster(amtool, c, path.join(dir, `${c.cluster}.alertmanager.yaml`));
      for (const p of j.problems) error(`✗ ${c.cluster}: ${p}`);
      log(
        `alertmanager ${c.cluster}: ${j.problems.length === 0 ? 'accepted' : 'REFUSED'} (${j.configs} AlertmanagerConfigs, ${j.receivers} receivers, ${j.routes} routes)`,
      );
      if (j.problems.length > 0) failed++;
      totals.clusters++;
      totals.configs += j.configs;
      totals.receivers += j.receivers;
      totals.routes += j.routes;
      totals.paged += j.paged;
    }
    let missed = 0;
    const target = clusters[0];
    if (!target) {
      error('self-test: no cluster with an AlertmanagerConfig to break');
      missed++;
    } else {
      for (const d of DEFECTS) {
        const j = judgeCluster(amtool, d.seed(target), path.join(dir, 'self-test.alertmanager.yaml'));
        const hit = j.problems.find((p) => d.refusal.test(p));
        if (!hit) {
          error(
            `self-test: ${d.name}: let through${j.problems.length ? ` (refused only for other reasons: ${j.problems.join('; ')})` : ''}`,
          );
          missed++;
        } else log(`self-test: ${d.name}: refused (${hit})`);
      }
    }
    failed += missed;
    return {
      failed,
      summary:
        `Alertmanager ${run(amtool, ['--version'])
          .stdout.split('\n')[0]
          .replace(/^amtool, version (\S+).*/, '$1')}: ` +
        `${totals.clusters} clusters, ${totals.configs} AlertmanagerConfigs, ${totals.receivers} receivers, ${totals.routes} routes checked, ${totals.paged} critical alerts routed to PagerDuty; ` +
        `self-test ${DEFECTS.length} seeded defects${missed ? `, ${missed} let through` : ''}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const dist = path.resolve(process.argv[2] ?? path.join(REPO, 'dist'));
  const r = verifyAlertmanager(dist, console.log, console.error);
  console.log(`verify:alertmanager: ${r.failed === 0 ? 'passed' : `${r.failed} failed`}: ${r.summary}`);
  if (r.failed > 0) process.exit(1);
}
