import { Construct } from 'constructs';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { _freeId, requireDnsLabel, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { AppSecret, requireSecretProperty, requireSecretReference, SecretStore } from './secrets';

/** Props for {@link SyncedSecret}. */
export interface SyncedSecretProps {
  /** Name of the ExternalSecret and of the Kubernetes Secret it maintains. */
  readonly name: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly store?: SecretStore;
  /** Keys taken one by one (key in the Secret = `envName`). @default [] */
  readonly secrets?: AppSecret[];
  /** Store entries whose every property becomes a key of the Secret. @default [] */
  readonly extractAll?: string[];
  /** How often External Secrets re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * A Kubernetes Secret kept in sync from the secret store by External Secrets: only the references (store entry,
 * property) are written, never a value. The Secret is owned by the ExternalSecret and kept if it is deleted.
 */
export class SyncedSecret extends Construct {
  /** Name of the Kubernetes Secret. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: SyncedSecretProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    this.secretName = requireDnsLabel(path, 'name', props.name, 253);
    const store = props.store ?? SecretStore.cluster('aws-secrets-manager');
    const secrets = props.secrets ?? [];
    const extract = props.extractAll ?? [];
    secrets.forEach((s, i) => {
      requireSecretReference(path, `secrets[${i}].remoteKey`, s.remoteKey);
      requireSecretProperty(path, `secrets[${i}].property`, s.property);
    });
    extract.forEach((k, i) => requireSecretReference(path, `extractAll[${i}]`, k));
    const data = secrets.map((s) => ({ secretKey: s.envName, remoteRef: { key: s.remoteKey, property: s.property } }));
    const dataFrom = extract.map((key) => ({ extract: { key } }));
    _apiObject<IExternalSecret>(this, 'ExternalSecret', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: this.secretName, ...(props.namespace ? { namespace: props.namespace } : {}), labels: { ...props.labels } },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { name: store.name, kind: store.kind },
        target: { name: this.secretName, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        ...(data.length > 0 ? { data } : {}),
        ...(dataFrom.length > 0 ? { dataFrom } : {}),
      },
    });
  }
}
