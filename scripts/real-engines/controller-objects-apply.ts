/**
 * verify:k8s, the objects the controllers create on our behalf (modelled in controller-objects.ts) put through the
 * API server after the sync, the way each controller sends them: Envoy Gateway by server-side apply, cert-manager by
 * create with generateName, each as the controller's ServiceAccount (impersonated, so the charts' RBAC is checked
 * too) when its chart is among the objects. Admission (PodSecurity, ResourceQuota, LimitRange) judges them; their
 * pods then go through the scheduling check with ours. The paths the proxies serve are checked against the
 * NetworkPolicies (gateway-paths.ts), and each solver HTTPRoute must attach to its listener.
 */
import { ControlPlane } from './control-plane';
import {
  acmeSolverObjects,
  certManagerSettings,
  CERT_MANAGER,
  ENVOY_GATEWAY,
  envoyGatewaySettings,
  envoyProxyObjects,
  proxyDisruption,
} from './controller-objects';
import { sleep } from './engines';
import { proxyEndpoints, proxyPaths, routeAttachment } from './gateway-paths';
import { K8sObject, ref } from './gitops';

/** Waits until every ResourceQuota of `namespaces` has been counted by the quota controller (admission needs it). */
async function quotasCounted(cp: ControlPlane, namespaces: string[], seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const pending: string[] = [];
    for (const ns of namespaces) {
      const items = await cp.client.list('', 'ResourceQuota', { namespace: ns }).catch(() => [] as K8sObject[]);
      if (items.some((q) => Object.entries(q.spec?.hard ?? {}).some(([k, v]) => q.status?.hard?.[k] !== v))) pending.push(ns);
    }
    if (pending.length === 0 || Date.now() > deadline) return;
    await sleep(500);
  }
}

export interface ControllerResult {
  readonly problems: string[];
  /** What was applied, for the cluster's summary line. */
  readonly summary: string;
  readonly unmodelled: string[];
}

async function namespacesOf(cp: ControlPlane): Promise<K8sObject[]> {
  return cp.client.list('', 'Namespace').catch(() => [] as K8sObject[]);
}

/**
 * Applies what Envoy Gateway and cert-manager would create for `objects` (the cluster's synced output, charts
 * rendered) and checks the paths. `options.dryRun`: the solver objects are only dry-run (the self-test).
 */
