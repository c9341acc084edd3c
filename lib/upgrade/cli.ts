#!/usr/bin/env node
/**
 * samokoder-infra-upgrade-check <before-dir> <after-dir> [--acknowledged <file>]... [--terraform-dir cdktf.out]
 *   [--kubernetes-dir dist]
 *
 * Lists what deploying the output in <after-dir> over the one in <before-dir> would replace or delete among stateful
 * resources, which Terraform stacks would start from a new, empty state, and what Argo CD would prune among
 * data-holding objects, each with its reason. Exits 1 when a finding is not acknowledged: an acknowledgement is the
 * finding's key in backticks in one of the --acknowledged files (a CHANGELOG, or a file of the team's). See
 * docs/upgrading.md.
 */
import * as fs from 'fs';
import { readSynthesizedOutput } from './output-reader';
import { acknowledgedIn, compareOutputs } from './upgrade-check';

const USAGE =
  'usage: samokoder-infra-upgrade-check <before-dir> <after-dir> [--acknowledged <file>]... [--terraform-dir cdktf.out] [--kubernetes-dir dist]';

/** Runs the check; returns the exit code (0 nothing unacknowledged, 1 findings, 2 usage or input error). */
export function runUpgradeCheck(argv: readonly string[], print: (line: string) => void = console.log): number {
  const dirs: string[] = [];
  const acks: string[] = [];
  const layout: { terraform?: string; kubernetes?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--acknowledged') acks.push(value());
    else if (a === '--terraform-dir') layout.terraform = value();
    else if (a === '--kubernetes-dir') layout.kubernetes = value();
    else if (a === '-h' || a === '--help') {
      print(USAGE);
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else dirs.push(a);
  }
  if (dirs.length !== 2) throw new Error(`two directories expected, got ${dirs.length}`);
  const [before, after] = dirs.map((d) => readSynthesizedOutput(d, layout));
  const findings = compareOutputs(before, after);
  const acknowledged = acknowledgedIn(findings, acks.map((f) => fs.readFileSync(f, 'utf8')).join('\n'));
  const open = findings.filter((f) => !acknowledged.has(f.key));
  print(
    `upgrade check: ${before.stacks.size} → ${after.stacks.size} Terraform stacks, ${before.objects.length} → ${after.objects.length} Kubernetes objects; ` +
      `${findings.length} finding(s), ${findings.length - open.length} acknowledged`,
  );
  for (const f of findings) print(`${acknowledged.has(f.key) ? '  acknowledged' : '  NOT ACKNOWLEDGED'}: \`${f.key}\`\n      ${f.reason}`);
  if (open.length)
    print(
      `${open.length} finding(s) would destroy data or state. Pin the old names (see the CHANGELOG's migration notes), or acknowledge each by quoting its key in backticks in a file given with --acknowledged.`,
    );
  return open.length ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = runUpgradeCheck(process.argv.slice(2));
  } catch (e) {
    console.error(`samokoder-infra-upgrade-check: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  }
}
