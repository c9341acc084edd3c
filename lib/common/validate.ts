import type { IConstruct } from 'constructs';
import { invalidDerivedProp, invalidProp } from './errors';
import { credentialArgumentIndex, looksLikeSecretValue } from './secret-detection';
import { secretlintFindings } from './secretlint';

/** Shared value checks. Each throws a {@link ValidationError} naming the path, prop, value and rule. */

/**
 * True for a value that is not known until deploy time: a cdktf token (`${TfToken[TOKEN.0]}` in a string, or the
 * huge negative number cdktf encodes a number token as). Like aws-cdk's `Token.isUnresolved`, checks of a value's
 * shape let such values through: Terraform checks them when it knows them. Detected by shape so that this module
 * does not load cdktf for cdk8s-only users.
 */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return /\$\{(Tf)?Token\[/.test(value);
  return typeof value === 'number' && value < -1e288;
}

export function requireIntegerInRange(path: string, prop: string, value: number, min: number, max: number): number {
  if (isUnresolved(value)) return value;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidProp(path, prop, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function requireNonEmpty(path: string, prop: string, value: string): string {
  if (value.trim().length === 0) throw invalidProp(path, prop, value, 'must not be empty');
  return value;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 1123 DNS label: the shape of Kubernetes names (namespaces, services, ports' targets). */
export function requireDnsLabel(path: string, prop: string, value: string, maxLength = 63, source?: string): string {
  if (isUnresolved(value)) return value;
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    const rule = `must be a DNS label: at most ${maxLength} characters of lower-case letters, digits and '-', starting and ending with a letter or digit`;
    throw source ? invalidDerivedProp(path, prop, value, source, rule) : invalidProp(path, prop, value, rule);
  }
  return value;
}

/** An RFC 1123 subdomain (dots allowed), at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** A public host name such as `api.samokoder.com` (at least two labels; `*.` prefix allowed for wildcards). */
export function requireHostname(path: string, prop: string, value: string): string {
  if (isUnresolved(value)) return value;
  const bare = value.startsWith('*.') ? value.slice(2) : value;
  if (!isDnsSubdomain(bare) || !bare.includes('.') || bare.split('.').some((l) => l.length > 63)) {
    throw invalidProp(
      path,
      prop,
      value,
      'must be a fully qualified lower-case host name such as "api.example.com" (RFC 1123; "*." allowed as a prefix)',
    );
  }
  // A top-level label is never numeric: `10.0.0.1` is an address, which routes, certificates and DNS records refuse.
  if (/^\d+$/.test(bare.split('.').pop() ?? '')) {
    throw invalidProp(path, prop, value, 'is an IP address, not a host name: routes match host names and certificates are issued for them');
  }
  return value;
}

/** An absolute URL path such as `/health` (probes, metrics, route prefixes). */
export function requireUrlPath(path: string, prop: string, value: string): string {
  if (!/^\/[A-Za-z0-9\-._~/%]*$/.test(value)) {
    throw invalidProp(path, prop, value, 'must be an absolute URL path such as "/health"');
  }
  return value;
}

/** Whether `value` is an ISO date (`2026-11-21`) of the calendar (`2026-02-30` is not: Date rolls it to March). @internal */
export function _isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * An ACME account contact Let's Encrypt registers: it refuses RFC 2606's example domains and names that end in no
 * public suffix (letsencrypt/boulder policy/pa.go: `forbiddenMailDomains`, `ValidEmail`), so the issuer would never
 * get an account. Only for Let's Encrypt (`server` unset or theirs); another ACME server has its own rules.
 * @internal
 */
export function _requireAcmeContact(path: string, prop: string, email: string, server: string | undefined): void {
  requireEmail(path, prop, email, ' (Let\u2019s Encrypt writes to it before a certificate expires)');
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const letsEncrypt = server === undefined || /letsencrypt\.org\//.test(server);
  if (letsEncrypt && /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost|local)$/.test(domain)) {
    throw invalidProp(
      path,
      prop,
      email,
      `is at "${domain}", a reserved domain Let's Encrypt refuses as a contact (the issuer's account would never register): use an address the platform team reads`,
    );
  }
}

/** An ISO calendar date (`2026-11-21`) that exists; returns it. */
export function requireIsoDate(path: string, prop: string, value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw invalidProp(path, prop, value, 'must be an ISO date such as "2026-11-21"');
  }
  return value;
}

/**
 * Throws unless `value` is a Kubernetes label value: at most 63 characters, alphanumerics with `-`, `_` or `.`
 * inside, beginning and ending with an alphanumeric (the API server refuses anything else).
 */
export function requireLabelValue(path: string, prop: string, value: string): string {
  if (isUnresolved(value)) return value;
  if (typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
    throw invalidProp(
      path,
      prop,
      value,
      'must be a Kubernetes label value: at most 63 letters, digits, - _ . beginning and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * Names of secret-store entries under a prefix (`app`, `stripe/live`): letters, digits and / _ + = . @ -, no empty or
 * `.`/`..` segment, none twice, none of `reserved` (entries the construct creates itself).
 */
export function requireSecretEntryNames(
  path: string,
  prop: string,
  entries: readonly string[],
  reserved: readonly string[] = [],
): string[] {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (isUnresolved(e)) return;
    if (typeof e === 'string' && looksLikeSecretValue(e)) {
      throw invalidProp(path, `${prop}[${i}]`, '<redacted>', 'must be an entry name under the prefix, never the secret value itself');
    }
    if (
      typeof e !== 'string' ||
      !/^[A-Za-z0-9/_+=.@-]{1,200}$/.test(e) ||
      e.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')
    ) {
      throw invalidProp(
        path,
        `${prop}[${i}]`,
        e,
        'must be an entry name under the prefix: letters, digits and / _ + = . @ -, without empty, "." or ".." segments',
      );
    }
    if (reserved.includes(e))
      throw invalidProp(path, `${prop}[${i}]`, e, `is the name of an entry the construct creates itself (${reserved.join(', ')})`);
    if (seen.has(e)) throw invalidProp(path, `${prop}[${i}]`, e, 'is listed twice');
    seen.add(e);
  });
  return [...entries];
}

/** An e-mail address (`oncall@example.com`); deploy-time values pass. */
export function requireEmail(path: string, prop: string, value: string, why = ''): string {
  if (isUnresolved(value)) return value;
  refuseCredential(path, prop, value);
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(value)) {
    throw invalidProp(path, prop, value, `must be an e-mail address${why}`);
  }
  return value;
}

/**
 * Kubernetes annotation (or label) keys: an optional DNS-subdomain prefix and `/`, then a name of at most 63
 * letters, digits, `-`, `_`, `.` beginning and ending with a letter or digit. Values must be strings.
 */
export function requireAnnotations(path: string, prop: string, annotations: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    if ((prefix !== undefined && !isDnsSubdomain(prefix)) || name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) {
      throw invalidProp(
        path,
        `${prop}.${key}`,
        key,
        'must be an annotation key: an optional DNS-subdomain prefix and "/", then at most 63 letters, digits, - _ . (e.g. "eks.amazonaws.com/role-arn")',
      );
    }
    if (typeof value !== 'string') throw invalidProp(path, `${prop}.${key}`, value, 'must be a string');
  }
}

/**
 * Throws unless `selector` names at least one label, each a valid label key and value: the labels a Prometheus
 * selects ServiceMonitors and rules by. An empty selector adds no label, so no Prometheus that selects (as
 * kube-prometheus-stack does, by `release`) reads them; one that selects everything reads labelled objects too, so
 * refusing `{}` costs nothing.
 */
export function requirePrometheusSelector(path: string, prop: string, selector: Record<string, string>): Record<string, string> {
  if (selector === null || typeof selector !== 'object' || Object.keys(selector).length === 0) {
    throw invalidProp(
      path,
      prop,
      selector,
      'selects nothing: monitors and rules without the labels a Prometheus selects by are read by none; name them (kube-prometheus-stack: { release: "<its release name>" })',
    );
  }
  requireAnnotations(path, prop, selector);
  for (const [k, v] of Object.entries(selector)) requireLabelValue(path, `${prop}.${k}`, v);
  return selector;
}

/** A reference to one key of a Secret: a DNS-subdomain name and a key of letters, digits, `-`, `_`, `.`. */
export function requireSecretKeyRef(path: string, prop: string, ref: { readonly name: string; readonly key: string }): void {
  if (typeof ref?.name !== 'string' || !isDnsSubdomain(ref.name)) {
    throw invalidProp(path, `${prop}.name`, ref?.name, 'must be the name of a Secret (a DNS subdomain)');
  }
  if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(ref.key)) {
    throw invalidProp(path, `${prop}.key`, ref.key, 'must be a key of the Secret: letters, digits, - _ . (at most 253)');
  }
}

