/**
 * verify:k8s, part three of each cluster: every PersistentVolumeClaim binds. The cluster gets the StorageClasses its
 * cloud ships, the claims prometheus-operator's StatefulSets ask for, and a stand-in for the cloud's CSI provisioner;
 * kube-controller-manager's PersistentVolume binder (running in the control plane) then binds claim and volume. A
 * claim stays Pending, and is reported, when it names a class the cluster does not have (or names none and the
 * cluster has no default), when the class's provisioner does not run on the cloud, or when the provisioner cannot
 * give the access mode it asks for. Modelled from the sources (the checker does not read the library's own model):
 *
 * - EKS ships one class, `gp2` (provisioner `kubernetes.io/aws-ebs`, WaitForFirstConsumer, reclaim Delete), and
 *   since Kubernetes 1.30 without the default annotation ("Amazon EKS no longer includes the default annotation on
 *   the gp2 StorageClass resource applied to newly created clusters": EKS user guide, Kubernetes 1.30). The in-tree
 *   plugin is migrated to the EBS CSI driver (CSIMigrationAWS, GA in 1.25): without the `aws-ebs-csi-driver`
 *   add-on nothing provisions gp2 either. EBS volumes attach to one node: ReadWriteOnce and ReadWriteOncePod
 *   (aws-ebs-csi-driver docs/modify-volume.md and the driver's capabilities: SINGLE_NODE_WRITER,
 *   SINGLE_NODE_MULTI_WRITER; multi-attach is io2 block mode only).
 * - DOKS ships `do-block-storage` (default), `do-block-storage-retain`, `do-block-storage-xfs` and
 *   `do-block-storage-xfs-retain`, provisioner `dobs.csi.digitalocean.com`, Immediate binding, expansion allowed
 *   (digitalocean/csi-digitalocean deploy/kubernetes/releases/csi-digitalocean-v4.x/driver.yaml). Volumes are
 *   ReadWriteOnce only (the driver's supportedAccessMode: SINGLE_NODE_WRITER; DigitalOcean's docs: "Volumes can only
 *   be attached to one Droplet at a time", so ReadWriteMany claims stay Pending).
 * - prometheus-operator v0.93.0 names the StatefulSet of a Prometheus `prometheus-<name>` (shard 0) and of an
 *   Alertmanager `alertmanager-<name>`, and the storage claim template `<prefixed name>-db` unless the
 *   volumeClaimTemplate names it (pkg/prometheus/statefulset.go, pkg/alertmanager/statefulset.go volumeName); the
 *   StatefulSet controller names each claim `<template>-<statefulset>-<ordinal>`.
 *
 * Not modelled: WaitForFirstConsumer (the stand-in provisions at once; the scheduler's VolumeBinding plugin would wait
 * for the pod) and zonal topology of EBS volumes.
 */
import { ControlPlane } from './control-plane';
import { sleep } from './engines';
import { K8sObject } from './gitops';

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** The StorageClasses each cloud's managed Kubernetes creates in a new cluster. */
export function cloudStorageClasses(cloud: 'aws' | 'digitalocean'): K8sObject[] {
  const sc = (name: string, provisioner: string, extra: K8sObject) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, ...(extra.default ? { annotations: { [DEFAULT_CLASS]: 'true' } } : {}) },
    provisioner,
    reclaimPolicy: extra.reclaimPolicy ?? 'Delete',
    volumeBindingMode: extra.volumeBindingMode ?? 'Immediate',
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    ...(extra.allowVolumeExpansion ? { allowVolumeExpansion: true } : {}),
  });
  if (cloud === 'aws')
    return [sc('gp2', 'kubernetes.io/aws-ebs', { volumeBindingMode: 'WaitForFirstConsumer', parameters: { type: 'gp2', fsType: 'ext4' } })];
  const dobs = 'dobs.csi.digitalocean.com';
  return [
    sc('do-block-storage', dobs, { default: true, allowVolumeExpansion: true }),
    sc('do-block-storage-retain', dobs, { reclaimPolicy: 'Retain', allowVolumeExpansion: true }),
    sc('do-block-storage-xfs', dobs, { parameters: { fstype: 'xfs' }, allowVolumeExpansion: true }),
    sc('do-block-storage-xfs-retain', dobs, { reclaimPolicy: 'Retain', parameters: { fstype: 'xfs' }, allowVolumeExpansion: true }),
  ];
}

