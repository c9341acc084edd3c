/**
 * Shapes of credentials that must never be written into synthesized files (they are committed to Git). Each is
 * searched anywhere in a string (a key inside a command line or an annotation counts), and each is specific enough
 * that names and references do not match: `sk-prod` is a name prefix, not an OpenAI key.
 *
 * Why hand-written as well as secretlint's preset: the values a user gives are also checked by secretlint's
 * recommended preset in process (`secretlint.ts`, driven synchronously), but every string of every synthesized
 * object passes here on every synth, where twenty-five rules per string would cost too much; so the shapes of that
 * preset (12.0.0) specific enough for names and references not to match are carried here too, each with a test
 * (test/common/secrets.test.ts), behind one anchor scan. CI's secretlint run over the whole output remains the
 * second opinion.
 */
const SECRET_SHAPES: RegExp[] = [
  /\bx(?:ox[abprs]|app)-[A-Za-z0-9-]{6,}/, // Slack tokens
  /\bhooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/_-]{10,}/, // Slack webhook URLs (the URL is the credential)
  /\bdiscord(?:app)?\.com\/api\/webhooks\/\d{5,}\/[A-Za-z0-9_-]{20,}/, // Discord webhook URLs (the token is in the path)
  /\.webhook\.office\.com\/webhookb2\/[^\s]{20,}/, // Microsoft Teams incoming webhook URLs
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab tokens
  /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Fa-f0-9])/, // Grafana service-account tokens
  /\bglc_[A-Za-z0-9+/]{32,}/, // Grafana Cloud tokens
  /\b[rs]k_(live|test)_[A-Za-z0-9]{10,}/, // Stripe secret and restricted keys
  /(?<![A-Za-z0-9])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}/, // legacy OpenAI keys (T3BlbkFJ: "OpenAI" in base64), `_` may precede
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API keys
  /\bdop_v1_[a-f0-9]{64}\b/, // DigitalOcean tokens
  /\bnpm_[A-Za-z0-9]{36}\b/, // npm tokens
  /\bhf_[A-Za-z]{34}\b/, // Hugging Face tokens
  /\bgsk_[A-Za-z0-9]{52}\b/, // Groq keys
  /\bSG\.[\w-]{16,32}\.[\w-]{16,64}/, // SendGrid keys
  /\bhv[sbr]\.[A-Za-z0-9_-]{90,}/, // HashiCorp Vault tokens
  /\bdckr_pat_[A-Za-z0-9_-]{27}/, // Docker Hub access tokens
  /\bshp(?:pa|ca|at|ss)_[A-Za-z0-9]{32,64}\b/, // Shopify tokens
  /\blin_api_[A-Za-z0-9_]{32,128}\b/, // Linear keys
  /\bntn_[0-9]{11}[A-Za-z0-9]{35}\b/, // Notion tokens
  /\bfigd_[A-Za-z0-9_-]{40,200}/, // Figma tokens
  /\bdapi[a-f0-9]{32}\b/, // Databricks tokens
  /\bops_ey[A-Za-z0-9+/=]{100,}/, // 1Password service-account tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  // URLs with user:password@ (or :password@, Redis' form); a password that is a reference (`${…}`: Terraform's
  // interpolation of the user's password attribute, a shell variable) is not a value.
  /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:(?!\$\{[^}\s]*\}@)[^/\s@]+@/i,
  /\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*/, // bearer tokens in a header (with a digit: not prose)
  // Basic credentials in a header: base64 with both cases and a digit or padding (not "Basic authentication").
  /\bBasic\s+(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/=]*[0-9=])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])/,
  /\bhttps?:\/\/[0-9a-f]{32}(?::[0-9a-f]{32})?@[^/\s]+/, // Sentry DSNs (the key is the URL's user)
  /\b\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/, // Telegram bot tokens
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // JWTs
  /[?&](access_token|api_key|apikey|token|sig|signature|password|secret)=[^&\s]{8,}/i, // credentials in a query
];

/** No shape above matches fewer characters (`a://:c@`, a URL with a password). */
const SHORTEST_SHAPE = 7;

/** OpenAI / Anthropic keys: `sk-` (or `sk-proj-`, `sk-ant-api03-`) and a long random tail with mixed characters. */
function looksLikeApiKey(value: string): boolean {
  // Not preceded by a letter or digit (`task-…` is not a key), but an underscore may precede it (`openai_sk-…`).
  const re = /(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|ant-[a-z]+\d\d-)?([A-Za-z0-9_-]{20,})/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const tail = m[1];
    if (/[0-9]/.test(tail) && /[A-Z]/.test(tail) && /[a-z]/.test(tail)) return true;
  }
  return false;
}

/** True when `value` holds something shaped like a credential rather than a name or reference. */
export function looksLikeSecretValue(value: string): boolean {
  if (!ANCHORS.test(value)) return false;
  return looksLikeApiKey(value) || SECRET_SHAPES.some((r) => r.test(value)) || credentialInCommandLine(value);
}

/**
 * A literal part of every shape above (and of `sk-` keys, inline assignments and flags): a string without any of
 * them matches none, and is decided by one scan instead of thirty (every string of every manifest passes here on
 * every synth).
 */
const ANCHORS =
  /xox|xapp-|hooks\.slack\.com|discord|webhook\.office|A[KS]IA|gh[pousr]_|github_pat_|glpat-|glsa_|glc_|k_live_|k_test_|T3BlbkFJ|AIza|dop_v1_|npm_|hf_|gsk_|SG\.|hv[sbr]\.|dckr_pat_|shp|lin_api_|ntn_|figd_|dapi|ops_ey|-----BEGIN|@|eyJ|:AA|Bearer|Basic|[?&=]|sk-|--|mysql|mariadb/;

