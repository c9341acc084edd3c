/**
 * The objects the platform's controllers create on our behalf, modelled from their sources at the pinned versions, so
 * verify:k8s can put them through the API server (admission, quota, PodSecurity, the controllers' RBAC) and the
 * scheduler like our own objects. Pure functions here; controller-objects-apply.ts talks to the server.
 *
 * Envoy Gateway v1.9.0 (github.com/envoyproxy/gateway@v1.9.0), per Gateway of a GatewayClass whose controllerName is
 * Envoy Gateway's (internal/infrastructure/kubernetes/proxy/resource_provider.go, resource.go):
 * - name `envoy-<ns>-<name>-<sha256("<ns>/<name>")[:8]>` (ExpectedResourceHashedName, utils.GetHashedName, 48
 *   characters of the name kept) in the controller's namespace; with `deploy.type: GatewayNamespace` in the
 *   EnvoyGateway config the Gateway's own name and namespace (translator.go buildIR);
 * - labels app.kubernetes.io/{name: envoy, component: proxy, managed-by: envoy-gateway} + the owning-gateway labels
 *   (EnvoyAppLabel, GatewayOwnerLabels) + the Gateway's spec.infrastructure.labels; the Service selects on them all;
 * - a ServiceAccount and a ConfigMap (SDS files) of the same name, a Deployment (containers envoy and
 *   shutdown-manager, default requests 100m/512Mi and 10m/32Mi, DefaultSecurityContext with uid 65532 and a writable
 *   root filesystem; api/v1alpha1 shared_types.go, kubernetes_helpers.go, envoyproxy_helpers.go) and a Service: type
 *   LoadBalancer unless the EnvoyProxy says otherwise, externalTrafficPolicy Local, one port per listener port named
 *   `<protocol>-<port>` with the target port shifted by 10000 below 1024 (listener.go servicePortToContainerPort);
 * - merged with the EnvoyProxy of the GatewayClass's parametersRef (or the Gateway's infrastructure.parametersRef):
 *   replicas, container and pod settings, envoyService annotations/labels/type/name and its `patch` (StrategicMerge:
 *   Service ports merge by `port`, containers by `name`; JSONMerge: RFC 7386).
 * - a PodDisruptionBudget when the EnvoyProxy sets envoyPDB (common/resource.go GetPodDisruptionBudget).
 * Not modelled (reported when an EnvoyProxy asks for them): DaemonSet mode, envoyHpa. The topology
 * injector webhook (it annotates pods with their zone) does not run offline. Envoy's args (its bootstrap) are left
 * out: admission does not read them.
 *
 * cert-manager v1.21.1 (github.com/cert-manager/cert-manager@v1.21.1, pkg/issuer/acme/http/): per DNS name of a
 * Certificate whose issuer solves HTTP-01 through `gatewayHTTPRoute`, one Challenge in the Certificate's namespace,
 * all solved at once, each with a Pod (pod.go buildDefaultPod: generateName cm-acme-http-solver-, labels
 * acme.cert-manager.io/{http-domain: adler32(name), http-token: adler32(token), http01-solver: "true"}, port 8089,
 * requests 10m/64Mi, limits 100m/64Mi, runAsNonRoot, RuntimeDefault seccomp; defaults in
 * internal/apis/config/controller/v1alpha1/defaults.go, overridden by the controller's --acme-http01-solver-* flags and
 * the solver's podTemplate), a Service (service.go: NodePort unless the solver's serviceType says otherwise, port
 * 8089) and an HTTPRoute (httproute.go: the solver's parentRefs, the host, Exact path
 * /.well-known/acme-challenge/<token>, backend the Service on 8089). The token is the ACME server's: a fixed stand-in
 * here (it only changes a label's value). The objects' owner (the Challenge) does not exist offline, so they carry no
 * ownerReference (the garbage collector would delete them).
 */
import { createHash } from 'crypto';
import { parse } from 'yaml';
import { K8sObject } from './gitops';

