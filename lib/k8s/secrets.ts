import { invalidProp } from '../common/errors';
import { looksLikeLiteralSecret, looksLikeSecretValue } from '../common/secret-detection';

/** Where External Secrets reads secret values from. */
export class SecretStore {
  /** A cluster-wide `ClusterSecretStore` (the platform's, e.g. AWS Secrets Manager through Pod Identity). */
  public static cluster(name: string): SecretStore {
    return new SecretStore(name, 'ClusterSecretStore');
  }
  /** A namespaced `SecretStore`. */
  public static namespaced(name: string): SecretStore {
    return new SecretStore(name, 'SecretStore');
  }
  private constructor(
    public readonly name: string,
    public readonly kind: 'ClusterSecretStore' | 'SecretStore',
  ) {}
}

/**
 * One secret the application reads as an environment variable, declared by reference to a key in the secret store.
 * The value never appears in the synthesized YAML.
 */
export class AppSecret {
  /**
   * `envName` is filled from `property` of the store entry `remoteKey` (e.g. `samokoder/production/app`).
   * @param property a JSON property of the entry; defaults to `envName`.
   */
  public static fromStore(envName: string, remoteKey: string, property?: string): AppSecret {
    return new AppSecret(envName, remoteKey, property ?? envName);
  }
  private constructor(
    public readonly envName: string,
    public readonly remoteKey: string,
    public readonly property: string,
  ) {}
}

/** The secrets the Samokoder services read (from the brief). */
export const SAMOKODER_SECRET_KEYS = [
  'DATABASE_URL',
  'REDIS_URL',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'JWT_SECRET',
  'SENTRY_DSN',
  'SLACK_WEBHOOK_URL',
  'PAGERDUTY_ROUTING_KEY',
  'ENCRYPTION_KEY',
  'ENCRYPTION_SALT',
] as const;

/** One of {@link SAMOKODER_SECRET_KEYS}. */
export type SamokoderSecretKey = (typeof SAMOKODER_SECRET_KEYS)[number];

/** Declarations for the given keys, all read from the one store entry `remoteKey`. */
export function samokoderSecrets(remoteKey: string, keys: readonly SamokoderSecretKey[] = SAMOKODER_SECRET_KEYS): AppSecret[] {
  return keys.map((k) => AppSecret.fromStore(k, remoteKey));
}

/**
 * Throws when a plain configuration entry carries a secret: a credential-named key (`*_PASSWORD`, `*_PASS`,
 * `*_TOKEN`, `*_API_KEY`, …) with a value that could be one, or any value shaped like a credential (see
 * {@link looksLikeLiteralSecret}). Such values belong in the secret store.
 */
export function rejectLiteralSecret(path: string, prop: string, key: string, value: string): void {
  if (looksLikeLiteralSecret(key, value)) {
    throw invalidProp(
      path,
      `${prop}.${key}`,
      '<redacted>',
      'looks like a literal secret value: synthesized manifests are committed to Git. Declare it with AppSecret.fromStore() so External Secrets injects it',
    );
  }
}

/** Throws when the property of a store entry looks like a secret value instead of a property name. */
export function requireSecretProperty(path: string, prop: string, value: string): void {
  if (typeof value === 'string' && looksLikeSecretValue(value)) {
    throw invalidProp(path, prop, '<redacted>', 'must be the name of a property of the secret-store entry, never the secret value itself');
  }
}

/** Throws when a store reference looks like a secret value instead of a key name. */
export function requireSecretReference(path: string, prop: string, value: string): void {
  if (looksLikeSecretValue(value) || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(value)) {
    throw invalidProp(
      path,
      prop,
      '<redacted>',
      'must be the name of a secret-store entry (letters, digits and / _ + = . @ -), never the secret value itself',
    );
  }
}
