import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireLabels, requirePrometheusSelector } from '../common/validate';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { _restrictedContainer, _runbookLinks } from './private/restricted-container';
import { requirePinnedImage } from './image';
import { _cronJobLateExpr } from './private/cronjob-late';

/** Props for {@link ReaderKeyRotation}. */
export interface ReaderKeyRotationProps {
  /**
   * The IAM user whose access key the Secret holds, allowed to create, list and delete its own keys only: a DR
   * stack's `DrSecretStore.readerUsers[<region>]` for that region's cluster.
   */
  readonly iamUser: string;
  /** The Secret External Secrets reads the key from (keys `access-key-id`, `secret-access-key`). @default - `aws-secrets-reader` in `external-secrets` */
  readonly secret?: { readonly name: string; readonly namespace: string };
  /** AWS CLI image, pinned. @default 'amazon/aws-cli:2.27.50' */
  readonly awsCliImage?: string;
  /** kubectl image, pinned. @default 'registry.k8s.io/kubectl:v1.35.0' */
  readonly kubectlImage?: string;
  /** Labels the platform's Prometheus selects rules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Record<string, string>;
  /** Base URL of the runbooks; the alert links to `<base>/ReaderKeyRotationLate`. @default - no link */
  readonly runbookBaseUrl?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

const NAME = 'aws-secrets-reader-rotation';
const KEYS = '/keys';
/** Weekly, Monday 03:17 UTC; the alert fires when no rotation succeeded for a day longer than that. */
const SCHEDULE = '17 3 * * 1';
const LATE_SECONDS = 8 * 86400;
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Throws unless `value` is an IAM user name (IAM API reference, CreateUser: `UserName`, pattern `[\w+=,.@-]+`, 1 to 64
 * characters). @internal
 */
export function _requireIamUserName(path: string, prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(value)) {
    throw invalidProp(path, prop, value, 'must be an IAM user name (1-64 of letters, digits and +=,.@_-)');
  }
  return value;
}

/**
 * Step 1 (AWS CLI, with the key in the Secret): forget a key a broken earlier run left (any key of the user but the
 * one in use), create the next one and write it, and the Secret's patch, to an in-memory volume. IAM allows two keys
 * per user, so the leftover goes first. @internal
 */
export function _rotationCreateScript(): string {
  return [
    'set -eu',
    'for id in $(aws iam list-access-keys --user-name "$IAM_USER" --query "AccessKeyMetadata[].AccessKeyId" --output text); do',
    '  if [ "$id" != "$AWS_ACCESS_KEY_ID" ]; then aws iam delete-access-key --user-name "$IAM_USER" --access-key-id "$id"; fi',
    'done',
    `aws iam create-access-key --user-name "$IAM_USER" --query "AccessKey.[AccessKeyId,SecretAccessKey]" --output text > ${KEYS}/new`,
    `read -r id secret < ${KEYS}/new`,
    `rm -f ${KEYS}/new`,
    `printf %s "$id" > ${KEYS}/id; printf %s "$secret" > ${KEYS}/secret; printf %s "$AWS_ACCESS_KEY_ID" > ${KEYS}/old`,
    `printf '{"data":{"access-key-id":"%s","secret-access-key":"%s"}}' "$(printf %s "$id" | base64 -w0)" "$(printf %s "$secret" | base64 -w0)" > ${KEYS}/patch.json`,
    'echo "created access key $id for $IAM_USER"',
  ].join('\n');
}

/** Step 3 (AWS CLI, with the new key): wait until IAM accepts it, then delete the old one. @internal */
export function _rotationRetireScript(): string {
  return [
    'set -eu',
    `AWS_ACCESS_KEY_ID=$(cat ${KEYS}/id); AWS_SECRET_ACCESS_KEY=$(cat ${KEYS}/secret); export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY`,
    // IAM is eventually consistent: a new key may be refused for a few seconds.
    'i=0; until aws sts get-caller-identity >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -lt 24 ] || { echo "the new key is not accepted after 2 min: the old one is kept" >&2; exit 1; }; sleep 5; done',
    `old=$(cat ${KEYS}/old)`,
    'if [ "$old" != "$AWS_ACCESS_KEY_ID" ]; then aws iam delete-access-key --user-name "$IAM_USER" --access-key-id "$old"; fi',
    'echo "retired access key $old of $IAM_USER"',
  ].join('\n');
}

/**
 * Rotates the AWS access key External Secrets reads the store with on a cluster outside AWS (DigitalOcean: no pod
 * identity there), weekly: a CronJob whose pod creates the user's next key with the current one, writes it into the
 * one Secret (its Role may get and patch that Secret only, by `resourceNames`), and deletes the old key once IAM
 * accepts the new. The key values move between the pod's containers on an in-memory volume and into the Secret,
 * never into logs or Git. `ReaderKeyRotationLate` warns when no rotation succeeded for eight days (the key is older
 * than the rotation period). The first key is created by hand (the DR runbook); the user must be allowed to manage
 * its own keys only (`DrSecretStore.readerUsers`).
 */