export const ENVOY_GATEWAY = {
  controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
  namespace: 'envoy-gateway-system',
  image: 'docker.io/envoyproxy/envoy:distroless-v1.39.0',
  shutdownManagerImage: 'docker.io/envoyproxy/gateway-dev:latest',
  proxyLabels: {
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
  },
} as const;

export const CERT_MANAGER = {
  solverPort: 8089,
  solverLabel: 'acme.cert-manager.io/http01-solver',
  image: 'quay.io/jetstack/cert-manager-acmesolver:v1.21.1',
  requests: { cpu: '10m', memory: '64Mi' },
  limits: { cpu: '100m', memory: '64Mi' },
} as const;

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));
const byNs = (o: K8sObject, kind: string, name: string, ns?: string) =>
  o.kind === kind && o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns);

/** What the Envoy Gateway install says about itself (its rendered chart), with the source's defaults. */
export interface EnvoyGatewaySettings {
  readonly controllerName: string;
  readonly controllerNamespace: string;
  readonly gatewayNamespaceMode: boolean;
  readonly shutdownManagerImage: string;
  /** The controller's ServiceAccount (`system:serviceaccount:<ns>:<name>`), when the chart is among the objects. */
  readonly identity?: string;
}

export function envoyGatewaySettings(objects: K8sObject[]): EnvoyGatewaySettings {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'envoy-gateway-config');
  const config = cm?.data?.['envoy-gateway.yaml'] ? (parse(cm.data['envoy-gateway.yaml']) ?? {}) : {};
  const controllerNamespace = cm?.metadata?.namespace ?? ENVOY_GATEWAY.namespace;
  const deployment = objects.find((o) => byNs(o, 'Deployment', 'envoy-gateway', controllerNamespace));
  const sa = deployment?.spec?.template?.spec?.serviceAccountName;
  const kube = config.provider?.kubernetes ?? {};
  return {
    controllerName: config.gateway?.controllerName ?? ENVOY_GATEWAY.controllerName,
    controllerNamespace,
    gatewayNamespaceMode: kube.deploy?.type === 'GatewayNamespace',
    shutdownManagerImage: kube.shutdownManager?.image ?? ENVOY_GATEWAY.shutdownManagerImage,
    identity: sa ? `system:serviceaccount:${controllerNamespace}:${sa}` : undefined,
  };
}

/** utils.GetHashedName: the name with "/" → "-", cut to `length`, and the first 8 hex digits of its SHA-256. */
export function hashedName(nsName: string, length = 48): string {
  const hash = createHash('sha256').update(nsName).digest('hex').slice(0, 8);
  const name = nsName.replace(/\//g, '-');
  return `${name.length > length ? name.slice(0, length).replace(/-$/, '') : name}-${hash}`;
}

/** A strategic merge patch as Envoy Gateway applies it to its objects, for the lists our patches touch. */
export function strategicMerge(target: K8sObject, patch: K8sObject): K8sObject {
  const keys: Record<string, string> = { ports: 'port', containers: 'name', env: 'name', volumes: 'name', volumeMounts: 'name' };
  const out = clone(target);
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else if (Array.isArray(v) && keys[k] && Array.isArray(out[k])) {
      const merged = [...out[k]];
      for (const item of v) {
        const i = merged.findIndex((m: K8sObject) => m[keys[k]] === item[keys[k]]);
        if (i >= 0) merged[i] = strategicMerge(merged[i], item);
        else merged.push(item);
      }
      out[k] = merged;
    } else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') out[k] = strategicMerge(out[k], v);
    else out[k] = v;
  }
  return out;
}

function applyPatch(target: K8sObject, patch: K8sObject | undefined): K8sObject {
  if (!patch?.value) return target;
  // JSONMerge (RFC 7386) replaces lists whole; StrategicMerge (the default) merges the keyed ones.
  if (patch.type === 'JSONMerge') {
    const merge = (t: K8sObject, p: K8sObject): K8sObject => {
      const o = clone(t ?? {});
      for (const [k, v] of Object.entries(p)) {
        if (v === null) delete o[k];
        else o[k] = v && typeof v === 'object' && !Array.isArray(v) ? merge(o[k], v) : v;
      }
      return o;
    };
    return merge(target, patch.value);
  }
  return strategicMerge(target, patch.value);
}

