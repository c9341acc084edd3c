/**
 * Shapes of credentials that must never be written into synthesized files (they are committed to Git). Each is
 * searched anywhere in a string (a key inside a command line or an annotation counts), and each is specific enough
 * that names and references do not match: `sk-prod` is a name prefix, not an OpenAI key.
 */
const SECRET_SHAPES: RegExp[] = [
  /\bxox[abprs]-[A-Za-z0-9-]{6,}/, // Slack tokens
  /\bhooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/_-]{10,}/, // Slack webhook URLs (the URL is the credential)
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab tokens
  /\b[rs]k_(live|test)_[A-Za-z0-9]{10,}/, // Stripe secret and restricted keys
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API keys
  /\bdop_v1_[a-f0-9]{64}\b/, // DigitalOcean tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // URLs with user:password@
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // JWTs
  /[?&](access_token|api_key|apikey|token|sig|signature|password|secret)=[^&\s]{8,}/i, // credentials in a query
];

/** No shape above matches fewer characters (`a://b:c@`, a URL with a user and password). */
const SHORTEST_SHAPE = 8;

/** OpenAI / Anthropic keys: `sk-` (or `sk-proj-`, `sk-ant-api03-`) and a long random tail with mixed characters. */
function looksLikeApiKey(value: string): boolean {
  const re = /\bsk-(?:proj-|svcacct-|ant-[a-z]+\d\d-)?([A-Za-z0-9_-]{20,})/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const tail = m[1];
    if (/[0-9]/.test(tail) && /[A-Z]/.test(tail) && /[a-z]/.test(tail)) return true;
  }
  return false;
}

/** True when `value` holds something shaped like a credential rather than a name or reference. */
export function looksLikeSecretValue(value: string): boolean {
  if (!ANCHORS.test(value)) return false;
  return looksLikeApiKey(value) || SECRET_SHAPES.some((r) => r.test(value));
}

/**
 * A literal part of every shape above (and of `sk-` keys): a string without any of them matches none, and is
 * decided by one scan instead of fourteen (every string of every manifest passes here on every synth).
 */
const ANCHORS = /xox|hooks\.slack\.com|A[KS]IA|gh[pousr]_|github_pat_|glpat-|k_live_|k_test_|AIza|dop_v1_|-----BEGIN|@|eyJ|[?&]|sk-/;

/** Words that, as the last part of a setting's name, say its value is a credential (`DB_PASS`, `GITHUB_TOKEN`). */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PWD',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'DSN',
  'SALT',
  'WEBHOOK',
]);
/** `<word>_KEY` names that are credentials (`STRIPE_KEY`, `SIGNING_KEY`); other keys (`SORT_KEY`) are not. */
const KEY_QUALIFIERS = new Set([
  'API',
  'PRIVATE',
  'SECRET',
  'SIGNING',
  'ENCRYPTION',
  'ACCESS',
  'MASTER',
  'LICENSE',
  'STRIPE',
  'ROUTING',
  'SERVICE',
  'CLIENT',
  'AUTH',
  'HMAC',
  'JWT',
  'SESSION',
]);

/**
 * True when a setting named `key` with this `value` is a literal credential: the name ends in a credential word
 * (`*_PASSWORD`, `*_PASS`, `*_TOKEN`, `*_API_KEY`, `STRIPE_KEY`, …) and the value is not one that no credential
 * has (a number, a boolean, a duration or size such as `3600`, `true`, `30s`, `512Mi`), or the value has the shape
 * of a credential whatever the name. `TOKEN_TTL=3600` and `SECRET_NAME=app` are settings, not secrets.
 */
export function looksLikeLiteralSecret(key: string, value: string): boolean {
  if (looksLikeSecretValue(value)) return true;
  if (value === '' || /^(true|false|yes|no|on|off)$/i.test(value) || /^-?\d+(\.\d+)?(ms|s|m|h|d|w|Ki|Mi|Gi|k|M|G|%)?$/.test(value)) {
    return false;
  }
  const parts = key
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  if (SECRET_WORDS.has(last)) return true;
  return last === 'KEY' && (parts.length === 1 || KEY_QUALIFIERS.has(parts[parts.length - 2]));
}

/**
 * The fields of a synthesized document (JSON or YAML as objects) whose string values are shaped like credentials,
 * as paths such as `metadata.annotations.example.com/token` or `spec.source.repoURL`. Values are never returned:
 * callers name the field, not the secret. Strings that are Terraform references (`${...}`) are skipped.
 */
export function credentialFields(doc: unknown, prefix = ''): string[] {
  const found: string[] = [];
  // The path is kept as a stack and joined only for a finding: every manifest string passes through here on every
  // synth, and building a path string for each one was most of the scan's cost.
  const at: Array<string | number> = prefix ? [prefix] : [];
  const path = () => at.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(value)';
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.length >= SHORTEST_SHAPE && !v.startsWith('${') && looksLikeSecretValue(v)) found.push(path());
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        at.push(i);
        walk(v[i]);
        at.pop();
      }
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        at.push(k);
        walk((v as Record<string, unknown>)[k]);
        at.pop();
      }
    }
  };
  walk(doc);
  return found;
}

/** The 1-based numbers of the lines of `text` that hold something shaped like a credential. */
export function credentialLines(text: string): number[] {
  return text
    .split('\n')
    .map((line, i) => (looksLikeSecretValue(line) ? i + 1 : 0))
    .filter((n) => n > 0);
}