/** Throws unless every key of `labels` is a label key and every value a label value (what the API server takes). */
export function requireLabels(path: string, prop: string, labels: Record<string, string> | undefined): void {
  if (labels === undefined) return;
  requireAnnotations(path, prop, labels);
  for (const [k, v] of Object.entries(labels)) requireLabelValue(path, `${prop}.${k}`, v);
}

/**
 * `id`, after checking that no sibling has it: the library's constructs pass their id through this to `super`, so a
 * second construct with one id is refused by its own path and prop instead of the constructs library's "There is
 * already a Construct with name …" (which names neither).
 * @internal
 */
export function _freeId(scope: IConstruct, id: string): string {
  if (scope?.node?.tryFindChild(id) !== undefined) {
    throw invalidProp(
      scope.node.path ? `${scope.node.path}/${id}` : id,
      'id',
      id,
      'is already the id of another construct in this scope: construct ids name the output (paths, file names) and must be unique among siblings',
    );
  }
  return id;
}

/** The rule of a credential found in a prop (the value is never shown). */
export const CREDENTIAL_RULE =
  'holds something shaped like a credential: synthesized files are committed to Git; keep the value in the secret store and reference it';

/**
 * Throws when a string the library will write into its output (a label, an annotation, a URL, a command argument)
 * holds something shaped like a credential: checked where it comes in, so the message names the prop the user wrote
 * (the scan of the output at synth is the last resort). Deploy-time values pass.
 */