/** The EnvoyProxy that configures `gateway`: its own infrastructure.parametersRef, else its GatewayClass's. */
function envoyProxyOf(gateway: K8sObject, gatewayClass: K8sObject, objects: K8sObject[]): K8sObject | undefined {
  const own = gateway.spec?.infrastructure?.parametersRef;
  if (own?.kind === 'EnvoyProxy') return objects.find((o) => byNs(o, 'EnvoyProxy', own.name, gateway.metadata.namespace));
  const p = gatewayClass.spec?.parametersRef;
  return p?.kind === 'EnvoyProxy' ? objects.find((o) => byNs(o, 'EnvoyProxy', p.name, p.namespace)) : undefined;
}

export interface ModelledObjects {
  readonly objects: K8sObject[];
  /** What the model leaves out for this output (printed as not exercised). */
  readonly unmodelled: string[];
}

/** The objects Envoy Gateway creates for every Gateway it manages among `objects`. */
export function envoyProxyObjects(objects: K8sObject[], settings = envoyGatewaySettings(objects)): ModelledObjects {
  const out: K8sObject[] = [];
  const unmodelled: string[] = [];
  const classes = objects.filter((o) => o.kind === 'GatewayClass' && o.spec?.controllerName === settings.controllerName);
  for (const gateway of objects.filter((o) => o.kind === 'Gateway' && classes.some((c) => c.metadata.name === o.spec?.gatewayClassName))) {
    const gatewayClass = classes.find((c) => c.metadata.name === gateway.spec.gatewayClassName)!;
    const [gwNs, gwName] = [gateway.metadata.namespace, gateway.metadata.name];
    const proxy = envoyProxyOf(gateway, gatewayClass, objects);
    const kube = clone(proxy?.spec?.provider?.kubernetes ?? {});
    for (const field of ['envoyDaemonSet', 'envoyHpa'])
      if (kube[field]) unmodelled.push(`EnvoyProxy ${proxy!.metadata.name}: ${field} (the model makes the Deployment only)`);
    const name = settings.gatewayNamespaceMode ? gwName : `envoy-${hashedName(`${gwNs}/${gwName}`)}`;
    const namespace = settings.gatewayNamespaceMode ? gwNs : settings.controllerNamespace;
    const labels: Record<string, string> = {
      ...ENVOY_GATEWAY.proxyLabels,
      ...(settings.gatewayNamespaceMode ? { 'gateway.networking.k8s.io/gateway-name': name } : {}),
      ...(gateway.spec?.infrastructure?.labels ?? {}),
      'gateway.envoyproxy.io/owning-gateway-namespace': gwNs,
      'gateway.envoyproxy.io/owning-gateway-name': gwName,
    };
    const selector = {
      ...ENVOY_GATEWAY.proxyLabels,
      ...(settings.gatewayNamespaceMode ? { 'gateway.networking.k8s.io/gateway-name': name } : {}),
      'gateway.envoyproxy.io/owning-gateway-namespace': gwNs,
      'gateway.envoyproxy.io/owning-gateway-name': gwName,
    };
    const owner = settings.gatewayNamespaceMode
      ? { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gwName }
      : { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: gatewayClass.metadata.name };
    const meta = (n: string, extra: Record<string, string> = {}) => ({
      name: n,
      namespace,
      labels: { ...labels, ...extra },
      annotations: gateway.spec?.infrastructure?.annotations,
      ownerReferences: [owner],
    });
    const deploymentConfig = kube.envoyDeployment ?? {};
    const container = deploymentConfig.container ?? {};
    const pod = deploymentConfig.pod ?? {};
    const restrictedish = (readOnlyRoot: boolean) => ({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      ...(readOnlyRoot ? { readOnlyRootFilesystem: true } : {}),
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      runAsGroup: 65532,
      runAsUser: 65532,
    });
    const probe = (path: string, port: number, period: number, failure: number) => ({
      httpGet: { path, port, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: period,
      successThreshold: 1,
      failureThreshold: failure,
    });
    const fieldEnv = (n: string, fieldPath: string) => ({ name: n, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
    const env = [
      fieldEnv('ENVOY_POD_NAMESPACE', 'metadata.namespace'),
      fieldEnv('ENVOY_POD_NAME', 'metadata.name'),
      fieldEnv('ENVOY_SERVICE_ZONE', "metadata.annotations['topology.kubernetes.io/zone']"),
    ];
    let deployment: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(deploymentConfig.name ?? name),
      spec: {
        ...(kube.envoyHpa || deploymentConfig.replicas === undefined ? {} : { replicas: deploymentConfig.replicas }),
        strategy: deploymentConfig.strategy ?? { type: 'RollingUpdate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...(pod.labels ?? {}) }, annotations: pod.annotations },
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'envoy',
                image: container.image ?? ENVOY_GATEWAY.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['envoy'],
                env: [...env, ...(container.env ?? [])],
                resources: container.resources ?? { requests: { cpu: '100m', memory: '512Mi' } },
                securityContext: container.securityContext ?? restrictedish(false),
                ports: [
                  { name: 'metrics', containerPort: 19001, protocol: 'TCP' },
                  { name: 'readiness', containerPort: 19003, protocol: 'TCP' },
                ],
                volumeMounts: [
                  { name: 'certs', mountPath: '/certs', readOnly: true },
                  { name: 'sds', mountPath: '/sds' },
                  ...(container.volumeMounts ?? []),
                ],
                startupProbe: probe('/ready', 19003, 10, 30),
                readinessProbe: probe('/ready', 19003, 5, 1),
                livenessProbe: probe('/ready', 19003, 10, 3),
                lifecycle: { preStop: { httpGet: { path: '/shutdown/ready', port: 19002, scheme: 'HTTP' } } },
              },
              {
                name: 'shutdown-manager',
                image: settings.shutdownManagerImage,
                imagePullPolicy: 'IfNotPresent',
                command: ['envoy-gateway'],
                args: ['envoy', 'shutdown-manager'],
                env,
                resources: { requests: { cpu: '10m', memory: '32Mi' } },
                securityContext: container.securityContext ?? restrictedish(false),
                startupProbe: probe('/healthz', 19002, 10, 30),
                readinessProbe: probe('/healthz', 19002, 10, 3),
                livenessProbe: probe('/healthz', 19002, 10, 3),
                lifecycle: { preStop: { exec: { command: ['envoy-gateway', 'envoy', 'shutdown'] } } },
              },
            ],
            initContainers: deploymentConfig.initContainers,
            serviceAccountName: kube.envoyServiceAccount?.name ?? name,
            terminationGracePeriodSeconds: 360,
            securityContext: pod.securityContext,
            affinity: pod.affinity,
            tolerations: pod.tolerations,
            nodeSelector: pod.nodeSelector,
            topologySpreadConstraints: pod.topologySpreadConstraints,
            priorityClassName: pod.priorityClassName,
            imagePullSecrets: pod.imagePullSecrets,
            volumes: [
              { name: 'certs', secret: { secretName: 'envoy', defaultMode: 420 } },
              { name: 'sds', configMap: { name, defaultMode: 420, optional: false } },
              ...(pod.volumes ?? []),
            ],
          },
        },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    };
    deployment = applyPatch(deployment, deploymentConfig.patch);
    const svcConfig = kube.envoyService ?? {};
    const type = svcConfig.type ?? 'LoadBalancer';
    const ports: K8sObject[] = [];
    for (const l of gateway.spec?.listeners ?? []) {
      const protocol = l.protocol === 'UDP' ? 'UDP' : 'TCP';
      const portName = `${String(l.protocol).toLowerCase()}-${l.port}`;
      if (ports.some((p) => p.port === l.port && p.protocol === protocol)) continue;
      const shift = kube.useListenerPortAsContainerPort !== true && l.port < 1024 ? 10000 : 0;
      ports.push({ name: portName, protocol, port: l.port, targetPort: l.port + shift });
    }
    let service: K8sObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        ...meta(svcConfig.name ?? name, svcConfig.labels ?? {}),
        annotations: { ...(gateway.spec?.infrastructure?.annotations ?? {}), ...(svcConfig.annotations ?? {}) },
      },
      spec: {
        type,
        sessionAffinity: 'None',
        ...(type === 'LoadBalancer' || type === 'NodePort' ? { externalTrafficPolicy: svcConfig.externalTrafficPolicy ?? 'Local' } : {}),
        ...(type === 'LoadBalancer'
          ? {
              loadBalancerClass: svcConfig.loadBalancerClass,
              allocateLoadBalancerNodePorts: svcConfig.allocateLoadBalancerNodePorts,
              loadBalancerSourceRanges: svcConfig.loadBalancerSourceRanges,
            }
          : {}),
        ports,
        selector: labels,
      },
    };
    service = applyPatch(service, svcConfig.patch);
    // common/resource.go GetPodDisruptionBudget: minAvailable, else maxUnavailable, else minAvailable 0.
    const pdb = kube.envoyPDB;
    if (pdb && (pdb.minAvailable !== undefined || pdb.maxUnavailable !== undefined || pdb.patch)) {
      const budget =
        pdb.minAvailable !== undefined
          ? { minAvailable: pdb.minAvailable }
          : pdb.maxUnavailable !== undefined
            ? { maxUnavailable: pdb.maxUnavailable }
            : { minAvailable: 0 };
      out.push(
        applyPatch(
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: { name: pdb.name ?? name, namespace, labels: selector, ownerReferences: [owner] },
            spec: { selector: { matchLabels: selector }, ...budget },
          },
          pdb.patch,
        ),
      );
    }
    out.push(
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(kube.envoyServiceAccount?.name ?? name),
        automountServiceAccountToken: false,
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(name),
        // The SDS files point Envoy at /certs (common.GetSdsCAConfigMapData); their exact JSON does not reach admission.
        data: { 'xds-trusted-ca.json': '{"resources":[]}', 'xds-certificate.json': '{"resources":[]}' },
      },
      deployment,
      service,
    );
  }
  return { objects: out.map(dropUndefined), unmodelled };
}

