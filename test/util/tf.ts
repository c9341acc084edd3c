import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, Testing, TerraformStack } from 'cdktf';

/** The fixed day support checks are made for in tests (the EKS table's date). */
export const TEST_DATE = '2026-11-21';

/** A stack with an AWS provider to put constructs in. */
export function testStack(id = 'test'): TerraformStack {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'Aws', { region: 'eu-central-1' });
  return stack;
}

/** A synthesized stack as parsed JSON (validations run). */
export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: string; description?: string }>;
  readonly terraform: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
}

export function synth(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/**
 * A stack built and synthesized once, on first use, for the tests that only read it: each call returns its own copy.
 * Building and synthesizing the same default stack again in every test was a tenth of npm test's CPU.
 */
export function synthesizedOnce(build: () => TerraformStack): () => SynthesizedStack {
  let synthesized: SynthesizedStack | undefined;
  return () => {
    synthesized ??= synth(build());
    return structuredClone(synthesized);
  };
}

/** All resources of a type, as a list of their configurations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource configurations are free-form JSON
export function resources(s: SynthesizedStack, type: string): Array<Record<string, any>> {
  return Object.values(s.resource[type] ?? {});
}

/** The only resource of a type (fails the test if there is not exactly one). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource configurations are free-form JSON
export function only(s: SynthesizedStack, type: string): Record<string, any> {
  const all = resources(s, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
