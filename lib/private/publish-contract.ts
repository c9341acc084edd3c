import * as fs from 'fs';
import * as path from 'path';
import type { PlatformContract } from '../common/contract';
import { _platformContractJson } from '../common/contract-file';
import { ISynthesisSession, TerraformStack } from './tf';

/**
 * Publishes a stack's platform contracts as files beside its `cdk.tf.json` (`<file>` → `cdktf.out/stacks/<stack>/<file>`),
 * so a Kubernetes repository that does not build the stack can read them (`PlatformContract.fromFile`). The text is
 * made now, while the tree is built, so a contract that cannot be written stops the program before anything is
 * written; the files are written after the stack's own synthesis (the stack's synthesizer is public API; the default
 * one does everything else). @internal
 */
export function _publishContracts(
  stack: TerraformStack,
  contracts: ReadonlyArray<readonly [file: string, contract: PlatformContract]>,
): void {
  const texts = contracts.map(([file, contract]) => [file, _platformContractJson(`${stack.node.path} ${file}`, contract)] as const);
  const synthesizer = stack.synthesizer;
  stack.synthesizer = {
    synthesize: (session: ISynthesisSession) => {
      synthesizer.synthesize(session);
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, text] of texts) fs.writeFileSync(path.join(dir, file), text);
    },
  };
}