function dropUndefined(o: K8sObject): K8sObject {
  return JSON.parse(JSON.stringify(o));
}

/** What the cert-manager install says about its HTTP-01 solvers (its controller's flags), with the source's defaults. */
export interface CertManagerSettings {
  readonly image: string;
  readonly requests: { cpu: string; memory: string };
  readonly limits: { cpu: string; memory: string };
  readonly runAsNonRoot: boolean;
  readonly extraLabels: Record<string, string>;
  readonly identity?: string;
}

export function certManagerSettings(objects: K8sObject[]): CertManagerSettings {
  const controller = objects.find(
    (o) =>
      o.kind === 'Deployment' &&
      (o.spec?.template?.spec?.containers ?? []).some((c: K8sObject) =>
        (c.args ?? []).some((a: string) => a.startsWith('--acme-http01-solver-image=')),
      ),
  );
  const args: string[] = (controller?.spec?.template?.spec?.containers ?? []).flatMap((c: K8sObject) => c.args ?? []);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const extraLabels: Record<string, string> = {};
  for (const a of args.filter((x) => x.startsWith('--acme-http01-solver-extra-labels='))) {
    const [k, v] = a.slice('--acme-http01-solver-extra-labels='.length).split('=');
    extraLabels[k] = v;
  }
  const sa = controller?.spec?.template?.spec?.serviceAccountName;
  return {
    image: flag('acme-http01-solver-image') ?? CERT_MANAGER.image,
    requests: {
      cpu: flag('acme-http01-solver-resource-request-cpu') ?? CERT_MANAGER.requests.cpu,
      memory: flag('acme-http01-solver-resource-request-memory') ?? CERT_MANAGER.requests.memory,
    },
    limits: {
      cpu: flag('acme-http01-solver-resource-limits-cpu') ?? CERT_MANAGER.limits.cpu,
      memory: flag('acme-http01-solver-resource-limits-memory') ?? CERT_MANAGER.limits.memory,
    },
    runAsNonRoot: flag('acme-http01-solver-run-as-non-root') !== 'false',
    extraLabels,
    identity: sa ? `system:serviceaccount:${controller!.metadata.namespace}:${sa}` : undefined,
  };
}

