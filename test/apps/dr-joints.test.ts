/**
 * The joints of the DigitalOcean DR pair, read from both engines' synthesized output (Terraform JSON of the DR stack,
 * YAML of each DR cluster): every port, host name, secret entry and address one side uses is produced by the other.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { referenceCloud, referenceConfig as config, referenceKubernetes } from '../util/reference';
import { DR_MARKERS, drReferenceMarkdown } from '../../scripts/dr-doc';
import { nodeOf, nodePoolOf } from '../../scripts/real-engines/cloud-nodes';
import { podTemplates } from '../../scripts/real-engines/gitops';
import { requiredNodeLabels } from '../../scripts/real-engines/scheduling';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON and YAML are untyped
type Obj = Record<string, any>;

const platform = referenceCloud();
const tf: Obj = JSON.parse(Testing.synth(platform.dr as Parameters<typeof Testing.synth>[0]));
const resources = (type: string): Obj[] => Object.values(tf.resource[type] ?? {});
const byRef = (ref: string): Obj => {
  const [type, id] = ref.replace(/^\$\{/, '').split('.');
  return tf.resource[type][id];
};
const regions = ['nyc3', 'sfo3'] as const;

const k8s: Record<string, Obj[]> = {};
beforeAll(() => {
  const out = referenceKubernetes();
  for (const { file, objects } of out.files) {
    const cluster = file.startsWith('dr-') ? file.split('/')[0] : /^(argocd|platform)\/(dr-[a-z0-9]+)/.exec(file)?.[2];
    if (cluster) (k8s[cluster] ??= []).push(...objects!);
  }
});

const of = (cluster: string, kind: string) => k8s[cluster].filter((o) => o.kind === kind);
const loadBalancerOf = (region: string) => resources('digitalocean_loadbalancer').find((lb) => lb.name === `samokoder-${region}-ingress`)!;
const vpcOf = (region: string) => resources('digitalocean_vpc').find((v) => v.region === region)!;

describe.each(regions)('DR cluster dr-%s', (region) => {
  const cluster = `dr-${region}`;

  test('every pod can be placed on the nodes DOKS registers (no required label they lack, such as a zone)', () => {
    const pool = nodePoolOf([{ name: 'samokoder-dr', json: tf }], cluster)!;
    expect(pool).toMatchObject({ cloud: 'digitalocean', region, instanceType: 's-4vcpu-8gb', autoscaled: true });
    const labels = Object.keys(nodeOf(pool, 0).metadata.labels);
    expect(labels).not.toContain('topology.kubernetes.io/zone');
    const templates = podTemplates(k8s[cluster]);
    expect(templates.length).toBeGreaterThan(0);
    for (const { owner, template } of templates) {
      const missing = requiredNodeLabels(template.spec).filter((k) => !labels.includes(k));
      expect([`${owner.kind}/${owner.metadata.name}`, missing]).toEqual([`${owner.kind}/${owner.metadata.name}`, []]);
    }
  });

  test('every secret entry its ExternalSecrets read is created by the DR stack, in the region its store reads', () => {
    const created = new Set(resources('aws_secretsmanager_secret').map((s) => s.name));
    const keys = of(cluster, 'ExternalSecret').flatMap((es) => [
      ...(es.spec.data ?? []).map((d: Obj) => d.remoteRef.key),
      ...(es.spec.dataFrom ?? []).map((d: Obj) => d.extract.key),
    ]);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(created).toContain(key);
    const store = of(cluster, 'ClusterSecretStore')[0];
    expect(store.spec.provider.aws.region).toBe(tf.provider.aws[0].region);
    // DigitalOcean has no pod identity: the store authenticates with the read-only key, never a role.
    expect(store.spec.provider.aws.auth.secretRef.accessKeyIDSecretRef.name).toBe('aws-secrets-reader');
  });

  test('the connection entry the apps extract carries the database and cache URLs they do not get elsewhere', () => {
    const connection = resources('aws_secretsmanager_secret').find((s) => s.name === `samokoder/production-dr/${region}/connection`)!;
    const version = resources('aws_secretsmanager_secret_version').find((v) => v.secret_id.includes(`Connection-${region}`))!;
    const keys = Object.keys(JSON.parse(version.secret_string));
    expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'DATABASE_HOST', 'DATABASE_PORT', 'FILES_BUCKET']));
    const extracted = of(cluster, 'ExternalSecret').filter((es) =>
      (es.spec.dataFrom ?? []).some((d: Obj) => d.extract.key === connection.name),
    );
    expect(extracted.map((es) => es.metadata.name).sort()).toEqual(['api-connection', 'bot-connection']);
    // The variables come from one place only: the app entry does not declare them again.
    const fromApp = of(cluster, 'ExternalSecret').flatMap((es) => (es.spec.data ?? []).map((d: Obj) => d.secretKey));
    expect(fromApp).not.toContain('DATABASE_URL');
    expect(fromApp).not.toContain('REDIS_URL');
    // Its database address is the pool in the primary's network, its cache the region's own Valkey.
    const secret = JSON.parse(version.secret_string);
    expect(secret.DATABASE_PORT).toBe('25061');
    expect(byRef(secret.DATABASE_URL).name).toBe('samokoder-pool');
    expect(byRef(secret.REDIS_URL).name).toBe(`samokoder-valkey-${region}`);
  });

  test("the cluster's read policy names exactly the entries its ExternalSecrets read, no other region's", () => {
    const read = new Set(
      of(cluster, 'ExternalSecret').flatMap((es) => [
        ...(es.spec.dataFrom ?? []).map((d: Obj) => d.extract.key),
        ...(es.spec.data ?? []).map((d: Obj) => d.remoteRef.key),
      ]),
    );
    const policy = resources('aws_iam_policy').find((p) => p.name === `samokoder-production-dr-${region}-secrets-read`)!;
    const statement = JSON.parse(policy.policy).Statement[0];
    const granted = (statement.Resource as string[]).map((ref) => byRef(ref).name as string);
    expect(granted.sort()).toEqual([...read].sort());
  });

  test("the cluster's reader is an IAM user of its own, with that read policy, allowed only to rotate its own access key", () => {
    const users = resources('aws_iam_user').filter((u) => u.name === `samokoder-production-dr-${region}-secrets-reader`);
    expect(users).toHaveLength(1);
    const ref = (type: string, id: string, attr: string) =>
      expect.stringMatching(new RegExp(`^\\$\\{${type}\\.Secrets_${id}-${region}_[A-Z0-9]+\\.${attr}\\}$`));
    // Its permissions are on a group of its own (Checkov CKV_AWS_40), with the user its only member.
    const groups = resources('aws_iam_group').filter((g) => g.name === `samokoder-production-dr-${region}-secrets-reader`);
    expect(groups).toHaveLength(1);
    expect(resources('aws_iam_group_membership').filter((m) => m.group.includes(`ReaderGroup-${region}_`))).toEqual([
      {
        name: `samokoder-production-dr-${region}-secrets-reader`,
        group: ref('aws_iam_group', 'ReaderGroup', 'name'),
        users: [ref('aws_iam_user', 'Reader', 'name')],
      },
    ]);
    expect(resources('aws_iam_group_policy_attachment').filter((a) => a.group.includes(`ReaderGroup-${region}_`))).toEqual([
      {
        group: ref('aws_iam_group', 'ReaderGroup', 'name'),
        policy_arn: expect.stringContaining('aws_iam_policy.Secrets_ReadPolicy-' + region),
      },
    ]);
    const inline = resources('aws_iam_group_policy').filter((p) => p.group.includes(`ReaderGroup-${region}_`));
    expect(inline).toHaveLength(1);
    expect(JSON.parse(inline[0].policy).Statement).toEqual([
      {
        Sid: 'RotateOwnAccessKey',
        Effect: 'Allow',
        Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys'],
        Resource: ref('aws_iam_user', 'Reader', 'arn'),
      },
    ]);
    // Nothing is attached to the user itself.
    expect([...resources('aws_iam_user_policy'), ...resources('aws_iam_user_policy_attachment')]).toEqual([]);
  });

  test("the cluster rotates its store's key weekly: the Secret the ClusterSecretStore reads, of the IAM user the DR stack made for it", () => {
    const auth = of(cluster, 'ClusterSecretStore')[0].spec.provider.aws.auth.secretRef;
    const secret = { name: auth.accessKeyIDSecretRef.name, namespace: auth.accessKeyIDSecretRef.namespace };
    expect(auth.secretAccessKeySecretRef).toMatchObject(secret);
    const jobs = of(cluster, 'CronJob').filter((j) => j.metadata.name === 'aws-secrets-reader-rotation');
    expect(jobs.map((j) => [j.metadata.namespace, j.spec.schedule])).toEqual([[secret.namespace, '17 3 * * 1']]);
    const pod = jobs[0].spec.jobTemplate.spec.template.spec;
    const aws = [...pod.initContainers, ...pod.containers].filter((c: Obj) => c.env);
    expect(aws.map((c: Obj) => c.name)).toEqual(['create', 'retire']);
    const user = resources('aws_iam_user').find((u) => u.name === `samokoder-production-dr-${region}-secrets-reader`)!;
    for (const c of aws) {
      const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
      expect(env.IAM_USER).toBe(user.name);
      expect(env.AWS_ACCESS_KEY_ID).toEqual({ name: secret.name, key: auth.accessKeyIDSecretRef.key });
      expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ name: secret.name, key: auth.secretAccessKeySecretRef.key });
    }
    const store = pod.initContainers.find((c: Obj) => c.name === 'store');
    expect(store.command.slice(0, 6)).toEqual(['kubectl', 'patch', 'secret', secret.name, '--namespace', secret.namespace]);
    // Its Role may touch that one Secret, and nothing else.
    const role = of(cluster, 'Role').find((r) => r.metadata.name === 'aws-secrets-reader-rotation')!;
    expect(role.metadata.namespace).toBe(secret.namespace);
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret.name], verbs: ['get', 'patch'] }]);
  });

  test('migrations run only where the writer is, on the direct port: never twice at once through the pools', () => {
    const jobs = of(cluster, 'Job').filter((j) => j.metadata.name.endsWith('-migrate'));
    if (region === 'sfo3') {
      expect(jobs).toEqual([]);
      return;
    }
    expect(jobs.map((j) => j.metadata.name)).toEqual(['api-migrate']);
    const env = jobs[0].spec.template.spec.containers[0].env as Obj[];
    expect(env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'api-connection', key: 'DATABASE_DIRECT_URL' } },
    });
    const version = resources('aws_secretsmanager_secret_version').find((v) => v.secret_id.includes(`Connection-${region}`))!;
    const direct = JSON.parse(version.secret_string).DATABASE_DIRECT_URL as string;
    // The pool's URI (same host, the app's user) with the direct port and the database, rewritten by Terraform in a
    // local: no connection string with a password reference in the output (secretlint's preset reads one as one).
    expect(direct).toMatch(/^\$\{local\.[A-Za-z0-9_]+\}$/);
    expect(tf.locals[direct.slice(8, -1)]).toBe(
      '${replace(replace(digitalocean_database_connection_pool.Data_Pool_EB665B44.private_uri, ":25061/", ":25060/"), "/samokoder-pool?", "/samokoder?")}',
    );
  });

  test('two migration runners reaching one writer take turns: the Job starts only once it holds the lock, and refuses a replica', () => {
    // After a failover and before Git swaps the roles, the old primary's cluster and the new one's both migrate against
    // the promoted writer (the scripts repointed both entries): a session-level advisory lock serializes them.
    const jobs = of(cluster, 'Job').filter((j) => j.metadata.name.endsWith('-migrate'));
    if (region === 'sfo3') return;
    const pod = jobs[0].spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const lock = pod.initContainers[0];
    expect(lock.name).toBe('migration-lock');
    // A native sidecar: it runs beside the migration, and the migration starts only after its startup probe passes.
    expect(lock.restartPolicy).toBe('Always');
    expect(lock.startupProbe.exec.command).toEqual(['test', '-f', '/run/migration-lock/held']);
    expect(lock.env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'api-connection', key: 'DATABASE_DIRECT_URL' } },
    });
    const script = lock.command[2] as string;
    expect(script).toContain('pg_is_in_recovery()');
    expect(script).toMatch(/SELECT pg_advisory_lock\(\d+\);/);
  });

  test("the cluster writes the heartbeat the secondary reads on the replica, in the apps' database", () => {
    const writers = of(cluster, 'Deployment').filter((d) => d.metadata.name === 'replication-heartbeat');
    // Both clusters write it, each into the writer its entry names: after a failover only the secondary is trusted by
    // the promoted writer, and fail-back waits for a heartbeat replayed from it.
    expect(writers).toHaveLength(1);
    expect(writers[0].spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef).toEqual({
      name: 'replication-heartbeat',
      key: 'DATABASE_DIRECT_URL',
    });
    const monitor = resources('aws_secretsmanager_secret_version').find((v) => v.secret_id.includes('ReplicaMonitor'))!;
    const dsn = JSON.parse(monitor.secret_string).DATA_SOURCE_NAME as string;
    expect(dsn).toMatch(/^\$\{local\.[A-Za-z0-9_]+\}$/);
    expect(tf.locals[dsn.slice(8, -1)]).toMatch(
      /^\$\{replace\(digitalocean_database_replica\.Data_Replica_[A-Z0-9]+\.private_uri, "\/\$\{digitalocean_database_replica\.Data_Replica_[A-Z0-9]+\.database\}\?", "\/samokoder\?"\)\}$/,
    );
  });

  test('the load balancer forwards to the NodePort the proxies pin, on the listener that serves the routes', () => {
    const lb = loadBalancerOf(region);
    const ports = new Set(lb.forwarding_rule.map((r: Obj) => r.target_port));
    expect(ports.size).toBe(1);
    const [nodePort] = [...ports];
    expect(lb.healthcheck.port).toBe(nodePort);
    const proxy = of(cluster, 'EnvoyProxy')[0].spec.provider.kubernetes.envoyService;
    expect(proxy.type).toBe('NodePort');
    const [pinned] = proxy.patch.value.spec.ports;
    expect(pinned.nodePort).toBe(nodePort);
    const gateway = of(cluster, 'Gateway')[0];
    const listener = gateway.spec.listeners.find((l: Obj) => l.port === pinned.port);
    // TLS ends at the load balancer (its forwarding rule to the nodes is plain HTTP): the listener serves, not redirects.
    expect(lb.forwarding_rule.every((r: Obj) => r.target_protocol === 'http')).toBe(true);
    expect(listener.protocol).toBe('HTTP');
    expect(gateway.spec.listeners).toHaveLength(1);
    expect(
      of(cluster, 'HTTPRoute').some((r) => r.spec.rules.some((x: Obj) => (x.filters ?? []).some((f: Obj) => f.type === 'RequestRedirect'))),
    ).toBe(false);
    // The quota of the gateway's namespace forbids NodePorts; the proxies' Service lives in the controller's namespace.
    const proxyNamespace = of(cluster, 'EnvoyProxy')[0].metadata.namespace;
    expect(proxyNamespace).not.toBe(gateway.metadata.namespace);
    const quotas = of(cluster, 'ResourceQuota').filter((q) => q.metadata.namespace === proxyNamespace);
    expect(quotas.every((q) => q.spec.hard['services.nodeports'] !== '0')).toBe(true);
  });

  test("the load balancer's health probe is routed, with any Host, to the api's health path", () => {
    const lb = loadBalancerOf(region);
    const probe = of(cluster, 'HTTPRoute').find(
      (r) => !r.spec.hostnames && r.spec.rules.some((x: Obj) => x.matches.some((m: Obj) => m.path.value === lb.healthcheck.path)),
    )!;
    expect(probe.spec.parentRefs[0].sectionName).toBe('http');
    const rule = probe.spec.rules[0];
    expect(rule.matches[0].path.type).toBe('Exact');
    expect(rule.filters[0].urlRewrite.path.replaceFullPath).toBe('/health');
    const api = of(cluster, 'Service').find((s) => s.metadata.name === rule.backendRefs[0].name)!;
    expect(api.spec.ports.map((p: Obj) => p.port)).toContain(rule.backendRefs[0].port);
  });

  test('the hosts served are exactly the ones the certificate, the global entry and the uptime checks use', () => {
    const cert = resources('digitalocean_certificate')[0];
    const glb = resources('digitalocean_loadbalancer').find((lb) => lb.type === 'GLOBAL')!;
    const served = new Set(of(cluster, 'HTTPRoute').flatMap((r) => r.spec.hostnames ?? []));
    for (const host of served) expect(cert.domains).toContain(host);
    // Every global host is served here; the regional name of this region (and only this one) too.
    for (const d of glb.domains) expect(served).toContain(d.name);
    const regional = `${region}.${config.dr.host}`;
    expect(served).toContain(regional);
    const other = regions.find((r) => r !== region)!;
    expect(served).not.toContain(`${other}.${config.dr.host}`);
    // What the uptime checks request is served: host and path.
    const checks = resources('digitalocean_uptime_check').map((c) => new URL(c.target));
    for (const url of checks.filter((u) => u.hostname === config.dr.host || u.hostname === regional)) {
      const routes = of(cluster, 'HTTPRoute').filter((r) => (r.spec.hostnames ?? []).includes(url.hostname));
      expect(routes.some((r) => r.spec.rules.some((x: Obj) => x.matches.some((m: Obj) => url.pathname.startsWith(m.path.value))))).toBe(
        true,
      );
    }
    // No AWS production host leaks into the DR pair.
    expect([...served].some((h) => h === 'api.samokoder.com' || h === 'bot.samokoder.com')).toBe(false);
  });

  test('private egress goes to the DigitalOcean networks on the managed databases ports, nothing AWS-only', () => {
    const vpcs = new Set(regions.map((r) => vpcOf(r).ip_range));
    const privateRules = of(cluster, 'NetworkPolicy')
      .filter((np) => np.metadata.namespace === 'samokoder')
      .flatMap((np) => np.spec.egress ?? [])
      .filter((rule: Obj) => (rule.to ?? []).some((t: Obj) => t.ipBlock && t.ipBlock.cidr !== '0.0.0.0/0'));
    expect(privateRules.length).toBeGreaterThan(0);
    for (const rule of privateRules) {
      for (const t of rule.to) expect(vpcs).toContain(t.ipBlock.cidr);
      for (const p of rule.ports) expect([25060, 25061]).toContain(p.port);
    }
    const text = JSON.stringify(k8s[cluster]);
    expect(text).not.toContain('169.254.170.23');
    expect(text).not.toMatch(/"port":(5432|6379)\b/);
    expect(text).not.toContain('"samokoder/production/');
  });

  test("Argo CD syncs this cluster's own manifests", () => {
    const paths = of(cluster, 'Application')
      .map((a) => a.spec.source?.path)
      .filter((p) => p && p.startsWith('dist/') && !p.startsWith('dist/argocd') && !p.startsWith('dist/platform'));
    expect(paths.length).toBe(4);
    for (const p of paths) expect(p.startsWith(`dist/${cluster}/`)).toBe(true);
  });
});

test('the replica accepts only the secondary cluster; the pair-wide secrets policy (deprecated) reads only the DR prefix', () => {
  const firewall = resources('digitalocean_database_firewall').find((f) => String(f.cluster_id).includes('database_replica'))!;
  expect(firewall.rule).toHaveLength(1);
  expect(byRef(firewall.rule[0].value).name).toBe('samokoder-sfo3');
  const policy = JSON.parse(resources('aws_iam_policy').find((p) => p.name === 'samokoder-production-dr-secrets-read')!.policy);
  expect(policy.Statement[0].Resource).toMatch(/:secret:samokoder\/production-dr\/\*$/);
  expect(policy.Statement[0].Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
});

test("docs/multi-region-dr.md's traffic path and recovery figures are the reference stack's (npm run docs:dr)", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'multi-region-dr.md'), 'utf8');
  const [start, end] = DR_MARKERS;
  const block = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
  expect(block).toBe(drReferenceMarkdown().trim());
  // The summary is the runbook's own text: the page and the generated runbook say the same.
  expect(platform.dr.failoverPlan.runbook).toContain(platform.dr.failoverPlan.summary);
});

test("a primary outage pages the on-call: the secondary probes what the uptime check of the primary requests, and its namespace's routes send PrimaryRegionDown to PagerDuty", () => {
  const uptime = resources('digitalocean_uptime_check').find((c) => c.name === 'samokoder-production-nyc3')!;
  const monitor = of('dr-sfo3', 'ServiceMonitor').find((m) => m.metadata.name === 'primary-probe');
  expect(monitor?.spec.endpoints[0].params.target).toEqual([uptime.target]);
  const rule = of('dr-sfo3', 'PrometheusRule')
    .flatMap((r) => r.spec.groups.flatMap((g: Obj) => g.rules))
    .find((r: Obj) => r.alert === 'PrimaryRegionDown');
  expect(rule?.labels).toEqual({ severity: 'critical', namespace: 'samokoder' });
  // prometheus-operator scopes a namespaced AlertmanagerConfig to alerts whose `namespace` label is its namespace;
  // within it, the first route whose matchers all match takes the alert (continue: false).
  const matches = (m: Obj) =>
    m.matchType === '=~' ? new RegExp(`^(?:${m.value})$`).test(rule.labels[m.name] ?? '') : rule.labels[m.name] === m.value;
  const receivers = of('dr-sfo3', 'AlertmanagerConfig')
    .filter((c) => c.metadata.namespace === rule.labels.namespace)
    .map((c) => {
      const route = (c.spec.route.routes ?? []).find((r: Obj) => (r.matchers ?? []).every(matches)) ?? c.spec.route;
      return c.spec.receivers.find((r: Obj) => r.name === route.receiver);
    });
  expect(receivers.length).toBeGreaterThan(0);
  for (const r of receivers) expect(r.pagerdutyConfigs?.[0].routingKey).toEqual({ name: 'alerting', key: 'pagerduty-routing-key' });
});