export async function applyControllerObjects(
  cp: ControlPlane,
  objects: K8sObject[],
  options: { dryRun?: boolean } = {},
): Promise<ControllerResult> {
  const problems: string[] = [];
  const eg = envoyGatewaySettings(objects);
  const envoy = envoyProxyObjects(objects, eg);
  problems.push(...proxyDisruption(envoy.objects));
  // The owner's uid, as the controller sets it (an ownerReference to an object that does not exist is collected).
  const withOwners: K8sObject[] = [];
  for (const o of envoy.objects) {
    const owner = o.metadata.ownerReferences[0];
    const found = await cp.client
      .get('gateway.networking.k8s.io', owner.kind, owner.kind === 'Gateway' ? o.metadata.namespace : undefined, owner.name)
      .catch(() => undefined);
    const uid = found?.metadata?.uid;
    withOwners.push({
      ...o,
      metadata: { ...o.metadata, ownerReferences: uid ? [{ ...owner, uid, controller: true, blockOwnerDeletion: true }] : undefined },
    });
  }
  if (withOwners.length) {
    // kubectl apply --server-side --field-manager=envoy-gateway [--as=<its ServiceAccount>] (kube-client.ts).
    const r = await cp.client.apply(withOwners, { fieldManager: 'envoy-gateway', as: eg.identity });
    for (const w of r.warnings) problems.push(`Envoy Gateway's proxy objects: server warning: ${w}`);
    if (!r.ok) problems.push(`Envoy Gateway's proxy objects${eg.identity ? ` (as ${eg.identity})` : ''}: refused: ${r.error}`);
  }
  const cm = certManagerSettings(objects);
  const solvers = acmeSolverObjects(objects, cm);
  await quotasCounted(cp, [...new Set(solvers.map((s) => s.pod.metadata.namespace as string))]);
  const made: K8sObject[] = [];
  const create = async (o: K8sObject, what: string): Promise<K8sObject | undefined> => {
    // kubectl create [--dry-run=server] [--as=<its ServiceAccount>] -o json (kube-client.ts).
    const r = await cp.client.create([o], { dryRun: options.dryRun, as: cm.identity });
    for (const w of r.warnings) problems.push(`${what}: server warning: ${w}`);
    if (!r.ok) {
      problems.push(`${what}${cm.identity ? ` (as ${cm.identity})` : ''}: refused: ${r.error}`);
      return undefined;
    }
    const created = r.objects[0];
    made.push(created);
    return created;
  };
  for (const s of solvers) {
    const where = `cert-manager's HTTP-01 solver for ${s.host} (Certificate ${s.certificate.metadata.namespace}/${s.certificate.metadata.name})`;
    await create(s.pod, `${where}: Pod`);
    const service = await create(s.service, `${where}: Service (type ${s.service.spec.type})`);
    if (s.route) await create(s.route(service?.metadata?.name ?? 'cm-acme-http-solver-unnamed'), `${where}: HTTPRoute`);
  }
  // Paths: every route the proxies serve (ours and the solvers'), each route's attachment, with the server's namespaces.
  const namespaces = await namespacesOf(cp);
  const all = [...objects, ...envoy.objects, ...made];
  const proxies = proxyEndpoints(envoy.objects, namespaces);
  // Every route to a Gateway with proxies must attach (ours and the solvers').
  const routes = all.filter(
    (o) =>
      o.kind === 'HTTPRoute' &&
      (o.spec?.parentRefs ?? []).some((p: K8sObject) =>
        proxies.some((x) => x.gateway === `${p.namespace ?? o.metadata.namespace}/${p.name}`),
      ),
  );
  for (const route of routes)
    for (const p of routeAttachment(route, all, namespaces))
      problems.push(`${ref(route)}${made.includes(route) ? " (cert-manager's solver route)" : ''} does not attach: ${p}`);
  const paths = proxyPaths(all, proxies, namespaces);
  problems.push(...paths.problems);
  const count = (kind: string, list: K8sObject[]) => list.filter((o) => o.kind === kind).length;
  const gateways = count('Deployment', envoy.objects);
  return {
    problems,
    summary:
      `controller-made: Envoy Gateway ${envoy.objects.length} objects for ${gateways} Gateway${gateways === 1 ? '' : 's'}` +
      `${eg.identity ? ` (as ${eg.identity.split(':').pop()})` : ''}, cert-manager ${count('Pod', made)} solver pods, ${count('Service', made)} Services, ` +
      `${count('HTTPRoute', made)} HTTPRoutes for ${solvers.length} hosts${cm.identity ? ` (as ${cm.identity.split(':').pop()})` : ''}; ` +
      `${routes.length} routes attached, ${paths.checked} proxy → backend paths admitted by the NetworkPolicies`,
    unmodelled: [...envoy.unmodelled, ...solvers.flatMap((s) => (s.unmodelled ? [s.unmodelled] : []))],
  };
}