/** Adler-32 (hash/adler32), as cert-manager labels a solver's domain and token. */
export function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * The solver an ACME issuer picks for `host` (pkg/issuer/acme/dns... challenges/sync.go solverForChallenge: the most
 * specific selector wins: dnsNames, then dnsZones (longest), then a solver without selector).
 */
function solverFor(solvers: K8sObject[], host: string): K8sObject | undefined {
  const named = solvers.find((s) => (s.selector?.dnsNames ?? []).includes(host));
  if (named) return named;
  const zoned = solvers
    .flatMap((s) => (s.selector?.dnsZones ?? []).filter((z: string) => host === z || host.endsWith(`.${z}`)).map((z: string) => ({ s, z })))
    .sort((x, y) => y.z.length - x.z.length)[0];
  return zoned?.s ?? solvers.find((s) => !s.selector || Object.keys(s.selector).length === 0);
}

export interface SolverSet {
  readonly host: string;
  readonly certificate: K8sObject;
  readonly pod: K8sObject;
  readonly service: K8sObject;
  /** The HTTPRoute, to be completed with the Service's generated name (`routeFor`). */
  readonly route?: (serviceName: string) => K8sObject;
  readonly unmodelled?: string;
}

/** The solver Pod, Service and HTTPRoute cert-manager creates for each DNS name of each ACME Certificate. */
export function acmeSolverObjects(objects: K8sObject[], settings = certManagerSettings(objects)): SolverSet[] {
  const out: SolverSet[] = [];
  for (const cert of objects.filter((o) => o.kind === 'Certificate' && o.apiVersion?.startsWith('cert-manager.io/'))) {
    const ref = cert.spec?.issuerRef ?? {};
    const issuer = objects.find((o) =>
      ref.kind === 'ClusterIssuer' ? byNs(o, 'ClusterIssuer', ref.name) : byNs(o, 'Issuer', ref.name, cert.metadata.namespace),
    );
    const solvers: K8sObject[] = issuer?.spec?.acme?.solvers ?? [];
    (cert.spec?.dnsNames ?? []).forEach((host: string, i: number) => {
      const solver = solverFor(solvers, host);
      const http01 = solver?.http01;
      if (!http01) return;
      const ns = cert.metadata.namespace;
      const token = `verify-token-${i}`;
      const identity = {
        'acme.cert-manager.io/http-domain': String(adler32(host)),
        'acme.cert-manager.io/http-token': String(adler32(token)),
        [CERT_MANAGER.solverLabel]: 'true',
      };
      const extra = Object.fromEntries(Object.entries(settings.extraLabels).filter(([k]) => !(k in identity)));
      const via = http01.gatewayHTTPRoute ?? http01.ingress;
      const template = via?.podTemplate ?? {};
      const tspec = template.spec ?? {};
      const pod: K8sObject = dropUndefined({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: 'cm-acme-http-solver-',
          namespace: ns,
          labels: { ...identity, ...extra, ...(template.metadata?.labels ?? {}) },
          annotations: {
            'sidecar.istio.io/inject': 'false',
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
            ...(template.metadata?.annotations ?? {}),
          },
        },
        spec: {
          automountServiceAccountToken: false,
          nodeSelector: { 'kubernetes.io/os': 'linux', ...(tspec.nodeSelector ?? {}) },
          restartPolicy: 'OnFailure',
          enableServiceLinks: false,
          securityContext: tspec.securityContext ?? { runAsNonRoot: settings.runAsNonRoot, seccompProfile: { type: 'RuntimeDefault' } },
          tolerations: tspec.tolerations,
          affinity: tspec.affinity,
          priorityClassName: tspec.priorityClassName,
          serviceAccountName: tspec.serviceAccountName,
          imagePullSecrets: tspec.imagePullSecrets,
          containers: [
            {
              name: 'acmesolver',
              image: settings.image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--listen-port=${CERT_MANAGER.solverPort}`,
                `--domain=${host}`,
                `--token=${token}`,
                `--key=${token}.verify-thumbprint`,
              ],
              resources: {
                requests: { ...settings.requests, ...(tspec.resources?.requests ?? {}) },
                limits: { ...settings.limits, ...(tspec.resources?.limits ?? {}) },
              },
              ports: [{ name: 'http', containerPort: CERT_MANAGER.solverPort }],
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      });
      const service: K8sObject = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          generateName: 'cm-acme-http-solver-',
          namespace: ns,
          labels: { ...identity, ...extra },
          annotations: { 'auth.istio.io/8089': 'NONE' },
        },
        spec: {
          type: via?.serviceType || 'NodePort',
          ports: [{ name: 'http', port: CERT_MANAGER.solverPort, targetPort: CERT_MANAGER.solverPort }],
          selector: identity,
        },
      };
      const gw = http01.gatewayHTTPRoute;
      const route = gw
        ? (serviceName: string): K8sObject => ({
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'HTTPRoute',
            metadata: { generateName: 'cm-acme-http-solver-', namespace: ns, labels: { ...identity, ...extra, ...(gw.labels ?? {}) } },
            spec: {
              parentRefs: gw.parentRefs,
              hostnames: [host],
              rules: [
                {
                  matches: [{ path: { type: 'Exact', value: `/.well-known/acme-challenge/${token}` } }],
                  backendRefs: [{ group: '', kind: 'Service', name: serviceName, namespace: ns, port: CERT_MANAGER.solverPort, weight: 1 }],
                },
              ],
            },
          })
        : undefined;
      out.push({
        host,
        certificate: cert,
        pod,
        service,
        route,
        unmodelled: gw ? undefined : `${host}: HTTP-01 through an Ingress (not modelled)`,
      });
    });
  }
  return out;
}

/**
 * The cluster's entry must survive a node drain (a node group update, Cluster Autoscaler removing a node): proxies
 * with more than one replica need a PodDisruptionBudget that keeps one (EnvoyProxy `envoyPDB`); without it the
 * eviction API may take every proxy at once. One line per Deployment without.
 */
export function proxyDisruption(envoyObjects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const d of envoyObjects.filter((o) => o.kind === 'Deployment')) {
    const replicas = d.spec?.replicas ?? 1;
    if (replicas < 2) continue;
    const labels = d.spec.template.metadata.labels;
    const covered = envoyObjects.some(
      (p) =>
        p.kind === 'PodDisruptionBudget' &&
        p.metadata.namespace === d.metadata.namespace &&
        Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        ((typeof p.spec.minAvailable === 'number' && p.spec.minAvailable >= 1) ||
          (typeof p.spec.maxUnavailable === 'number' && p.spec.maxUnavailable < replicas)),
    );
    if (!covered) {
      const gw = `${labels['gateway.envoyproxy.io/owning-gateway-namespace']}/${labels['gateway.envoyproxy.io/owning-gateway-name']}`;
      out.push(
        `Envoy Gateway's proxies of Gateway ${gw} (Deployment ${d.metadata.namespace}/${d.metadata.name}, ${replicas} replicas) have no PodDisruptionBudget keeping one: a node drain may evict them all at once (set envoyPDB on the EnvoyProxy)`,
      );
    }
  }
  return out;
}
