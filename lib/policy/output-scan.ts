import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _oncePerSynthesis, _renderPrepared, _synthesizeOnce } from '../private/render';
import { credentialFields } from '../common/secret-detection';

/**
 * The credential scan that runs on every synth, with or without the policy pack: every string of every rendered
 * Kubernetes object and of every Terraform resource, provider, output and variable is checked for the shape of a
 * credential (see `looksLikeSecretValue`). A finding fails the synth and names the construct path and the field,
 * never the value. Synthesized files are committed to Git, so this is the sink where a literal credential, passed in
 * through any prop (an annotation, a command argument, a repository URL), is stopped.
 *
 * Charts and stacks the policy pack enforces are skipped here: its rules SK-K8S-017 and SK-ALL-001 report the same
 * findings (and honour its suppressions). A suppression of SK-K8S-017 on an object is honoured here too.
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
        return _oncePerSynthesis(root, scan, () => {
          const charts = root.node.findAll().filter((c): c is Chart => Chart.isChart(c) && !(c as unknown as Marked)[ENFORCED]);
          return charts.flatMap((chart) => {
            const paths = new Map<string, string>();
            for (const c of chart.node.findAll()) {
              if (c instanceof ApiObject) paths.set(`${c.kind}/${c.metadata.namespace ?? ''}/${c.name}`, c.node.path);
            }
            return _renderPrepared(chart).flatMap((o) => {
              if (o.kind === 'Secret' || o.metadata?.annotations?.[SUPPRESS_017]) return [];
              const where = paths.get(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`) ?? chart.node.path;
              return credentialFields(o).map((field) => credentialMessage(where, `${o.kind} ${o.metadata?.name}`, field));
            });
          });
        });
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
      const out: string[] = [];
      for (const [block, content] of Object.entries(json)) {
        if (block === '//') continue;
        if (block === 'resource' || block === 'data') {
          for (const [type, byName] of Object.entries(content as Record<string, Record<string, Record<string, unknown>>>)) {
            for (const [name, config] of Object.entries(byName)) {
              // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf metadata
              const where = (config['//'] as any)?.metadata?.path ?? `${stack.node.path}/${name}`;
              const { ['//']: _meta, ...rest } = config;
              void _meta;
              out.push(...credentialFields(rest).map((field) => credentialMessage(where, `${type}`, field)));
            }
          }
        } else {
          out.push(...credentialFields(content, block).map((field) => credentialMessage(stack.node.path, 'the stack', field)));
        }
      }
      return out;
    },
  });
}

function credentialMessage(path: string, subject: string, field: string): string {
  return `[${path}] ${subject}: '${field}' holds something shaped like a credential (value not shown): synthesized files are committed to Git; keep the value in the secret store and reference it`;
}
