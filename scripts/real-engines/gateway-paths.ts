/**
 * The paths traffic takes through a Gateway, checked offline: does an HTTPRoute attach to the listener it names
 * (Gateway API v1.6.1 apis/v1/gateway_types.go AllowedRoutes: `from` Same/All/Selector, kinds), and may the proxy
 * pods (their real labels, see controller-objects.ts) reach every backend's pods on the port the Service targets
 * (Envoy Gateway sends to the endpoints, pod IP and target port), under the NetworkPolicies of both namespaces
 * (network-policy.ts)?
 */
import { K8sObject, podTemplates } from './gitops';
import { connectionAllowed, Endpoint, selectorMatches } from './network-policy';
import { rolloutTemplate } from './scheduling';

const labelsOf = (ns: K8sObject | undefined, name: string): Record<string, string> => ({
  ...(ns?.metadata?.labels ?? {}),
  'kubernetes.io/metadata.name': name,
});

/** Why `route` does not attach to each of its parentRefs (empty: it attaches to all). */
export function routeAttachment(route: K8sObject, objects: K8sObject[], namespaces: K8sObject[]): string[] {
  const problems: string[] = [];
  const routeNs = route.metadata.namespace;
  for (const parent of route.spec?.parentRefs ?? []) {
    if ((parent.kind ?? 'Gateway') !== 'Gateway') continue;
    const gwNs = parent.namespace ?? routeNs;
    const gateway = objects.find((o) => o.kind === 'Gateway' && o.metadata?.name === parent.name && o.metadata?.namespace === gwNs);
    if (!gateway) {
      problems.push(`parent Gateway ${gwNs}/${parent.name} does not exist`);
      continue;
    }
    const listeners: K8sObject[] = (gateway.spec?.listeners ?? []).filter(
      (l: K8sObject) => (!parent.sectionName || l.name === parent.sectionName) && (parent.port === undefined || l.port === parent.port),
    );
    if (listeners.length === 0) {
      problems.push(`Gateway ${gwNs}/${parent.name} has no listener ${parent.sectionName ?? `on port ${parent.port}`}`);
      continue;
    }
    const why = listeners.map((l) => listenerRefusal(l, gateway, route, namespaces));
    if (why.every(Boolean)) problems.push(why.filter(Boolean).join('; '));
  }
  return problems;
}

