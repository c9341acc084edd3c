import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _oncePerSynthesis, _renderPrepared, _synthesizeOnce } from './render';
import { credentialFields } from '../common/secret-detection';
import { ValidationError } from '../common/errors';

/**
 * The credential scan that runs on every synth, with or without the policy pack: every string of every rendered
 * Kubernetes object and of every Terraform resource, provider, output and variable is checked for the shape of a
 * credential (see `looksLikeSecretValue`). A finding fails the synth and names the construct path and the field,
 * never the value. Synthesized files are committed to Git, so this is the sink where a literal credential, passed in
 * through any prop (an annotation, a command argument, a repository URL), is stopped.
 *
 * Charts and stacks the policy pack enforces are skipped here: its rules SK-K8S-017 and SK-ALL-001 report the same
 * findings (and honour its suppressions). A suppression of SK-K8S-017 on an object is honoured here too.
 *
 * One mistake is one message: a value repeated over the objects of a chart (a chart label) or the entries of a list
 * (every alert's runbook URL) is reported once, at its first place, with the count of the others. The findings are
 * thrown as they are, not inside the engines' "Validation failed with the following errors" list (whose `[]` names
 * the app's root, not a place). The props the library knows are checked where they come in, by the prop; this scan
 * is the last resort, for what it cannot name (a team's own objects, values built in the program).
 */

const SCANNED = Symbol.for('samokoder-infra.output-scan');
const ENFORCED = Symbol.for('samokoder-infra.policy.enforced');
const SUPPRESS_017 = 'policy.samokoder.dev/suppress.SK-K8S-017';

type Marked = Record<symbol, boolean | undefined>;

/** Registers the scan of every chart of the cdk8s app that holds `scope` (once per app). @internal */
export function _scanChartsForCredentials(scope: IConstruct): void {
  const root = scope.node.root;
  if ((root as unknown as Marked)[SCANNED]) return;
  (root as unknown as Marked)[SCANNED] = true;
  _synthesizeOnce(root);
  let running = false;
  const scan = {
    validate: (): string[] => {
      if (running) return [];
      running = true;
      try {
        // Once per synthesis: cdk8s runs every validation again before each chart it renders.
        const findings = _oncePerSynthesis(root, scan, () => {
          const charts = root.node.findAll().filter((c): c is Chart => Chart.isChart(c) && !(c as unknown as Marked)[ENFORCED]);
          return charts.flatMap((chart) => {
            const paths = new Map<string, string>();
            for (const c of chart.node.findAll()) {
              if (c instanceof ApiObject) paths.set(`${c.kind}/${c.metadata.namespace ?? ''}/${c.name}`, c.node.path);
            }
            return _renderPrepared(chart).flatMap((o) => {
              if (o.kind === 'Secret' || o.metadata?.annotations?.[SUPPRESS_017]) return [];
              const where = paths.get(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`) ?? chart.node.path;
              return credentialFields(o).map((field) => ({
                group: chart.node.path,
                where,
                subject: `${o.kind} ${o.metadata?.name}`,
                field,
              }));
            });
          });
        });
        return throwFindings(findings);
      } finally {
        running = false;
      }
    },
  };
  root.node.addValidation(scan);
}

/** Registers the scan of a cdktf stack's Terraform JSON. @internal */
export function _scanStackForCredentials(stack: IConstruct & { toTerraform(): unknown }): void {
  if ((stack as unknown as Marked)[SCANNED]) return;
  (stack as unknown as Marked)[SCANNED] = true;
  stack.node.addValidation({
    validate: () => {
      if ((stack as unknown as Marked)[ENFORCED]) return [];
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
      const json = stack.toTerraform() as Record<string, any>;
      const out: Finding[] = [];
      const group = stack.node.path;
      for (const [block, content] of Object.entries(json)) {
        if (block === '//') continue;
        if (block === 'resource' || block === 'data') {
          for (const [type, byName] of Object.entries(content as Record<string, Record<string, Record<string, unknown>>>)) {
            for (const [name, config] of Object.entries(byName)) {
              // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf metadata
              const where = (config['//'] as any)?.metadata?.path ?? `${stack.node.path}/${name}`;
              const { ['//']: _meta, ...rest } = config;
              void _meta;
              out.push(...credentialFields(rest).map((field) => ({ group, where, subject: type, field })));
            }
          }
        } else {
          out.push(...credentialFields(content, block).map((field) => ({ group, where: stack.node.path, subject: 'the stack', field })));
        }
      }
      return throwFindings(out);
    },
  });
}

/** A credential-shaped string in the output: the chart or stack (`group`), the construct, the object and the field. */
interface Finding {
  readonly group: string;
  readonly where: string;
  readonly subject: string;
  readonly field: string;
}

/**
 * Throws the findings, one message per mistake: findings of one chart or stack whose fields are the same but for
 * list indexes (`metadata.labels.x` of every object, `spec.groups[0].rules[*].annotations.runbook_url`) are one,
 * reported at the first and counting the others. Returns no errors when there is no finding.
 */
function throwFindings(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.group}\u0000${f.field.replace(/\[\d+\]/g, '[*]')}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const messages = [...groups.values()].map(([first, ...others]) => {
    if (others.length === 0) return credentialMessage(first.where, first.subject, first.field);
    const pattern = first.field.replace(/\[\d+\]/g, (m) => (others.some((o) => o.field !== first.field) ? '[*]' : m));
    const subjects = [...new Set(others.map((o) => o.subject))].join(', ');
    return credentialMessage(first.where, first.subject, first.field, `; ${others.length} more like it: '${pattern}' of ${subjects}`);
  });
  throw new ValidationError(messages.join('\n'));
}

function credentialMessage(path: string, subject: string, field: string, more = ''): string {
  return `[${path}] ${subject}: '${field}' holds something shaped like a credential (value not shown${more}): synthesized files are committed to Git; keep the value in the secret store and reference it`;
}
