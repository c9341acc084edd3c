import { looksLikeLiteralSecret, looksLikeSecretValue } from '../../common/secret-detection';
import { isRef, rule, TerraformRule } from './kit';

/** Rules for literal secrets in any resource. */
export const SECRET_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-ALL-001',
    title: 'No literal secret in the configuration',
    severity: 'error',
    fix: 'reference the secret (a data source, a managed password, a Secret reference); synthesized files are committed',
    types: '*',
    check: (r) => {
      const bad: string[] = [];
      const walk = (v: unknown, key: string) => {
        if (typeof v === 'string') {
          if (isRef(v)) return;
          // One judgement for every sink: the name's last word and the value together (see looksLikeLiteralSecret).
          if (looksLikeSecretValue(v)) bad.push(`${key} holds something shaped like a credential`);
          else if (looksLikeLiteralSecret(key, v)) bad.push(`${key} holds a literal value`);
        } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '//') walk(x, k);
      };
      walk(r.config, '');
      return bad;
    },
  }),
];