function listenerRefusal(listener: K8sObject, gateway: K8sObject, route: K8sObject, namespaces: K8sObject[]): string | undefined {
  const where = `listener ${listener.name} of Gateway ${gateway.metadata.namespace}/${gateway.metadata.name}`;
  const kinds: K8sObject[] = listener.allowedRoutes?.kinds ?? [];
  if (kinds.length && !kinds.some((k) => k.kind === route.kind && (k.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io'))
    return `${where} does not allow kind ${route.kind}`;
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  const routeNs = route.metadata.namespace;
  if (from === 'Same' && routeNs !== gateway.metadata.namespace) return `${where} admits routes of its own namespace only, not ${routeNs}`;
  if (from === 'Selector') {
    const ns = namespaces.find((n) => n.metadata?.name === routeNs);
    if (!selectorMatches(listener.allowedRoutes.namespaces.selector ?? {}, labelsOf(ns, routeNs)))
      return `${where} admits namespaces by selector ${JSON.stringify(listener.allowedRoutes.namespaces.selector)}; ${routeNs} does not match`;
  }
  const hostname: string | undefined = listener.hostname;
  const hosts: string[] = route.spec?.hostnames ?? [];
  const hostOk = (h: string) => !hostname || h === hostname || (hostname.startsWith('*.') && h.endsWith(hostname.slice(1)));
  if (hostname && hosts.length && !hosts.some(hostOk)) return `${where} serves ${hostname}, the route none of ${hosts.join(', ')}`;
  return undefined;
}

/** A pod a Service may send to: its namespace, labels and container ports. */
export interface PodShape {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ports: Record<string, number>;
  readonly from: string;
}

/** The pods our workloads (and bare Pods, such as a solver) run, as the API would see them. */
export function podShapes(objects: K8sObject[]): PodShape[] {
  const shape = (owner: K8sObject, template: K8sObject): PodShape => ({
    namespace: owner.metadata.namespace,
    labels: template.metadata?.labels ?? {},
    ports: Object.fromEntries(
      [...(template.spec?.containers ?? [])]
        .flatMap((c: K8sObject) => c.ports ?? [])
        .filter((p: K8sObject) => p.name)
        .map((p: K8sObject) => [p.name, p.containerPort]),
    ),
    from: `${owner.kind}/${owner.metadata.namespace}/${owner.metadata.name ?? owner.metadata.generateName}`,
  });
  const out = podTemplates(objects).map(({ owner, template }) => shape(owner, template));
  for (const r of objects.filter((o) => o.kind === 'Rollout' && o.spec?.workloadRef)) {
    const t = rolloutTemplate(r, objects);
    if (t) out.push(shape(r, t));
  }
  for (const p of objects.filter((o) => o.kind === 'Pod')) out.push(shape(p, p));
  return out;
}

/**
 * Every (route, backend) of the Gateways the proxies serve that the proxies may not reach: the backend Service's
 * target port on each pod it selects, with the NetworkPolicies of both ends. Returns the problems and the number of
 * paths checked.
 */
export function proxyPaths(
  objects: K8sObject[],
  proxies: Array<{ gateway: string; endpoint: Endpoint }>,
  namespaces: K8sObject[],
): { problems: string[]; checked: number } {
  const problems: string[] = [];
  let checked = 0;
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const pods = podShapes(objects);
  for (const route of objects.filter((o) => o.kind === 'HTTPRoute')) {
    const routeName = `HTTPRoute/${route.metadata.namespace}/${route.metadata.name ?? route.metadata.generateName}`;
    for (const parent of route.spec?.parentRefs ?? []) {
      const gw = `${parent.namespace ?? route.metadata.namespace}/${parent.name}`;
      for (const proxy of proxies.filter((p) => p.gateway === gw)) {
        for (const rule of route.spec?.rules ?? []) {
          for (const backend of rule.backendRefs ?? []) {
            if ((backend.kind ?? 'Service') !== 'Service' || (backend.group ?? '') !== '') continue;
            const ns = backend.namespace ?? route.metadata.namespace;
            const service = objects.find((o) => o.kind === 'Service' && o.metadata?.name === backend.name && o.metadata?.namespace === ns);
            if (!service) {
              problems.push(`${routeName}: backend Service ${ns}/${backend.name} does not exist`);
              continue;
            }
            const servicePort = (service.spec?.ports ?? []).find((p: K8sObject) => p.port === backend.port);
            if (!servicePort) {
              problems.push(`${routeName}: Service ${ns}/${backend.name} has no port ${backend.port}`);
              continue;
            }
            const selected = pods.filter(
              (p) => p.namespace === ns && service.spec?.selector && selectorMatches({ matchLabels: service.spec.selector }, p.labels),
            );
            if (selected.length === 0) problems.push(`${routeName}: Service ${ns}/${backend.name} selects no pod of ours`);
            for (const pod of selected) {
              const target = servicePort.targetPort ?? servicePort.port;
              const port = typeof target === 'number' ? target : pod.ports[target];
              if (port === undefined) {
                problems.push(`${routeName}: ${pod.from} has no container port named ${target}`);
                continue;
              }
              checked++;
              const to: Endpoint = {
                namespace: ns,
                namespaceLabels: labelsOf(
                  namespaces.find((n) => n.metadata?.name === ns),
                  ns,
                ),
                labels: pod.labels,
                ports: pod.ports,
              };
              const verdict = connectionAllowed(policies, proxy.endpoint, to, port, servicePort.protocol ?? 'TCP');
              if (!verdict.allowed)
                problems.push(
                  `${routeName}: the proxies of Gateway ${gw} (${proxy.endpoint.namespace}) cannot reach ${pod.from} on port ${port}: ${verdict.why}`,
                );
            }
          }
        }
      }
    }
  }
  return { problems, checked };
}

/** The proxy pods' endpoint (namespace with its labels, pod labels) of each Deployment Envoy Gateway makes. */
export function proxyEndpoints(envoyObjects: K8sObject[], namespaces: K8sObject[]): Array<{ gateway: string; endpoint: Endpoint }> {
  return envoyObjects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => {
      const labels = d.spec.template.metadata.labels;
      const ns = d.metadata.namespace;
      return {
        gateway: `${labels['gateway.envoyproxy.io/owning-gateway-namespace']}/${labels['gateway.envoyproxy.io/owning-gateway-name']}`,
        endpoint: {
          namespace: ns,
          namespaceLabels: labelsOf(
            namespaces.find((n) => n.metadata?.name === ns),
            ns,
          ),
          labels,
        },
      };
    });
}
