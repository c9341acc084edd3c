import { PlatformContract } from '../common/contract';
import { Ipv4Cidr } from '../common/cidr';
import { ValidationError } from '../common/errors';
import { GATEWAY_ACCESS_LABEL_VALUE, gatewayAccessLabel } from '../common/gateway-access';
import { SECRET_STORE_ACCESS_LABEL_VALUE, secretStoreAccessLabel } from '../common/store-access';
import { ClusterPlatform } from './cluster-platform';
import { _checkDnsWiring } from './external-dns';
import { _checkIdentityEgress } from './identity-egress';
import { _checkKeyRotationWiring } from './platform-cloud';
import { promqlLookbackDays } from './promql-lookback';

export { promqlLookbackDays };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
type K8sObject = Record<string, any>;

/** Names a cluster's manifests use that neither the cloud stack nor the platform layer produces, on purpose. */
export interface ExternalNames {
  /** Secret-store entries created outside the stack. @default [] */
  readonly secretEntries?: string[];
  /** Secret stores, GatewayClasses or ClusterIssuers installed outside the platform layer. @default [] */
  readonly clusterObjects?: string[];
  /** Namespaces that exist in the cluster without being in the output (other teams'). @default [] */
  readonly namespaces?: string[];
}

/** What one cluster is made of, on both engines. */
export interface PlatformWiringInput {
  /** The cluster's name (for messages). */
  readonly cluster: string;
  /** The cloud stack's contract (Terraform side). */
  readonly contract: PlatformContract;
  /** The cluster's platform layer. */
  readonly platform: ClusterPlatform;
  /** Every object the cluster's apps synthesize (rendered manifests). */
  readonly objects: readonly K8sObject[];
  /** @default - nothing external */
  readonly external?: ExternalNames;
}

const ref = (o: K8sObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => Ipv4Cidr.parse('wiring', 'private', c));
/** The EKS Pod Identity agent's link-local address: produced by the cluster itself. */
const NODE_LOCAL = ['169.254.170.23/32'];
/**
 * Checks every name one side of a cluster consumes against what the other side produces: secret entries and stores,
 * the secret controller's cloud identity, GatewayClass and ClusterIssuer, the Gateway, listener, certificate hosts and
 * backend ports of each route, the hosts external-dns keeps and its token, the IAM user whose store key the platform
 * rotates (outside AWS), the namespaces network policies admit, the data tier's CIDRs and ports, the Prometheus
 * selector and the metric retention the rules need. One line per mismatch.
 */