/** The CSI drivers that provision on each cloud, the access modes they give, and what must be installed for them. */
function provisioners(cloud: 'aws' | 'digitalocean', ebsCsiAddon: boolean): Map<string, { driver: string; modes: string[] }> {
  const single = ['ReadWriteOnce', 'ReadWriteOncePod'];
  if (cloud === 'digitalocean') return new Map([['dobs.csi.digitalocean.com', { driver: 'dobs.csi.digitalocean.com', modes: single }]]);
  if (!ebsCsiAddon) return new Map();
  return new Map([
    ['ebs.csi.aws.com', { driver: 'ebs.csi.aws.com', modes: single }],
    ['kubernetes.io/aws-ebs', { driver: 'ebs.csi.aws.com', modes: single }],
  ]);
}

/** The claims prometheus-operator's StatefulSets ask for (Prometheus and Alertmanager with storage). */
export function operatorClaims(objects: K8sObject[]): K8sObject[] {
  const out: K8sObject[] = [];
  for (const o of objects) {
    if (!['Prometheus', 'Alertmanager'].includes(o.kind) || !String(o.apiVersion).startsWith('monitoring.coreos.com/')) continue;
    const template = o.spec?.storage?.volumeClaimTemplate;
    if (!template) continue;
    const prefixed = `${o.kind.toLowerCase()}-${o.metadata.name}`;
    const claim = template.metadata?.name ?? `${prefixed}-db`;
    for (let i = 0; i < (o.spec?.replicas ?? 1); i++) {
      out.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${claim}-${prefixed}-${i}`, namespace: o.metadata.namespace },
        spec: { accessModes: ['ReadWriteOnce'], ...template.spec },
      });
    }
  }
  return out;
}

export interface VolumeResult {
  readonly problems: string[];
  readonly line: string;
}

/**
 * Binds every claim of the cluster the way its cloud would, and reports those that stay Pending. `stack` is the
 * cluster's Terraform stack (EKS: whether the EBS CSI add-on is installed).
 */
export async function verifyVolumes(
  cp: ControlPlane,
  objects: K8sObject[],
  cloud: 'aws' | 'digitalocean',
  stack?: K8sObject,
): Promise<VolumeResult> {
  const problems: string[] = [];
  const apply = async (items: K8sObject[], manager: string, what: string) => {
    if (items.length === 0) return;
    // kubectl apply --server-side --field-manager=<manager> (kube-client.ts).
    const r = await cp.client.apply(items, { fieldManager: manager });
    if (!r.ok) problems.push(`${what}: refused: ${r.error}`);
  };
  // kubectl get <kind> -A -o json; an unreadable list is a problem, not an empty one.
  const list = (kind: string) =>
    cp.client.list(kind === 'StorageClass' ? 'storage.k8s.io' : '', kind).catch((e: Error) => {
      problems.push(`reading the ${kind}s failed: ${e.message}`);
      return [] as K8sObject[];
    });
  await apply(cloudStorageClasses(cloud), cloud === 'aws' ? 'eks' : 'doks', `the StorageClasses ${cloud} ships`);
  await apply(operatorClaims(objects), 'kube-controller-manager', "prometheus-operator's StatefulSet claims");
  const addons = Object.values<K8sObject>(stack?.resource?.aws_eks_addon ?? {}).map((a) => a.addon_name);
  const running = provisioners(cloud, addons.includes('aws-ebs-csi-driver'));
  const classes = await list('StorageClass');
  const defaultClass = classes.find((c) => c.metadata?.annotations?.[DEFAULT_CLASS] === 'true');
  const claims = await list('PersistentVolumeClaim');
  const pending: string[] = [];
  for (const pvc of claims) {
    if (pvc.status?.phase === 'Bound') continue;
    const at = `PersistentVolumeClaim ${pvc.metadata.namespace}/${pvc.metadata.name}`;
    const name = pvc.spec.storageClassName ?? defaultClass?.metadata.name;
    const cls = classes.find((c) => c.metadata.name === name);
    const has = classes.map((c) => c.metadata.name).join(', ') || 'none';
    const why = !name
      ? `names no StorageClass and ${cloud} has no default one (it has: ${has})`
      : !cls
        ? `asks for StorageClass "${name}", which the cluster does not have (it has: ${has})`
        : !running.has(cls.provisioner)
          ? `StorageClass "${name}" is provisioned by ${cls.provisioner}, which does not run on this ${cloud} cluster${cloud === 'aws' ? ' (the EBS CSI driver add-on is not installed)' : ''}`
          : (pvc.spec.accessModes ?? []).find((m: string) => !running.get(cls.provisioner)!.modes.includes(m))
            ? `asks for ${pvc.spec.accessModes.join(', ')}, which ${cls.provisioner} cannot give (it gives ${running.get(cls.provisioner)!.modes.join(', ')})`
            : undefined;
    if (why || !cls) {
      pending.push(`${at}: stays Pending: ${why}`);
      continue;
    }
    // What the CSI external-provisioner creates for the claim; the PersistentVolume binder binds the two.
    await apply(
      [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `pvc-${pvc.metadata.uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': cls.provisioner } },
          spec: {
            capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
            accessModes: pvc.spec.accessModes,
            storageClassName: name,
            persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
            volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace: pvc.metadata.namespace,
              name: pvc.metadata.name,
              uid: pvc.metadata.uid,
            },
            csi: { driver: running.get(cls.provisioner)!.driver, volumeHandle: `vol-${pvc.metadata.uid}` },
          },
        },
      ],
      'external-provisioner',
      `${at}: its PersistentVolume`,
    );
  }
  let bound = 0;
  for (let waited = 0; waited <= 30; waited++) {
    const now = await list('PersistentVolumeClaim');
    bound = now.filter((c) => c.status?.phase === 'Bound').length;
    if (bound + pending.length >= claims.length) break;
    await sleep(1000);
  }
  if (bound + pending.length < claims.length)
    problems.push(`${claims.length - bound - pending.length} claims provisioned but not bound in 30 s`);
  problems.push(...pending);
  return { problems, line: `PVCs: ${bound} bound, ${claims.length - bound} pending of ${claims.length}` };
}