/**
 * A credential written into a command line or an env-file line: `PGPASSWORD=hunter2 psql …`,
 * `export DB_PASSWORD="…"`, `--password=hunter2`, `--token s3cr3t`. The name (or flag) is judged like a setting's
 * name (`looksLikeLiteralSecret`: `--token-ttl=3600` and `PASSWORD_MIN_LENGTH=12` are not credentials), and values
 * that are references pass: `$VAR`, `${VAR}`, `$(cat /run/secrets/x)`, a file path, a `{{template}}`.
 */
function credentialInCommandLine(value: string): boolean {
  const assignment = /(?:^|[\s;&|(`'"])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)'"]*)/g;
  for (let m = assignment.exec(value); m; m = assignment.exec(value)) {
    if (isCredentialName(m[1]) && isLiteralValue(unquote(m[2]))) return true;
  }
  const flag = /(?:^|\s)--([a-z][a-z0-9-]*)(?:=|\s+)("[^"]*"|'[^']*'|\S+)/gi;
  for (let m = flag.exec(value); m; m = flag.exec(value)) {
    if (isCredentialFlag(m[1]) && isLiteralValue(unquote(m[2]))) return true;
  }
  // The MySQL clients take the password glued to -p (`mysql -uapp -phunter2`; a bare `-p` prompts for it).
  const glued =
    /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)\b[^;&|\n]*?\s-p("[^"]*"|'[^']*'|[^\s;&|)'"]+)/g;
  for (let m = glued.exec(value); m; m = glued.exec(value)) {
    if (isLiteralValue(unquote(m[1]))) return true;
  }
  return false;
}

/**
 * The index of the first argument of a command that holds a credential: one shaped like it
 * ({@link looksLikeSecretValue}), or the value after a credential flag given as its own argument
 * (`['--password', 'hunter2']`); -1 when none does.
 */
export function credentialArgumentIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a !== 'string') continue;
    if (looksLikeSecretValue(a)) return i;
    const flag = /^--?([A-Za-z][A-Za-z0-9-]*)$/.exec(a);
    const next = args[i + 1];
    if (flag && typeof next === 'string' && isCredentialFlag(flag[1]) && isLiteralValue(next) && !next.startsWith('-')) return i + 1;
  }
  return -1;
}

/** A flag whose value is a credential (`--password`, `--api-key`); a bare `--key` names a key file or a key id as often. */
function isCredentialFlag(name: string): boolean {
  return name.toLowerCase() !== 'key' && isCredentialName(name);
}

function unquote(v: string): string {
  return /^(".*"|'.*')$/.test(v) ? v.slice(1, -1) : v;
}

/** A value written as it is, not read from elsewhere, and not one no credential has (a number, a boolean, a size). */
function isLiteralValue(v: string): boolean {
  // References: a variable, a file (`/run/secrets/x`, `tls/server.key`, `db.txt`), a template.
  if (v === '' || /^[$/<@]|^\{\{/.test(v) || /\.(key|pem|crt|cert|p12|jks|json|ya?ml|txt|conf|cfg|env|ini)$/i.test(v)) return false;
  return !/^(true|false|yes|no|on|off)$/i.test(v) && !/^-?\d+(\.\d+)?(ms|s|m|h|d|w|Ki|Mi|Gi|k|M|G|%)?$/.test(v);
}

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
  'ACCOUNT',
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
  return isCredentialName(key);
}

/** A name whose last word says its value is a credential (`DB_PASS`, `--api-key`, `STRIPE_KEY`; not `SORT_KEY`). */
function isCredentialName(key: string): boolean {
  // camelCase counts as words (`AccountKey` in a connection string, `adminPassword` in Helm values).
  const parts = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  // One-word names that end in a credential word: PGPASSWORD (libpq), MYSQL_PWD's kin, VAULT_TOKEN's.
  if (SECRET_WORDS.has(last) || /.(PASSWORD|PASSWD|SECRET|TOKEN|APIKEY)$/.test(last)) return true;
  return last === 'KEY' && (parts.length === 1 || KEY_QUALIFIERS.has(parts[parts.length - 2]));
}

/**
 * The path (`auth.password`, `env[0].value`) of the first literal credential in free-form settings such as Helm
 * values, or undefined: a string shaped like a credential under any key, a literal under a credential-named key
 * (`adminPassword`, `auth.token`, `api_key`; camelCase counts as words), or the value of a `{ name, value }` pair
 * whose name is one (`{ name: 'DB_PASSWORD', value: 'hunter2' }`, the env idiom). Keys that reference a Secret
 * pass (`existingSecret`, `passwordKey`, `secretName`), as do a bare `key` (tolerations, selectors), numbers,
 * booleans and references (`$VAR`).
 */
export function literalCredentialPath(value: unknown, prefix: string): string | undefined {
  const credentialKey = (key: string) => {
    // A bare `key` is a toleration's, a selector's or a file's far more often than a credential's.
    const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    return words !== 'KEY' && !/(^|_)EXISTING(_|$)/.test(words) && isCredentialName(key);
  };
  const walk = (v: unknown, at: string, key: string | undefined): string | undefined => {
    if (typeof v === 'string') {
      if (looksLikeSecretValue(v)) return at;
      return key !== undefined && credentialKey(key) && isLiteralValue(v) ? at : undefined;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], `${at}[${i}]`, undefined);
        if (found) return found;
      }
      return undefined;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.name === 'string' && typeof o.value === 'string' && credentialKey(o.name) && isLiteralValue(o.value)) {
        return `${at}.value`;
      }
      for (const [k, x] of Object.entries(o)) {
        const found = walk(x, `${at}.${k}`, k);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(value, prefix, undefined);
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
