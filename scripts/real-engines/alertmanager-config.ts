/**
 * The Alertmanager configuration prometheus-operator generates from a cluster's AlertmanagerConfig objects
 * (monitoring.coreos.com/v1alpha1), so Alertmanager's own loader (`amtool check-config`) can judge it. Pure
 * functions; the run is in verify-alerts.ts.
 *
 * Modelled on prometheus-operator v0.93.0 (the appVersion of kube-prometheus-stack 88.0.0), pkg/alertmanager:
 * - amcfg.go `AddAlertmanagerConfigs`: the configs in `<namespace>/<name>` order; each one's route becomes a sub-route
 *   of the top route, placed before the top route's own sub-routes; its receivers, mute time intervals and inhibit
 *   rules are appended to the base configuration (the chart's `alertmanager.config`);
 * - amcfg.go `getEnforcer`, `namespaceEnforcer`, `continueToNextRoute`: with the default matcher strategy
 *   (`OnNamespace`) the sub-route gets the matcher `namespace="<ns>"` and `continue: true`, and each inhibit rule
 *   gets `namespace="<ns>"` in its source and target matchers (a `namespace` key in the old match maps is dropped);
 * - amcfg.go `convertRoute`, `convertInhibitRule`, `convertMatchersV2`, `makeNamespacedString`: receiver and time
 *   interval names are prefixed `<namespace>/<name>/`; matchers become `name<op>"value"` strings (apis/monitoring/
 *   v1alpha1/alertmanager_config_types.go `Matcher.String`, value escaped as OpenMetrics does);
 * - amcfg.go `route.sanitize`, `convertToNonZeroDuration`: a zero group or repeat interval is dropped (the route then
 *   inherits its parent's), it is not passed on to Alertmanager;
 * - amcfg.go `convertSlackConfig`, `convertPagerdutyConfig`, `convertWebhookConfig`: Secret references are read from
 *   the Secret. Here they become placeholders of the shape Alertmanager checks (a URL where it wants a URL), never
 *   a real value: the check needs no Secret, and dist/ holds only references.
 * - operator.go `selectAlertmanagerConfigs`: an AlertmanagerConfig counts only when the Alertmanager's namespace
 *   selector selects its namespace and its config selector selects it; one left out routes nothing, so it is a
 *   finding here. The operator also rejects a config whose Secret it cannot read (`checkReceivers`): each reference
 *   must name a Secret key something in the cluster provides (an ExternalSecret, a Secret).
 *
 * Receiver kinds the library does not emit are not converted: a config using one is reported, not passed.
 */
import type { K8sObject as Obj } from './gitops';

/** Alertmanager's configuration (the YAML amtool reads), as plain data. */
export type AmConfig = Obj;

/** What an AlertmanagerConfig's Secret reference resolves to in the generated file. */
export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

/** How the Alertmanager scopes AlertmanagerConfigs (Alertmanager CRD `alertmanagerConfigMatcherStrategy.type`). */
export type MatcherStrategy = 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None';

export interface ConvertOptions {
  /** The Alertmanager's namespace (for `OnNamespaceExceptForAlertmanagerNamespace`). */
  readonly alertmanagerNamespace: string;
  /** @default 'OnNamespace' (the operator's default when the chart leaves it empty) */
  readonly strategy?: MatcherStrategy;
}

export interface Converted {
  readonly config: AmConfig;
  /** Every Secret reference met, in order (each became a placeholder). */
  readonly secrets: SecretRef[];
  /** What could not be converted (a receiver kind not modelled), by AlertmanagerConfig. */
  readonly problems: string[];
  readonly receivers: number;
  /** Routes of the AlertmanagerConfigs, nested ones included. */
  readonly routes: number;
}

/** `<namespace>/<name>/<in>` (amcfg.go makeNamespacedString). */
export function namespaced(namespace: string, name: string, value: string): string {
  return value === '' ? '' : `${namespace}/${name}/${value}`;
}

