/**
 * Writes the policy pack's rule list into docs/guardrails.md between the policy-rules markers, from the rule definitions
 * (`npm run docs:policy`). A test fails when the page is out of date.
 */
import * as fs from 'fs';
import { policyRulesMarkdown } from 'samokoder-infra';

const file = 'docs/guardrails.md';
const readme = fs.readFileSync(file, 'utf8');
const start = '<!-- policy-rules:start -->';
const end = '<!-- policy-rules:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error(`docs/guardrails.md lacks the ${start} … ${end} markers`);
fs.writeFileSync(file, `${readme.slice(0, a + start.length)}\n${policyRulesMarkdown()}\n${readme.slice(b)}`);
console.log('docs/guardrails.md: policy rule list updated');