export function checkPlatformWiring(input: PlatformWiringInput): string[] {
  const { contract: c, platform: p, objects, cluster } = input;
  const ext = input.external ?? {};
  const out: string[] = [];
  const problem = (o: K8sObject, what: string) => out.push(`[wiring ${cluster}] ${ref(o)}: ${what}`);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const entries = new Set([...c.secretEntries, ...(ext.secretEntries ?? [])]);
  const clusterObjects = new Set([p.secretStore.name, p.gatewayClassName, p.issuerName, ...(ext.clusterObjects ?? [])]);

  const namespaceObjects = new Map<string, K8sObject>(of('Namespace').map((n) => [n.metadata.name, n]));
  const externalNamespaces = new Set(ext.namespaces ?? []);
  /** The labels of a namespace as the API server sees them, or undefined when made outside the output. */
  const labelsOf = (ns: string): Record<string, string> | undefined => {
    const o = namespaceObjects.get(ns);
    if (!o) return externalNamespaces.has(ns) ? undefined : { 'kubernetes.io/metadata.name': ns };
    return { ...(o.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': ns };
  };
  // Secrets: every store and entry an ExternalSecret reads exists, and the platform's store admits its namespace.
  for (const es of of('ExternalSecret')) {
    const store = es.spec?.secretStoreRef ?? {};
    if (store.kind === 'ClusterSecretStore' && !clusterObjects.has(store.name)) {
      problem(
        es,
        `reads from ClusterSecretStore "${store.name}", which the platform layer does not create (it creates "${p.secretStore.name}")`,
      );
    } else if (store.kind === 'ClusterSecretStore' && store.name === p.secretStore.name) {
      const ns = es.metadata?.namespace;
      const key = secretStoreAccessLabel(store.name);
      const labels = labelsOf(ns);
      if (labels && labels[key] !== SECRET_STORE_ACCESS_LABEL_VALUE) {
        problem(
          es,
          `namespace "${ns}" may not read through ClusterSecretStore "${store.name}", which admits namespaces labelled ${key}=${SECRET_STORE_ACCESS_LABEL_VALUE}: ` +
            `${namespaceObjects.has(ns) ? `"${ns}" does not carry it` : `the output does not create "${ns}"`}, so nothing would sync ` +
            `(create the namespace with AppNamespace's secretStoreAccess: ['${store.name}'], or let ProductionApp create it)`,
        );
      }
    }
    const keys = [
      ...(es.spec?.data ?? []).map((d: K8sObject) => d.remoteRef?.key),
      ...(es.spec?.dataFrom ?? []).map((d: K8sObject) => d.extract?.key),
    ];
    for (const key of new Set(keys.filter(Boolean))) {
      if (!entries.has(key))
        problem(
          es,
          `reads store entry "${key}", which the stack does not create (it creates: ${[...c.secretEntries].join(', ')}); create it or declare it external`,
        );
    }
  }
  // The secret controller can read them: its service account has a cloud identity (on AWS, through Pod Identity).
  if (p.cloud.name === 'aws' && of('ExternalSecret').length > 0) {
    const sa = p.externalSecretsServiceAccount;
    if (!c.podIdentities.some((i) => i.namespace === sa.namespace && i.serviceAccount === sa.name)) {
      out.push(
        `[wiring ${cluster}] External Secrets runs as ${sa.namespace}/${sa.name}, which has no cloud identity in the stack: no secret would sync`,
      );
    }
  }
  // Where the store reads with a key (DigitalOcean), the platform rotates the key of the reader the stack made.
  out.push(..._checkKeyRotationWiring(c.secretsReader?.iamUser, p.cloud).map((d) => `[wiring ${cluster}] ${d}`));
  // Routing: GatewayClass, issuer, Gateway, listener, hosts on the certificate, backend ports.
  const gateways = of('Gateway');
  for (const g of gateways) {
    if (!clusterObjects.has(g.spec?.gatewayClassName))
      problem(g, `names GatewayClass "${g.spec?.gatewayClassName}", which the platform layer does not create ("${p.gatewayClassName}")`);
  }
  const certificates = of('Certificate');
  for (const cert of certificates) {
    const issuer = cert.spec?.issuerRef ?? {};
    if ((issuer.kind ?? 'Issuer') === 'ClusterIssuer' && !clusterObjects.has(issuer.name)) {
      problem(cert, `is issued by ClusterIssuer "${issuer.name}", which the platform layer does not create ("${p.issuerName}")`);
    }
  }
  for (const route of of('HTTPRoute')) {
    const ns = route.metadata?.namespace;
    for (const parent of route.spec?.parentRefs ?? []) {
      const gwNs = parent.namespace ?? ns;
      const g = gateways.find((x) => x.metadata.name === parent.name && x.metadata.namespace === gwNs);
      if (!g && parent.name === p.gateway.name && gwNs === p.gateway.namespace) {
        // The platform's shared Gateway, written by another repository: a PlatformGateway, which admits routes of the
        // namespaces that carry its label.
        const key = gatewayAccessLabel(parent.name);
        const labels = labelsOf(ns);
        if (labels && labels[key] !== GATEWAY_ACCESS_LABEL_VALUE) {
          problem(
            route,
            `namespace "${ns}" is not admitted by the platform's Gateway ${gwNs}/${parent.name}, which admits namespaces labelled ${key}=${GATEWAY_ACCESS_LABEL_VALUE}: ` +
              `${namespaceObjects.has(ns) ? `"${ns}" does not carry it` : `the output does not create "${ns}"`}, so the route would never attach ` +
              `(create the namespace with AppNamespace's gatewayAccess: ['${parent.name}'], or let ProductionApp create it)`,
          );
        }
        continue;
      }
      if (!g) {
        problem(route, `attaches to Gateway ${gwNs}/${parent.name}, which the output does not create`);
        continue;
      }
      const listener = (g.spec.listeners ?? []).find((l: K8sObject) => parent.sectionName === undefined || l.name === parent.sectionName);
      if (!listener) {
        problem(route, `names listener "${parent.sectionName}" of ${ref(g)}, which has none of that name`);
        continue;
      }
      // Without a sectionName a route attaches to every listener that admits it: refused only when none does.
      const refused = admission(listener, ns, g.metadata.namespace, labelsOf(ns));
      const elsewhere =
        parent.sectionName === undefined &&
        (g.spec.listeners ?? []).some((l: K8sObject) => !admission(l, ns, g.metadata.namespace, labelsOf(ns)));
      if (refused && !elsewhere) problem(route, `namespace "${ns}" is not admitted by ${ref(g)} listener "${listener.name}": ${refused}`);
      const certName = listener.tls?.certificateRefs?.[0]?.name;
      if (certName) {
        const cert = certificates.find((x) => x.metadata.namespace === g.metadata.namespace && x.spec?.secretName === certName);
        const covered = new Set<string>(cert?.spec?.dnsNames ?? []);
        for (const host of route.spec?.hostnames ?? []) {
          if (!covered.has(host)) problem(route, `serves "${host}" on ${ref(g)}, whose certificate (${certName}) does not cover it`);
        }
      }
    }
    for (const rule of route.spec?.rules ?? []) {
      for (const b of rule.backendRefs ?? []) {
        if ((b.kind ?? 'Service') !== 'Service') continue;
        const svc = of('Service').find((s) => s.metadata.name === b.name && s.metadata.namespace === (b.namespace ?? ns));
        if (!svc) problem(route, `sends traffic to Service ${b.namespace ?? ns}/${b.name}, which the output does not create`);
        else if (!(svc.spec?.ports ?? []).some((port: K8sObject) => port.port === b.port)) {
          problem(
            route,
            `sends traffic to port ${b.port} of Service ${b.name}, which exposes ${(svc.spec?.ports ?? []).map((x: K8sObject) => x.port).join(', ')}`,
          );
        }
      }
    }
  }
  out.push(...checkEntry(input, gateways, of('HTTPRoute')), ..._checkDnsWiring(cluster, p.cloud._dns, p.gateway, entries, of('HTTPRoute')));
  out.push(..._checkIdentityEgress(c.podIdentities, objects).map((d) => `[wiring ${cluster}] ${d}`));
  // Network policies: admitted namespaces exist; private egress goes to the data tier on its ports.
  const namespaces = new Set([
    ...of('Namespace').map((n) => n.metadata.name),
    ...p.components.map((x) => x.spec.namespace),
    'kube-system',
    ...(ext.namespaces ?? []),
  ]);
  for (const np of of('NetworkPolicy')) {
    const peers = [
      ...(np.spec?.ingress ?? []).flatMap((r: K8sObject) => r.from ?? []),
      ...(np.spec?.egress ?? []).flatMap((r: K8sObject) => r.to ?? []),
    ];
    for (const peer of peers) {
      const name = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      if (name && !namespaces.has(name)) problem(np, `admits namespace "${name}", which neither the output nor the platform layer creates`);
    }
    for (const rule of np.spec?.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const cidr = peer.ipBlock?.cidr;
        if (!cidr || NODE_LOCAL.includes(cidr)) continue;
        // Data tiers are ranges of the stacks' IPv4 VPCs: an IPv6 block (checked where it was declared) is not one.
        const block = Ipv4Cidr.tryParse(cidr);
        if (!block || !PRIVATE.some((r) => r.contains(block))) continue;
        const ports: number[] = (rule.ports ?? []).map((x: K8sObject) => x.port);
        const tier = c.dataTier.find((t) => t.cidrs.includes(cidr) && ports.every((port) => port === t.port));
        if (!tier) {
          const offered = c.dataTier.map((t) => `${t.name} ${t.cidrs.join(' ')} :${t.port}`).join('; ');
          problem(
            np,
            `allows egress to ${cidr} on ${ports.join(', ') || 'every port'}, which is not a data tier of the stack (${offered})`,
          );
        }
      }
    }
  }
  // Connection settings without a way to the data tier: the pods would read where the database is and be blocked by
  // the namespace's default deny (the app was built from the contract without its data tier's dependencies).
  const reaches = new Set(
    of('NetworkPolicy').flatMap((np) =>
      (np.spec?.egress ?? []).flatMap((rule: K8sObject) =>
        (rule.to ?? []).flatMap((peer: K8sObject) =>
          (rule.ports ?? []).map((x: K8sObject) => `${np.metadata?.namespace}|${peer.ipBlock?.cidr}|${x.port}`),
        ),
      ),
    ),
  );
  for (const es of of('ExternalSecret')) {
    const ns = es.metadata?.namespace;
    const keys = [
      ...(es.spec?.data ?? []).map((d: K8sObject) => d.remoteRef?.key),
      ...(es.spec?.dataFrom ?? []).map((d: K8sObject) => d.extract?.key),
    ];
    if (!keys.includes(c.connectionSecretName) || c.dataTier.length === 0) continue;
    if (!c.dataTier.some((t) => t.cidrs.some((cidr) => reaches.has(`${ns}|${cidr}|${t.port}`)))) {
      const tiers = c.dataTier.map((t) => `${t.name} ${t.cidrs.join(' ')} :${t.port}`).join('; ');
      problem(
        es,
        `reads the connection settings ("${c.connectionSecretName}"), but no NetworkPolicy in "${ns}" allows egress to the data tier (${tiers}): the default deny would block the database (add Dependency.dataTier(contract) to the app's dependencies)`,
      );
    }
  }
  // Monitoring: Prometheus selects the objects, and keeps metrics as long as the rules look back.
  for (const o of [...of('ServiceMonitor'), ...of('PrometheusRule')]) {
    for (const [k, v] of Object.entries(p.prometheusSelector)) {
      if (o.metadata?.labels?.[k] !== v) problem(o, `lacks the label ${k}=${v} Prometheus selects by: it would be ignored`);
    }
  }
  for (const rule of of('PrometheusRule')) {
    const lookback = Math.max(
      0,
      ...(rule.spec?.groups ?? []).flatMap((g: K8sObject) => g.rules.map((r: K8sObject) => promqlLookbackDays(String(r.expr)))),
    );
    if (lookback > p.prometheusRetentionDays) {
      problem(
        rule,
        `looks back ${Math.round(lookback * 10) / 10} days, but Prometheus keeps ${p.prometheusRetentionDays} (prometheus.retentionDays of the platform layer)`,
      );
    }
  }
  return out;
}

/**
 * Why a listener does not admit routes of namespace `ns` (Gateway API `allowedRoutes.namespaces`), or undefined when
 * it does or cannot be known (a namespace made outside the output: `labels` undefined).
 */
function admission(listener: K8sObject, ns: string, gatewayNs: string, labels: Record<string, string> | undefined): string | undefined {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return undefined;
  if (from === 'Same') return ns === gatewayNs ? undefined : `it admits routes of its own namespace only ("${gatewayNs}")`;
  if (labels === undefined) return undefined;
  const selector = listener.allowedRoutes?.namespaces?.selector ?? {};
  const wanted: string[] = [];
  let admitted = true;
  for (const [k, v] of Object.entries<string>(selector.matchLabels ?? {})) {
    wanted.push(`${k}=${v}`);
    if (labels[k] !== v) admitted = false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const values: string[] = e.values ?? [];
    wanted.push(`${e.key} ${e.operator}${values.length ? ` (${values.join(', ')})` : ''}`);
    const has = e.key in labels;
    const ok =
      e.operator === 'In'
        ? has && values.includes(labels[e.key])
        : e.operator === 'NotIn'
          ? !has || !values.includes(labels[e.key])
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) admitted = false;
  }
  if (admitted) return undefined;
  const key = Object.keys(selector.matchLabels ?? {}).find((k) => k.startsWith(gatewayAccessLabel('')));
  const missing = key && labels[key] !== selector.matchLabels[key];
  return (
    `it admits namespaces with ${wanted.join(' and ')}, so the route would never attach` +
    (missing
      ? ` (label the namespace ${key}=${selector.matchLabels[key]}: AppNamespace's gatewayAccess, or let ProductionApp create it)`
      : '')
  );
}