/** The controller-made pods and where they landed (after the scheduling check). */
export async function controllerPodsPlaced(cp: ControlPlane): Promise<string> {
  const count = async (labelSelector: string) => {
    const pods = await cp.client.list('', 'Pod', { labelSelector }).catch(() => [] as K8sObject[]);
    return `${pods.filter((p) => p.spec?.nodeName).length}/${pods.length}`;
  };
  const proxy = Object.entries(ENVOY_GATEWAY.proxyLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `controller-made pods scheduled: Envoy proxies ${await count(proxy)}, ACME solvers ${await count(`${CERT_MANAGER.solverLabel}=true`)}`;
}

/**
 * The check's own test (verify:k8s self-test): the output with the defects fixed in e78d8ed put back, and two more,
 * must be caught. `objects`: the plan's objects (no charts rendered); `cp` has the CRDs installed.
 */
export async function controllerSelfTest(
  cp: ControlPlane,
  objects: K8sObject[],
  log: (m: string) => void,
): Promise<{ problems: string[]; cases: number }> {
  const problems: string[] = [];
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));
  const cert = objects.find((o) => o.kind === 'Certificate' && o.apiVersion?.startsWith('cert-manager.io/'));
  const ns: string | undefined = cert?.metadata?.namespace;
  if (!cert || !ns) return { problems: ['[self-test] controller objects: the output has no Certificate to solve'], cases: 5 };
  const setup = objects.filter(
    (o) =>
      (o.kind === 'Namespace' && o.metadata.name === ns) ||
      (['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Gateway'].includes(o.kind) && o.metadata?.namespace === ns),
  );
  const r = await cp.client.apply(setup, { force: true });
  if (!r.ok) return { problems: [`[self-test] controller objects: could not apply ${ns}'s objects: ${r.error}`], cases: 5 };
  const expect = (name: string, found: string[], pattern: RegExp) => {
    const caught = found.find((p) => pattern.test(p));
    if (!caught)
      problems.push(`[self-test] ${name}: the checker let it through${found.length ? ` (it found: ${found[0].slice(0, 200)})` : ''}`);
    else log(`  self-test: ${name}: caught (${caught.slice(0, 400)}${caught.length > 400 ? '…' : ''})`);
  };
  const noProxies = objects.filter((o) => o.kind !== 'GatewayClass');
  // 1. The issuer without `serviceType`: cert-manager's default NodePort Service against a quota of 0 NodePorts.
  const nodePort = noProxies.map((o) => {
    if (o.kind !== 'ClusterIssuer') return o;
    const c = clone(o);
    for (const s of c.spec?.acme?.solvers ?? []) if (s.http01?.gatewayHTTPRoute) delete s.http01.gatewayHTTPRoute.serviceType;
    return c;
  });
  expect(
    'the ACME solver Service as a NodePort (issuer without serviceType)',
    (await applyControllerObjects(cp, nodePort, { dryRun: true })).problems,
    /exceeded quota.*services\.nodeports/,
  );
  // 2. The gateway namespace's quota before e78d8ed: one pod for every host's solver at once.
  const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === ns);
  const hosts = (cert.spec?.dnsNames ?? []).length;
  if (!quota || hosts < 2) problems.push(`[self-test] controller objects: ${ns} has no quota or fewer than two hosts to solve`);
  else {
    const one = clone(quota);
    one.spec.hard.pods = '1';
    await cp.client.apply([one], { force: true });
    const found = (await applyControllerObjects(cp, noProxies)).problems;
    expect(`one solver pod allowed for ${hosts} hosts (the quota before e78d8ed)`, found, /Pod.*exceeded quota.*pods/);
    await cp.client.apply([quota], { force: true });
    // kubectl delete pods,services,httproutes -n <ns> -l <solver label> --wait=false: each one listed, then deleted.
    for (const [group, kind] of [
      ['', 'Pod'],
      ['', 'Service'],
      ['gateway.networking.k8s.io', 'HTTPRoute'],
    ])
      for (const o of await cp.client.list(group, kind, { namespace: ns, labelSelector: `${CERT_MANAGER.solverLabel}=true` }))
        await cp.client.delete(group, kind, ns, o.metadata.name);
  }
  // 3. and 4., by the model alone: the solver namespace without the policy that admits the proxies, and an HTTP
  // listener that admits only labelled namespaces (the solver's route lives in the Gateway's own).
  const offline = (changed: K8sObject[]) => {
    const envoy = envoyProxyObjects(changed).objects;
    const namespaces = changed.filter((o) => o.kind === 'Namespace');
    const made = acmeSolverObjects(changed).flatMap((s, i): K8sObject[] => {
      const service = { ...s.service, metadata: { ...s.service.metadata, name: `solver-${i}` } };
      const route = s.route!(`solver-${i}`);
      return [
        { ...s.pod, metadata: { ...s.pod.metadata, name: `solver-${i}` } },
        service,
        { ...route, metadata: { ...route.metadata, name: `solver-${i}` } },
      ];
    });
    const all = [...changed, ...envoy, ...made];
    return [
      ...made.filter((o) => o.kind === 'HTTPRoute').flatMap((route) => routeAttachment(route, all, namespaces)),
      ...proxyPaths(all, proxyEndpoints(envoy, namespaces), namespaces).problems,
    ];
  };
  const isSolverPolicy = (o: K8sObject) =>
    o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.spec?.podSelector?.matchLabels?.[CERT_MANAGER.solverLabel];
  expect(
    'the solver pods without a policy admitting the proxies',
    offline(objects.filter((o) => !isSolverPolicy(o))),
    /cannot reach .* port 8089/,
  );
  const selectorListener = objects.map((o) => {
    if (o.kind !== 'Gateway' || o.metadata.namespace !== ns) return o;
    const g = clone(o);
    for (const l of g.spec.listeners)
      if (l.protocol === 'HTTP')
        l.allowedRoutes.namespaces = { from: 'Selector', selector: { matchLabels: { 'samokoder.dev/none': 'true' } } };
    return g;
  });
  expect('the solver route on a listener that admits only labelled namespaces', offline(selectorListener), /does not match/);
  // 5. The EnvoyProxy without its disruption budget (before #24's fix): two proxies a drain may evict at once.
  const noBudget = objects.map((o) => {
    if (o.kind !== 'EnvoyProxy') return o;
    const e = clone(o);
    delete e.spec?.provider?.kubernetes?.envoyPDB;
    return e;
  });
  expect(
    'two proxies without a PodDisruptionBudget (EnvoyProxy without envoyPDB)',
    proxyDisruption(envoyProxyObjects(noBudget).objects),
    /no PodDisruptionBudget/,
  );
  return { problems, cases: 5 };
}
