/**
 * Writes the reference DR pair's traffic path and recovery figures into docs/multi-region-dr.md between the dr-reference markers,
 * from the same stack `npm run synth` builds (`npm run docs:dr`). A test fails when the page is out of date.
 */
import * as fs from 'fs';
import { loadConfig } from '../apps/config';
import { buildTerraformApp } from '../apps/terraform';

/** The block as generated: the reference stack's plan summary (the support date does not change it). */
export function drReferenceMarkdown(): string {
  return buildTerraformApp(loadConfig({ SAMOKODER_SUPPORT_CHECK_DATE: '2026-11-21' })).dr.failoverPlan.summary;
}

export const DR_MARKERS = ['<!-- dr-reference:start -->', '<!-- dr-reference:end -->'] as const;

if (require.main === module) {
  const file = 'docs/multi-region-dr.md';
  const readme = fs.readFileSync(file, 'utf8');
  const [start, end] = DR_MARKERS;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/multi-region-dr.md lacks the ${start} … ${end} markers`);
  fs.writeFileSync(file, `${readme.slice(0, a + start.length)}\n${drReferenceMarkdown()}\n${readme.slice(b)}`);
  console.log('docs/multi-region-dr.md: DR traffic path and recovery figures updated');
}