/** Does a route rule send `path` somewhere (not a redirect)? */
function servesPath(route: K8sObject, path: string): boolean {
  return (route.spec?.rules ?? []).some((rule: K8sObject) => {
    if ((rule.filters ?? []).some((f: K8sObject) => f.type === 'RequestRedirect') || (rule.backendRefs ?? []).length === 0) return false;
    const matches: K8sObject[] = rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }];
    return matches.some((m) => {
      const p = m.path ?? { type: 'PathPrefix', value: '/' };
      if (p.type === 'Exact') return p.value === path;
      if (p.type === 'PathPrefix') return p.value === '/' || path === p.value || path.startsWith(`${p.value.replace(/\/$/, '')}/`);
      return false;
    });
  });
}

/**
 * The entry the stack built (load balancer, certificate, uptime checks) against the gateway that receives it: the
 * NodePort the proxies' Service pins, a listener of the right protocol behind it, the health probe routed, every
 * served host one the entry uses, and the global host answering its health path.
 */
function checkEntry(input: PlatformWiringInput, gateways: K8sObject[], routes: K8sObject[]): string[] {
  const entry = input.contract.entry;
  if (!entry) return [];
  const out: string[] = [];
  const at = `[wiring ${input.cluster}]`;
  const pinned = input.platform.cloud.nodeEntry;
  if (!pinned) {
    out.push(`${at} the load balancer forwards to NodePort ${entry.nodePort}, but the platform layer's cloud pins no NodePort`);
  } else if (pinned.nodePort !== entry.nodePort || pinned.listenerPort !== entry.listenerPort) {
    out.push(
      `${at} the load balancer forwards to NodePort ${entry.nodePort} (listener port ${entry.listenerPort}), but the proxies' Service pins ${pinned.nodePort} (listener port ${pinned.listenerPort})`,
    );
  }
  const listeners = gateways.flatMap((g) => (g.spec?.listeners ?? []).map((l: K8sObject) => ({ g, l })));
  const found = listeners.find((x) => x.l.port === entry.listenerPort);
  if (!found) {
    out.push(`${at} no Gateway listens on port ${entry.listenerPort}, where NodePort ${entry.nodePort} arrives`);
    return out;
  }
  const listenerRef = `${ref(found.g)} listener "${found.l.name}"`;
  const wanted = entry.tlsTermination === 'loadBalancer' ? 'HTTP' : 'HTTPS';
  if (found.l.protocol !== wanted) {
    out.push(
      `${at} ${listenerRef} speaks ${found.l.protocol}, but TLS ends at the ${entry.tlsTermination === 'loadBalancer' ? 'load balancer' : 'gateway'}: it must be ${wanted}`,
    );
  }
  const on = routes.filter((r) =>
    (r.spec?.parentRefs ?? []).some(
      (pr: K8sObject) =>
        pr.name === found.g.metadata.name &&
        (pr.namespace ?? r.metadata?.namespace) === found.g.metadata.namespace &&
        (pr.sectionName === undefined || pr.sectionName === found.l.name),
    ),
  );
  if (!on.some((r) => (r.spec?.hostnames ?? []).length === 0 && servesPath(r, entry.healthPath))) {
    out.push(
      `${at} the load balancer probes ${entry.healthPath} on NodePort ${entry.nodePort} (any Host), but no route without host names on ${listenerRef} serves it: the region would be taken out (set AppRouting.gateway({ loadBalancerHealthPath }) on one app)`,
    );
  }
  const hosts = new Set(entry.hosts);
  for (const r of routes) {
    for (const h of r.spec?.hostnames ?? []) {
      if (!hosts.has(h)) {
        out.push(
          `${at} ${ref(r)}: serves "${h}", which the entry's load balancer, certificate and uptime checks do not use (they use ${entry.hosts.join(', ')})`,
        );
      }
    }
  }
  const main = entry.hosts[0];
  if (!on.some((r) => (r.spec?.hostnames ?? []).includes(main) && servesPath(r, entry.publicHealthPath))) {
    out.push(
      `${at} the global load balancer and uptime checks request https://${main}${entry.publicHealthPath}, which no route on ${listenerRef} serves`,
    );
  }
  return out;
}

/** {@link checkPlatformWiring}, throwing one error that lists every mismatch. */
export function assertPlatformWiring(input: PlatformWiringInput): void {
  const problems = checkPlatformWiring(input);
  if (problems.length > 0) throw new ValidationError(`the two engines do not fit together:\n${problems.join('\n')}`);
}
