import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireLabels, requireNonEmpty } from '../common/validate';
import { kplus } from '../private/kplus';
import { AppSecret, rejectLiteralSecret, requireSecretProperty, requireSecretReference, SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';

/** Props for {@link AppConfig}. */
export interface AppConfigProps {
  /** App name: the objects are `<name>-config`, `<name>-connection` and `<name>-secrets`. */
  readonly name: string;
  /** Plain configuration as environment variables (a ConfigMap). Secrets here are refused. @default {} */
  readonly config?: Record<string, string>;
  /** Secrets by reference, synced by External Secrets into `<name>-secrets`. @default [] */
  readonly secrets?: AppSecret[];
  /** Store the ExternalSecrets read from. @default SecretStore.cluster('aws-secrets-manager') */
  readonly store?: SecretStore;
  /**
   * A store entry whose every property becomes an environment variable (the platform's connection settings), synced
   * into `<name>-connection`.
   * @default - none
   */
  readonly connectionEntry?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * Checks plain configuration and secret references: environment variable names, no secret values in config, store
 * references that are names (not values), no variable declared twice. `prefix` is put before prop names in messages.
 */
export function validateAppConfig(path: string, config: Record<string, string>, secrets: readonly AppSecret[]): void {
  for (const [key, value] of Object.entries(config)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw invalidProp(path, `config.${key}`, key, 'must be an environment variable name (letters, digits, _; not starting with a digit)');
    }
    if (typeof value !== 'string') {
      throw invalidProp(
        path,
        `config.${key}`,
        value,
        `must be a string: ConfigMap data holds strings only (the API server refuses ${typeof value}s); write ${JSON.stringify(String(value))}`,
      );
    }
    rejectLiteralSecret(path, 'config', key, value);
  }
  const seen = new Set<string>();
  secrets.forEach((s, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.envName)) {
      throw invalidProp(
        path,
        `secrets[${i}].envName`,
        s.envName,
        'must be an environment variable name (letters, digits, _; not starting with a digit)',
      );
    }
    requireSecretReference(path, `secrets[${i}].remoteKey`, s.remoteKey);
    requireNonEmpty(path, `secrets[${i}].property`, s.property);
    requireSecretProperty(path, `secrets[${i}].property`, s.property);
    if (seen.has(s.envName) || s.envName in config) {
      throw invalidProp(path, `secrets[${i}].envName`, s.envName, 'is declared twice (in secrets or config)');
    }
    seen.add(s.envName);
  });
}

/**
 * An app's environment: plain configuration in a ConfigMap and secrets by reference (ExternalSecrets), never a value.
 * Pods read them with {@link AppConfig.envFrom}; {@link AppConfig.podAnnotations} carry a hash of each, so a change
 * rolls the pods.
 */
export class AppConfig extends Construct {
  /** What a container's `envFrom` lists, in order: the ConfigMap, the connection settings, the secrets. */
  public readonly envFrom: kplus.EnvFrom[] = [];
  /** The same, as Kubernetes JSON (for pod specs written by hand, such as a migration Job). */
  public readonly envFromJson: Array<{ configMapRef: { name: string } } | { secretRef: { name: string } }> = [];
  /** Hashes of the configuration and of the secret declarations, for the pod template. */
  public readonly podAnnotations: Record<string, string> = {};
  /** The ConfigMap, when there is configuration. */
  public readonly configMap?: kplus.ConfigMap;
  /** The ExternalSecrets, in order (connection settings, secrets). */
  public readonly syncedSecrets: SyncedSecret[] = [];

  constructor(scope: Construct, id: string, props: AppConfigProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name);
    const config = props.config ?? {};
    const secrets = props.secrets ?? [];
    validateAppConfig(path, config, secrets);
    const store = props.store ?? SecretStore.cluster('aws-secrets-manager');
    const labels = { ...props.labels };

    if (Object.keys(config).length > 0) {
      this.configMap = new kplus.ConfigMap(this, 'Config', { metadata: { name: `${name}-config`, labels }, data: sortKeys(config) });
      this.envFrom.push(kplus.Env.fromConfigMap(this.configMap));
      this.envFromJson.push({ configMapRef: { name: `${name}-config` } });
      this.podAnnotations['samokoder.dev/config-hash'] = sha256(sortKeys(config));
    }
    if (props.connectionEntry !== undefined) {
      const connection = new SyncedSecret(this, 'ConnectionSettings', {
        name: `${name}-connection`,
        store,
        extractAll: [props.connectionEntry],
        labels,
      });
      this.syncedSecrets.push(connection);
      this.envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'ConnectionSecretRef', connection.secretName)));
      this.envFromJson.push({ secretRef: { name: connection.secretName } });
    }
    if (secrets.length > 0) {
      const synced = new SyncedSecret(this, 'Secrets', { name: `${name}-secrets`, store, secrets, labels });
      this.syncedSecrets.push(synced);
      this.envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'SecretsRef', synced.secretName)));
      this.envFromJson.push({ secretRef: { name: synced.secretName } });
      this.podAnnotations['samokoder.dev/secrets-hash'] = sha256(secrets.map((s) => [s.envName, s.remoteKey, s.property]));
    }
  }
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