export class ReaderKeyRotation extends Construct {
  /** The CronJob's schedule. */
  public readonly schedule = SCHEDULE;

  constructor(scope: Construct, id: string, props: ReaderKeyRotationProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireLabels(path, 'labels', props.labels);
    _requireIamUserName(path, 'iamUser', props.iamUser);
    const secret = props.secret ?? { name: 'aws-secrets-reader', namespace: 'external-secrets' };
    const namespace = requireDnsLabel(path, 'secret.namespace', secret.namespace);
    requireDnsLabel(path, 'secret.name', secret.name);
    const awsCli = requirePinnedImage(path, 'awsCliImage', props.awsCliImage ?? 'amazon/aws-cli:2.27.50');
    const kubectl = requirePinnedImage(path, 'kubectlImage', props.kubectlImage ?? 'registry.k8s.io/kubectl:v1.35.0');
    const selector = requirePrometheusSelector(
      path,
      'prometheusSelector',
      props.prometheusSelector ?? { release: 'kube-prometheus-stack' },
    );
    const runbook = _runbookLinks(props.runbookBaseUrl, (v) => invalidProp(path, 'runbookBaseUrl', v, 'must be an https:// URL'));
    const labels = {
      ...props.labels,
      'app.kubernetes.io/name': NAME,
      'app.kubernetes.io/component': 'credential-rotation',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    const meta = { name: NAME, namespace, labels };
    const size = { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 };
    const keys = { name: 'keys', mountPath: KEYS };
    const aws = (name: string, script: string) => ({
      name,
      image: awsCli,
      command: ['/bin/sh', '-c', script],
      env: [
        { name: 'IAM_USER', value: props.iamUser },
        // IAM and STS are global; the CLI still wants a region for their endpoints.
        { name: 'AWS_REGION', value: 'us-east-1' },
        { name: 'HOME', value: '/tmp' },
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: secret.name, key: 'access-key-id' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: secret.name, key: 'secret-access-key' } } },
      ],
      ..._restrictedContainer(size),
      volumeMounts: [keys, { name: 'tmp', mountPath: '/tmp' }],
    });

    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    });
    _apiObject<IRole>(this, 'Role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta,
      // That one Secret: `kubectl patch` reads it, then patches it.
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret.name], verbs: ['get', 'patch'] }],
    });
    _apiObject<IRoleBinding>(this, 'RoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    });
    _apiObject<ICronJob>(this, 'CronJob', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta,
      spec: {
        schedule: SCHEDULE,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            // A failed run is retried by the next schedule (and it cleans up what this one left), not at once.
            backoffLimit: 0,
            activeDeadlineSeconds: 600,
            ttlSecondsAfterFinished: 86400,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: NAME,
                // The API token goes to the kubectl step only (projected below), not to the steps holding AWS keys.
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
                initContainers: [
                  aws('create', _rotationCreateScript()),
                  {
                    name: 'store',
                    image: kubectl,
                    command: [
                      'kubectl',
                      'patch',
                      'secret',
                      secret.name,
                      '--namespace',
                      namespace,
                      '--type',
                      'merge',
                      '--patch-file',
                      `${KEYS}/patch.json`,
                    ],
                    ..._restrictedContainer(size),
                    volumeMounts: [keys, { name: 'api-token', mountPath: SA_DIR, readOnly: true }],
                  },
                ],
                containers: [aws('retire', _rotationRetireScript())],
                volumes: [
                  { name: 'keys', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
                  { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
                  {
                    name: 'api-token',
                    projected: {
                      sources: [
                        { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
                      ],
                    },
                  },
                ],
              },
            },
          },
        },
      },
    });
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { ...meta, labels: { ...labels, ...selector } },
      spec: {
        groups: [
          {
            name: `${namespace}-${NAME}`,
            rules: [
              {
                // Late, or never succeeded since the CronJob was created more than eight days ago.
                alert: 'ReaderKeyRotationLate',
                expr: _cronJobLateExpr(namespace, NAME, LATE_SECONDS),
                for: '1h',
                labels: { severity: 'warning', namespace },
                annotations: {
                  summary: `The AWS key in ${namespace}/${secret.name} has not been rotated for more than 8 days`,
                  description: `The CronJob ${NAME} in ${namespace} rotates the access key of the IAM user ${props.iamUser} weekly; see its last Jobs' logs (a run that failed after creating a key leaves two: the next run deletes the unused one).`,
                  ...runbook('ReaderKeyRotationLate'),
                },
              },
            ],
          },
        ],
      },
    });
    _apiObject<INetworkPolicy>(this, 'Network', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...meta, name: `${NAME}-egress-only` },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        // Nothing connects to it; it reaches IAM, STS and the cluster's API server over HTTPS.
        policyTypes: ['Ingress', 'Egress'],
        egress: [_dnsEgressRule(), { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
      },
    });
  }
}