/** A matcher as the operator writes it (Matcher.String; openMetricsEscape). */
export function matcherString(m: { name: string; value?: string; matchType?: string; regex?: boolean }): string {
  const value = (m.value ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  const op = m.matchType || (m.regex ? '=~' : '=');
  return `${m.name}${op}"${value}"`;
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** True for a Prometheus duration that parses as zero ("0", "0s", "0h0m"). */
export function isZeroDuration(d: string): boolean {
  if (d === '0') return true;
  const m = DURATION.exec(d);
  return !!m && d !== '' && m.slice(1).every((n) => n === undefined || Number(n) === 0);
}

/** amcfg.go convertToNonZeroDuration: a zero duration is dropped; anything else is passed on for Alertmanager. */
function nonZero(d: unknown): string | undefined {
  if (d === undefined || d === null || d === '') return undefined;
  return isZeroDuration(String(d)) ? undefined : String(d);
}

/** Drops undefined, empty arrays and empty maps, as the operator's `omitempty` YAML tags do. */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/**
 * The placeholder for a Secret value: a URL for fields Alertmanager parses as one (Slack `api_url`, webhook `url`),
 * else a token. Names the reference, never a value.
 */
export function placeholder(ref: SecretRef, kind: 'url' | 'token'): string {
  const id = [ref.namespace, ref.name, ref.key].map(encodeURIComponent).join('/');
  return kind === 'url' ? `https://secret-placeholder.invalid/${id}` : `secret-placeholder:${id}`;
}

interface Context {
  readonly namespace: string;
  readonly name: string;
  readonly secrets: SecretRef[];
  readonly problems: string[];
}

function secret(ctx: Context, sel: Obj | undefined, kind: 'url' | 'token'): string | undefined {
  if (!sel) return undefined;
  const ref: SecretRef = { namespace: ctx.namespace, name: String(sel.name ?? ''), key: String(sel.key ?? '') };
  ctx.secrets.push(ref);
  return placeholder(ref, kind);
}

/** amcfg.go convertRoute (plus route.sanitize's zero durations), without the namespace enforcement. */
function convertRoute(ctx: Context, r: Obj, count: { routes: number }): Obj {
  count.routes++;
  const p = (v: string) => namespaced(ctx.namespace, ctx.name, v);
  return compact({
    receiver: r.receiver ? p(r.receiver) : undefined,
    group_by: r.groupBy,
    matchers: (r.matchers ?? []).map(matcherString),
    continue: r.continue === true,
    routes: (r.routes ?? []).map((c: Obj) => convertRoute(ctx, c, count)),
    group_wait: r.groupWait || undefined,
    group_interval: nonZero(r.groupInterval),
    repeat_interval: nonZero(r.repeatInterval),
    mute_time_intervals: (r.muteTimeIntervals ?? []).map(p),
    active_time_intervals: (r.activeTimeIntervals ?? []).map(p),
  });
}

const ROUTE_KEYS = ['receiver', 'group_by', 'matchers', 'continue', 'routes', 'group_wait', 'group_interval', 'repeat_interval'];

/** A route's keys in the operator's order (types.go `route`), the rest after them. */
function convertRouteOrder(r: Obj): Obj {
  const keys = [...ROUTE_KEYS.filter((k) => k in r), ...Object.keys(r).filter((k) => !ROUTE_KEYS.includes(k))];
  return compact(Object.fromEntries(keys.map((k) => [k, r[k]])));
}

/** HTTP client settings (amcfg.go convertHTTPConfig) are not modelled: the library sets none. */
function httpConfig(ctx: Context, h: Obj | undefined): undefined {
  if (h) ctx.problems.push('httpConfig is not modelled by the converter');
  return undefined;
}

/** amcfg.go convertSlackConfig (the fields AlertmanagerConfig v1alpha1 has, in the operator's YAML order). */
function slack(ctx: Context, s: Obj): Obj {
  return compact({
    send_resolved: s.sendResolved,
    http_config: httpConfig(ctx, s.httpConfig),
    api_url: secret(ctx, s.apiURL, 'url'),
    channel: s.channel,
    username: s.username,
    color: s.color,
    title: s.title,
    title_link: s.titleLink,
    pretext: s.pretext,
    text: s.text,
    fields: s.fields,
    short_fields: s.shortFields,
    footer: s.footer,
    fallback: s.fallback,
    callback_id: s.callbackId,
    icon_emoji: s.iconEmoji,
    icon_url: s.iconURL,
    image_url: s.imageURL,
    thumb_url: s.thumbURL,
    link_names: s.linkNames,
    mrkdwn_in: s.mrkdwnIn,
    actions: s.actions,
    timeout: s.timeout,
  });
}

/** amcfg.go convertPagerdutyConfig. */
function pagerDuty(ctx: Context, p: Obj): Obj {
  return compact({
    send_resolved: p.sendResolved,
    http_config: httpConfig(ctx, p.httpConfig),
    service_key: secret(ctx, p.serviceKey, 'token'),
    routing_key: secret(ctx, p.routingKey, 'token'),
    url: p.url,
    client: p.client,
    client_url: p.clientURL,
    description: p.description,
    details: p.details ? Object.fromEntries((p.details as Obj[]).map((d) => [d.key, d.value])) : undefined,
    severity: p.severity,
    class: p.class,
    component: p.component,
    group: p.group,
    source: p.source,
    timeout: p.timeout,
  });
}

/** amcfg.go convertWebhookConfig. */
function webhook(ctx: Context, w: Obj): Obj {
  return compact({
    send_resolved: w.sendResolved,
    url: w.urlSecret ? secret(ctx, w.urlSecret, 'url') : w.url,
    http_config: httpConfig(ctx, w.httpConfig),
    max_alerts: w.maxAlerts,
    timeout: w.timeout,
  });
}

const CONVERTERS: Record<string, [string, (ctx: Context, c: Obj) => Obj]> = {
  pagerdutyConfigs: ['pagerduty_configs', pagerDuty],
  slackConfigs: ['slack_configs', slack],
  webhookConfigs: ['webhook_configs', webhook],
};

/** amcfg.go convertReceiver, for the kinds in CONVERTERS; any other kind is reported. */
function convertReceiver(ctx: Context, r: Obj): Obj {
  const out: Obj = { name: namespaced(ctx.namespace, ctx.name, String(r.name ?? '')) };
  for (const [k, v] of Object.entries(r)) {
    if (k === 'name') continue;
    const c = CONVERTERS[k];
    if (!c) {
      ctx.problems.push(`receiver "${r.name}": ${k} is not modelled by the converter`);
      continue;
    }
    if (Array.isArray(v) && v.length > 0) out[c[0]] = v.map((x: Obj) => c[1](ctx, x));
  }
  return out;
}

/** amcfg.go convertInhibitRule. */
function convertInhibitRule(rule: Obj): Obj {
  return compact({
    target_matchers: (rule.targetMatch ?? []).map(matcherString),
    source_matchers: (rule.sourceMatch ?? []).map(matcherString),
    equal: rule.equal,
  });
}

/** amcfg.go convertMuteTimeInterval (field names as Alertmanager's timeinterval package writes them). */
function convertTimeInterval(ctx: Context, m: Obj): Obj {
  return {
    name: namespaced(ctx.namespace, ctx.name, String(m.name ?? '')),
    time_intervals: (m.timeIntervals ?? []).map((t: Obj) =>
      compact({
        times: (t.times ?? []).map((x: Obj) => ({ start_time: x.startTime, end_time: x.endTime })),
        weekdays: t.weekdays,
        days_of_month: (t.daysOfMonth ?? []).map((d: Obj) => (d.end === undefined ? `${d.start}` : `${d.start}:${d.end}`)),
        months: t.months,
        years: t.years,
      }),
    ),
  };
}

/** Sorted by `<namespace>/<name>`, the operator's order (sortutil.SortedKeys). */
function byKey(configs: readonly Obj[]): Obj[] {
  const key = (o: Obj) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return [...configs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The Alertmanager configuration the operator generates from `base` (the chart's `alertmanager.config`) and the
 * AlertmanagerConfigs it selected. `base` is not changed.
 */
export function convertAlertmanagerConfigs(base: AmConfig, configs: readonly Obj[], options: ConvertOptions): Converted {
  const config = JSON.parse(JSON.stringify(base)) as AmConfig;
  const strategy = options.strategy ?? 'OnNamespace';
  const secrets: SecretRef[] = [];
  const problems: string[] = [];
  const count = { routes: 0 };
  let receivers = 0;
  const subRoutes: Obj[] = [];
  for (const amc of byKey(configs)) {
    const namespace = String(amc.metadata?.namespace ?? '');
    const name = String(amc.metadata?.name ?? '');
    const local: string[] = [];
    const ctx: Context = { namespace, name, secrets, problems: local };
    // getEnforcer: None passes through; ...ExceptForAlertmanagerNamespace skips the Alertmanager's own namespace.
    const enforce =
      strategy === 'OnNamespace' ||
      (strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && namespace !== options.alertmanagerNamespace);
    const ns = matcherString({ name: 'namespace', value: namespace, matchType: '=' });
    for (const rule of amc.spec?.inhibitRules ?? []) {
      const r = convertInhibitRule(rule);
      if (enforce) {
        // namespaceEnforcer.processInhibitRule: `contains` compares with spaces removed.
        const has = (list: string[] | undefined) => (list ?? []).some((m) => m.replace(/ /g, '') === ns);
        if (!has(r.source_matchers)) r.source_matchers = [...(r.source_matchers ?? []), ns];
        if (!has(r.target_matchers)) r.target_matchers = [...(r.target_matchers ?? []), ns];
      }
      (config.inhibit_rules ??= []).push(r);
    }
    // "Skip early if there's no route definition": receivers and intervals of a route-less config are not added.
    if (!amc.spec?.route) continue;
    const route = convertRoute(ctx, amc.spec.route, count);
    // Rebuilt so the keys keep the operator's field order (types.go `route`) in the written file.
    subRoutes.push(convertRouteOrder({ ...route, matchers: enforce ? [...(route.matchers ?? []), ns] : route.matchers, continue: true }));
    for (const r of amc.spec.receivers ?? []) {
      (config.receivers ??= []).push(convertReceiver(ctx, r));
      receivers++;
    }
    for (const m of amc.spec.muteTimeIntervals ?? []) (config.mute_time_intervals ??= []).push(convertTimeInterval(ctx, m));
    problems.push(...local.map((p) => `AlertmanagerConfig ${namespace}/${name}: ${p}`));
  }
  config.route = { ...config.route, routes: [...subRoutes, ...(config.route?.routes ?? [])] };
  return { config, secrets, problems, receivers, routes: count.routes };
}

/** A Kubernetes label selector (matchLabels and matchExpressions) against labels. */
export function selects(selector: Obj | null | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Where a Secret key can come from in a cluster: `<namespace>/<secret>` → its keys, or `*` when any key may. */
export function providedSecrets(objects: readonly Obj[]): Map<string, Set<string>> {
  const provided = new Map<string, Set<string>>();
  const add = (ns: string, name: string, keys: string[]) => {
    const k = `${ns}/${name}`;
    const set = provided.get(k) ?? new Set<string>();
    keys.forEach((x) => set.add(x));
    provided.set(k, set);
  };
  for (const o of objects) {
    const ns = String(o.metadata?.namespace ?? '');
    if (o.kind === 'Secret' && o.apiVersion === 'v1') add(ns, o.metadata.name, Object.keys({ ...o.data, ...o.stringData }));
    if (o.kind === 'ExternalSecret') {
      const keys = (o.spec?.data ?? []).map((d: Obj) => String(d.secretKey));
      // dataFrom or a template writes keys that cannot be known offline.
      if (o.spec?.dataFrom?.length || o.spec?.target?.template) keys.push('*');
      add(ns, o.spec?.target?.name ?? o.metadata.name, keys);
    }
    if (o.kind === 'SealedSecret') add(ns, o.spec?.template?.metadata?.name ?? o.metadata.name, Object.keys(o.spec?.encryptedData ?? {}));
  }
  return provided;
}

/** The Secret references nothing in the cluster provides, as findings. */
export function missingSecrets(refs: readonly SecretRef[], provided: Map<string, Set<string>>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of refs) {
    const id = `${r.namespace}/${r.name}/${r.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const keys = provided.get(`${r.namespace}/${r.name}`);
    if (!keys) out.push(`Secret ${r.namespace}/${r.name} (key "${r.key}") is provided by no Secret or ExternalSecret in the cluster`);
    else if (!keys.has(r.key) && !keys.has('*'))
      out.push(`Secret ${r.namespace}/${r.name} has no key "${r.key}" (provided: ${[...keys].sort().join(', ')})`);
  }
  return out;
}
