import { credentialFields, looksLikeLiteralSecret, looksLikeSecretValue } from '../common/secret-detection';
import {
  containersOf,
  K8sObject,
  KubernetesRule,
  matches,
  perContainer,
  POD_KINDS,
  podLabelsOf,
  podSpecOf,
  rule,
  sc,
  WORKLOAD_KINDS,
} from './kubernetes-kit';

export { K8sIndex, POD_KINDS, podSpecOf } from './kubernetes-kit';
export type { K8sObject, KubernetesRule } from './kubernetes-kit';

/** The Kubernetes rules of the pack. */
export const KUBERNETES_RULES: readonly KubernetesRule[] = [
  rule({
    id: 'SK-K8S-001',
    title: 'Containers run as a non-root user with a high UID',
    severity: 'error',
    checkov: ['CKV_K8S_23', 'CKV_K8S_40'],
    kubeLinter: 'run-as-non-root',
    fix: 'set runAsNonRoot: true and runAsUser >= 10000',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c, pod) => {
        if (sc(c, pod, 'runAsNonRoot') !== true) return 'runAsNonRoot is not true';
        const uid = sc(c, pod, 'runAsUser');
        return uid === undefined || uid < 10000 ? `runAsUser is ${uid ?? 'unset'} (< 10000)` : undefined;
      }),
  }),
  rule({
    id: 'SK-K8S-002',
    title: 'Containers cannot escalate privileges and are not privileged',
    severity: 'error',
    checkov: ['CKV_K8S_20', 'CKV_K8S_16'],
    kubeLinter: 'privilege-escalation-container',
    fix: 'set allowPrivilegeEscalation: false and privileged: false',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c) =>
        c.securityContext?.allowPrivilegeEscalation !== false
          ? 'allowPrivilegeEscalation is not false'
          : c.securityContext?.privileged === true
            ? 'privileged'
            : undefined,
      ),
  }),
  rule({
    id: 'SK-K8S-003',
    title: 'Root filesystems are read-only',
    severity: 'error',
    checkov: ['CKV_K8S_22'],
    kubeLinter: 'no-read-only-root-fs',
    fix: 'set readOnlyRootFilesystem: true and mount an emptyDir where the app writes',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c) => (c.securityContext?.readOnlyRootFilesystem !== true ? 'the root filesystem is writable' : undefined)),
  }),
  rule({
    id: 'SK-K8S-004',
    title: 'Containers drop all capabilities and add none',
    severity: 'error',
    checkov: ['CKV_K8S_25', 'CKV_K8S_28', 'CKV_K8S_37', 'CKV_K8S_39'],
    kubeLinter: 'drop-net-raw-capability',
    fix: 'set capabilities: { drop: [ALL] } and no add',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c) => {
        const cap = c.securityContext?.capabilities ?? {};
        if (!(cap.drop ?? []).includes('ALL')) return 'does not drop ALL capabilities';
        return (cap.add ?? []).length ? `adds ${cap.add.join(', ')}` : undefined;
      }),
  }),
  rule({
    id: 'SK-K8S-005',
    title: 'Pods use the RuntimeDefault seccomp profile',
    severity: 'error',
    checkov: ['CKV_K8S_31'],
    fix: 'set seccompProfile: { type: RuntimeDefault } on the pod (or every container)',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c, pod) =>
        !['RuntimeDefault', 'Localhost'].includes(sc(c, pod, 'seccompProfile')?.type) ? 'no RuntimeDefault seccomp profile' : undefined,
      ),
  }),
  rule({
    id: 'SK-K8S-006',
    title: 'Pods share no host namespace and mount no host path',
    severity: 'error',
    checkov: ['CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19', 'CKV_K8S_27'],
    kubeLinter: 'host-network',
    fix: 'remove hostNetwork, hostPID, hostIPC and hostPath volumes',
    kinds: 'pods',
    check: (o) => {
      const pod = podSpecOf(o) ?? {};
      const bad = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => pod[k] === true).map((k) => `${k} is true`);
      for (const v of pod.volumes ?? []) if (v.hostPath) bad.push(`volume "${v.name}" is a hostPath`);
      for (const c of containersOf(o))
        for (const p of c.ports ?? []) if (p.hostPort) bad.push(`container "${c.name}" binds hostPort ${p.hostPort}`);
      return bad;
    },
  }),
  rule({
    id: 'SK-K8S-007',
    title: 'Containers request CPU and memory and limit memory',
    severity: 'error',
    checkov: ['CKV_K8S_10', 'CKV_K8S_12', 'CKV_K8S_13'],
    kubeLinter: 'unset-memory-requirements',
    fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c) => {
        const r = c.resources ?? {};
        const missing = [
          !r.requests?.cpu && 'requests.cpu',
          !r.requests?.memory && 'requests.memory',
          !r.limits?.memory && 'limits.memory',
        ].filter(Boolean);
        return missing.length ? `missing ${missing.join(', ')}` : undefined;
      }),
  }),
  rule({
    id: 'SK-K8S-008',
    title: 'Long-running containers have readiness and liveness probes',
    severity: 'error',
    checkov: ['CKV_K8S_8', 'CKV_K8S_9'],
    kubeLinter: 'no-readiness-probe',
    fix: 'add readinessProbe and livenessProbe (and a startupProbe for slow starts)',
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'],
    check: (o) => perContainer(o, (c) => (!c.readinessProbe ? 'no readiness probe' : !c.livenessProbe ? 'no liveness probe' : undefined)),
  }),
  rule({
    id: 'SK-K8S-009',
    title: 'Images are pinned by tag or digest',
    severity: 'error',
    checkov: ['CKV_K8S_14'],
    kubeLinter: 'latest-tag',
    fix: 'use repo/app:1.2.3 or repo/app@sha256:…',
    kinds: 'pods',
    check: (o) =>
      perContainer(o, (c) => {
        const image: string = c.image ?? '';
        if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
        const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
        return !tag || tag === 'latest' ? `image "${image}" is not pinned` : undefined;
      }),
  }),
  rule({
    id: 'SK-K8S-010',
    title: 'Pods run as their own service account, with no token unless they use the API',
    severity: 'error',
    checkov: ['CKV_K8S_38', 'CKV_K8S_41'],
    kubeLinter: 'default-service-account',
    fix: 'set serviceAccountName to a dedicated account and automountServiceAccountToken: false unless RBAC is granted',
    kinds: 'pods',
    check: (o, all) => {
      const pod = podSpecOf(o);
      if (!pod) return undefined;
      const sa = pod.serviceAccountName ?? 'default';
      if (sa === 'default') return 'runs as the default service account';
      if (pod.automountServiceAccountToken === false) return undefined;
      // A RoleBinding in its namespace, or a ClusterRoleBinding naming the account with its namespace (a controller
      // that only reads cluster-wide objects, such as external-dns, has no Role).
      const ns = o.metadata?.namespace;
      const names = (b: K8sObject, inNs: boolean) =>
        (b.subjects ?? []).some((s: K8sObject) => s.kind === 'ServiceAccount' && s.name === sa && (inNs || s.namespace === ns));
      const bound = all.of('RoleBinding', ns).some((b) => names(b, true)) || all.of('ClusterRoleBinding', '').some((b) => names(b, false));
      return bound ? undefined : 'mounts a service-account token without any RBAC binding';
    },
  }),
  rule({
    id: 'SK-K8S-011',
    title: 'Every workload is selected by a NetworkPolicy for ingress and egress',
    severity: 'error',
    checkov: ['CKV2_K8S_6'],
    kubeLinter: 'non-isolated-pod',
    fix: 'add a default-deny NetworkPolicy to the namespace (AppNamespace does) and allow what the app needs',
    kinds: 'pods',
    check: (o, all) => {
      if (!podSpecOf(o)) return undefined;
      const ns = o.metadata?.namespace;
      const labels = podLabelsOf(o);
      const policies = all.of('NetworkPolicy', ns).filter((p) => matches(p.spec?.podSelector?.matchLabels, labels));
      const types = new Set(policies.flatMap((p) => p.spec?.policyTypes ?? ['Ingress']));
      const missing = ['Ingress', 'Egress'].filter((t) => !types.has(t));
      return missing.length ? `no NetworkPolicy selects it for ${missing.join(' and ')}` : undefined;
    },
  }),
  rule({
    id: 'SK-K8S-012',
    title: 'RBAC rules name their resources and verbs: no wildcards, no escalate/bind/impersonate',
    severity: 'error',
    checkov: ['CKV_K8S_49', 'CKV_K8S_155', 'CKV_K8S_156', 'CKV_K8S_157', 'CKV_K8S_158'],
    kubeLinter: 'wildcard-in-rules',
    fix: 'list the API groups, resources and verbs the app needs',
    kinds: ['Role', 'ClusterRole'],
    check: (o) => {
      const bad: string[] = [];
      (o.rules ?? []).forEach((r: K8sObject, i: number) => {
        for (const f of ['apiGroups', 'resources', 'verbs', 'resourceNames']) {
          if ((r[f] ?? []).some((v: string) => v.includes('*'))) bad.push(`rule ${i} has '*' in ${f}`);
        }
        const esc = (r.verbs ?? []).filter((v: string) => ['escalate', 'bind', 'impersonate'].includes(v));
        if (esc.length) bad.push(`rule ${i} grants ${esc.join(', ')}`);
      });
      return bad;
    },
  }),
  rule({
    id: 'SK-K8S-013',
    title: 'Disruption budgets leave room for evictions and agree with the autoscaler',
    severity: 'error',
    kubeLinter: 'pdb-min-available',
    fix: 'keep PDB minAvailable below the HPA minReplicas (and below replicas), and set no replicas on an HPA-owned workload',
    kinds: ['PodDisruptionBudget'],
    check: (pdb, all) => {
      const min = pdb.spec?.minAvailable;
      if (typeof min !== 'number') return undefined;
      const selector = pdb.spec?.selector?.matchLabels ?? {};
      const ns = pdb.metadata?.namespace;
      const workloads = ['Deployment', 'StatefulSet', 'Rollout']
        .flatMap((k) => all.of(k, ns))
        .filter((w) => matches(w.spec?.selector?.matchLabels, selector) && matches(selector, w.spec?.selector?.matchLabels ?? {}));
      const bad: string[] = [];
      for (const w of workloads) {
        const hpa = all
          .of('HorizontalPodAutoscaler', ns)
          .find((h) => h.spec?.scaleTargetRef?.kind === w.kind && h.spec?.scaleTargetRef?.name === w.metadata?.name);
        if (hpa) {
          if (min >= hpa.spec.minReplicas)
            bad.push(`minAvailable ${min} >= HPA minReplicas ${hpa.spec.minReplicas}: node drains would block`);
          if (typeof w.spec?.replicas === 'number' && w.spec.replicas > 0)
            bad.push(`${w.kind} ${w.metadata.name} sets replicas while an HPA owns them`);
        } else if (typeof w.spec?.replicas === 'number' && w.spec.replicas > 0 && min >= w.spec.replicas) {
          bad.push(`minAvailable ${min} >= replicas ${w.spec.replicas}: node drains would block`);
        }
      }
      return bad;
    },
  }),
  rule({
    id: 'SK-K8S-014',
    title: 'No secret values in manifests',
    severity: 'error',
    checkov: ['CKV_K8S_35'],
    fix: 'reference secrets (ExternalSecret, SyncedSecret, AppSecret.fromStore); synthesized YAML is committed',
    kinds: ['Secret', 'ConfigMap', ...POD_KINDS],
    check: (o) => {
      if (o.kind === 'Secret') return Object.keys({ ...o.data, ...o.stringData }).length ? 'a Secret with values' : undefined;
      if (o.kind === 'ConfigMap') {
        return Object.entries(o.data ?? {})
          .filter(([k, v]) => typeof v === 'string' && looksLikeLiteralSecret(k, v))
          .map(([k]) => `key "${k}" holds a literal secret`);
      }
      return perContainer(o, (c) => {
        const leaked = (c.env ?? []).filter((e: K8sObject) => typeof e.value === 'string' && looksLikeLiteralSecret(e.name, e.value));
        const inCommand = [...(c.command ?? []), ...(c.args ?? [])].some((a: unknown) => typeof a === 'string' && looksLikeSecretValue(a));
        const found = [
          ...(leaked.length ? [`env ${leaked.map((e: K8sObject) => e.name).join(', ')} holds a literal secret`] : []),
          ...(inCommand ? ['its command or args hold something shaped like a credential'] : []),
        ];
        return found.length ? found.join('; ') : undefined;
      });
    },
  }),
  rule({
    id: 'SK-K8S-015',
    title: 'Services are not exposed through NodePort or LoadBalancer',
    severity: 'error',
    kubeLinter: 'exposed-services',
    fix: 'expose through the Gateway (HTTPRoute) or ingress controller; keep Services ClusterIP',
    kinds: ['Service'],
    check: (o) => (['NodePort', 'LoadBalancer'].includes(o.spec?.type) ? `type ${o.spec.type}` : undefined),
  }),
  rule({
    id: 'SK-K8S-016',
    title: 'Namespaces enforce Pod Security "restricted"',
    severity: 'error',
    fix: 'label the namespace pod-security.kubernetes.io/enforce: restricted (AppNamespace does)',
    kinds: ['Namespace'],
    check: (o) =>
      o.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted'
        ? 'Pod Security is not enforced as restricted'
        : undefined,
  }),
  rule({
    id: 'SK-K8S-017',
    title: 'No credential-shaped string in any field of any object',
    severity: 'error',
    fix: 'move the value to the secret store and reference it (AppSecret.fromStore, a Secret name); annotations, URLs, repository addresses and commands are committed as written',
    kinds: '*',
    // Every string of the object: annotations, labels, Argo CD repoURLs (`https://user:token@…`), webhook and
    // Prometheus URLs, commands. The finding names the field, never the value.
    check: (o) => (o.kind === 'Secret' ? [] : credentialFields(o).map((field) => `${field} holds something shaped like a credential`)),
  }),
  rule({
    id: 'SK-K8S-018',
    title: "Every egress to another app is admitted by that app's ingress policies",
    severity: 'error',
    fix: "admit the caller on the target app: allowFromApps: ['caller'] in the same namespace, [{ app: 'caller', namespace }] across namespaces",
    kinds: ['NetworkPolicy'],
    // Both policies must agree or the traffic is dropped without a word. Judged only when the target's workloads
    // and policies are part of the same check (the same synthesis); otherwise nothing is known about them.
    check: (o, all) => {
      const sourceNs = o.metadata?.namespace;
      const callers = WORKLOAD_KINDS.flatMap((k) => all.of(k, sourceNs)).filter((w) =>
        matches(o.spec?.podSelector?.matchLabels, podLabelsOf(w)),
      );
      if (callers.length === 0) return undefined;
      const bad: string[] = [];
      for (const e of o.spec?.egress ?? []) {
        for (const to of e.to ?? []) {
          const targetApp = to.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          if (!targetApp || to.ipBlock) continue;
          const targetNs = to.namespaceSelector ? to.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] : sourceNs;
          if (!targetNs) continue;
          const targets = WORKLOAD_KINDS.flatMap((k) => all.of(k, targetNs)).filter(
            (w) => podLabelsOf(w)['app.kubernetes.io/name'] === targetApp,
          );
          if (targets.length === 0) continue;
          const ports: number[] = (e.ports ?? []).map((p: K8sObject) => p.port);
          const admitted = all.of('NetworkPolicy', targetNs).some(
            (p) =>
              targets.some((t) => matches(p.spec?.podSelector?.matchLabels, podLabelsOf(t))) &&
              (p.spec?.ingress ?? []).some(
                (i: K8sObject) =>
                  (i.ports === undefined || ports.every((port) => i.ports.some((ip: K8sObject) => ip.port === port))) &&
                  (i.from ?? []).some((f: K8sObject) => {
                    const fromNs = f.namespaceSelector ? f.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] : targetNs;
                    if (f.namespaceSelector && Object.keys(f.namespaceSelector.matchLabels ?? {}).length === 0) return true;
                    return fromNs === sourceNs && callers.some((c) => matches(f.podSelector?.matchLabels ?? {}, podLabelsOf(c)));
                  }),
              ),
          );
          if (!admitted) {
            bad.push(
              `egress to ${targetApp} in ${targetNs} on ${ports.join(',') || 'any port'} is admitted by no ingress policy of ${targetApp}: the traffic would be dropped`,
            );
          }
        }
      }
      return bad;
    },
  }),
];