export function refuseCredential(path: string, prop: string, value: unknown): void {
  if (typeof value !== 'string' || isUnresolved(value)) return;
  if (looksLikeSecretValue(value)) throw invalidProp(path, prop, '<redacted>', CREDENTIAL_RULE);
  // secretlint's maintained preset as well, so token shapes the hand-written list lacks are refused too.
  const rules = secretlintFindings(value);
  if (rules.length > 0) throw invalidProp(path, prop, '<redacted>', `${CREDENTIAL_RULE} (secretlint: ${rules.join(', ')})`);
}

/** {@link refuseCredential} for every value of a string map (`<prop>.<key>`). */
export function refuseCredentialValues(path: string, prop: string, values: Readonly<Record<string, unknown>> | undefined): void {
  for (const [key, value] of Object.entries(values ?? {})) refuseCredential(path, `${prop}.${key}`, value);
}

/**
 * {@link refuseCredential} for a command or argument list, naming the argument by index: one shaped like a
 * credential (`PGPASSWORD=hunter2 psql`, `--password=hunter2`) or the value after a credential flag
 * (`['--password', 'hunter2']`).
 */
export function refuseCredentialArguments(path: string, prop: string, args: readonly string[]): void {
  const i = credentialArgumentIndex(args.map((a) => (isUnresolved(a) ? '' : a)));
  if (i >= 0) throw invalidProp(path, `${prop}[${i}]`, '<redacted>', CREDENTIAL_RULE);
  args.forEach((a, j) => refuseCredential(path, `${prop}[${j}]`, a));
}
