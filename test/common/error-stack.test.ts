import * as path from 'path';
import { App } from 'cdk8s';
import { ProductionApp, ValidationError } from 'samokoder-infra';

/**
 * A validation message is the whole story: where (the construct path), which prop, the value and what is allowed. The
 * library's own frames around it were 10 to 20 lines of noise under a one-line message (#28). A ValidationError's
 * stack keeps the message and the frames of the program that made the call, and drops the library's and its
 * dependencies'.
 */
const lib = path.join(__dirname, '..', '..', 'lib');

function refusal(): ValidationError {
  try {
    new ProductionApp(new App(), 'billing', { name: 'billing', image: 'ghcr.io/acme/billing:2.3.1', minAvailable: 3 });
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error('expected a refusal');
}

test("a ValidationError's stack is its message and the caller's frames, not the library's", () => {
  const e = refusal();
  expect(e).toBeInstanceOf(ValidationError);
  const lines = (e.stack ?? '').split('\n');
  expect(lines[0]).toBe(`ValidationError: ${e.message}`);
  const frames = lines.filter((l) => /^\s+at /.test(l));
  expect(frames.filter((f) => f.includes(lib) || f.includes('node_modules') || f.includes('node:internal'))).toEqual([]);
  // The program's own line is still named.
  expect(frames[0]).toContain(__filename);
});

test('a message of several lines keeps every line', () => {
  const e = new ValidationError('[a] first\n[b] second');
  expect((e.stack ?? '').split('\n').slice(0, 2)).toEqual(['ValidationError: [a] first', '[b] second']);
});
