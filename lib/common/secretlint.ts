/**
 * secretlint's recommended preset (12.0.0), run in process at synth on the values a user gives the library, beside
 * the hand-written shapes of `secret-detection.ts`: a maintained rule set, so new token shapes arrive with its
 * updates (#27).
 *
 * How, synchronously: `@secretlint/core` is asynchronous, but the preset is one ESM file whose rules each return a
 * `file(source)` handler that reports synchronously for text (secretlint's rule API: `create(context, options)`
 * returning handlers; `context.report`, `context.createTranslator`, `context.ignore`). This drives those handlers
 * directly with a context of its own, so a synth stays synchronous. The preset is ESM: Node.js loads it with
 * `require()` from 20.19 and 22.12 on (package.json's engines say so). A handler that returns a promise (the GCP
 * service-account key rule, for binary `.p12` files) is not awaited; text never reaches its async path.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- secretlint's rule objects, typed where used
type Any = any;

interface SecretlintRule {
  readonly meta: { readonly id: string };
  create(context: Any, options: Any): { file?: (source: Any) => unknown } | undefined;
}

let rules: readonly SecretlintRule[] | undefined;

function presetRules(): readonly SecretlintRule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: an ESM module, required
  rules ??= (require('@secretlint/secretlint-rule-preset-recommend') as { rules: SecretlintRule[] }).rules;
  return rules;
}

/** The ids of the preset's rules (without the `@secretlint/secretlint-rule-` prefix) that report `value`. */
export function secretlintFindings(value: string): string[] {
  const found: string[] = [];
  const source = { content: value, filePath: '/synth/value.txt', ext: '.txt', contentType: 'text' };
  for (const rule of presetRules()) {
    let reported = false;
    const context = {
      sharedOptions: {},
      createTranslator: () => (messageId: string, data: unknown) => ({ message: messageId, messageId, data }),
      report: () => {
        reported = true;
      },
      ignore: () => undefined,
    };
    rule.create(context, {})?.file?.(source);
    if (reported) found.push(rule.meta.id.replace('@secretlint/secretlint-rule-', ''));
  }
  return found;
}