/** The negative controls: claims that must stay Pending on a DOKS cluster. Returns what got through. */
export async function volumeSelfTest(cp: ControlPlane, log: (m: string) => void): Promise<string[]> {
  const claim = (name: string, spec: K8sObject) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  });
  const cases = [
    // The finding of #24: Prometheus asked for gp3, which no DOKS (nor EKS) cluster has unless something creates it.
    { name: 'broken-gp3-on-doks', spec: { storageClassName: 'gp3' }, expect: /does not have/ },
    {
      name: 'broken-rwx-on-do-block',
      spec: { storageClassName: 'do-block-storage-retain', accessModes: ['ReadWriteMany'] },
      expect: /cannot give/,
    },
  ];
  const r = await cp.client.apply([...cases.map((c) => claim(c.name, c.spec)), claim('good-default', {})]);
  if (!r.ok) return [`[self-test] volumes: could not apply the claims: ${r.error}`];
  const result = await verifyVolumes(cp, [], 'digitalocean');
  const problems: string[] = [];
  for (const c of cases) {
    const caught = result.problems.find((p) => p.includes(c.name) && c.expect.test(p));
    if (!caught) problems.push(`[self-test] volumes: ${c.name} was bound, the checker let it through`);
    else log(`  self-test: ${c.name}: Pending (${caught.slice(0, 160)}…)`);
  }
  if (!/^PVCs: 1 bound/.test(result.line))
    problems.push(`[self-test] volumes: the good claim on the default class did not bind (${result.line})`);
  return problems;
}
