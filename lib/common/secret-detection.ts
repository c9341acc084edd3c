/** Shapes of credentials that must never be written into synthesized files (they are committed to Git). */
const SECRET_SHAPES: RegExp[] = [
  /^sk-[A-Za-z0-9_-]{16,}/, // OpenAI / Anthropic style keys
  /^xox[abpr]-/, // Slack tokens
  /^AKIA[0-9A-Z]{16}$/, // AWS access key ids
  /^gh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // URLs with user:password@
  /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // JWTs
];

/** True when `value` looks like a credential rather than a name or reference. */
export function looksLikeSecretValue(value: string): boolean {
  return SECRET_SHAPES.some((r) => r.test(value));
}
