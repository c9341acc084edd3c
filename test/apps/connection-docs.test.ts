import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { referenceCloud } from '../util/reference';

/**
 * "How do I give my app its database password?" (#28): docs/production-app.md answers with the variables the pods get
 * from the stack's connection entry, per cloud. The lists are read from the Terraform the stacks write, so the answer
 * cannot drift from the output.
 */
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- synthesized JSON

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'production-app.md'), 'utf8');

/** The variables the docs' table names for a stack (`FILES_*` stands for every FILES_ key). */
function documented(stack: string): string[] {
  const row = doc.split('\n').find((l) => l.startsWith(`| \`${stack}\``));
  if (!row) throw new Error(`docs/production-app.md has no row for ${stack} in its database password table`);
  return [...row.split('|')[2].matchAll(/`([A-Z_*]+)`/g)].map((m) => m[1]);
}

/** The keys of the connection entries a synthesized stack writes. */
function connectionKeys(stack: object, secretId: RegExp): string[] {
  const tf: Obj = JSON.parse(Testing.synth(stack as Parameters<typeof Testing.synth>[0]));
  const versions = Object.values(tf.resource.aws_secretsmanager_secret_version as Obj).filter((v: Obj) => secretId.test(v.secret_id));
  expect(versions.length).toBeGreaterThan(0);
  return [...new Set(versions.flatMap((v: Obj) => Object.keys(JSON.parse(v.secret_string))))].sort();
}

const covers = (doc: string[], keys: string[]) =>
  keys.filter((k) => !doc.includes(k) && !doc.some((d) => d.endsWith('*') && k.startsWith(d.slice(0, -1))));

describe('the database password answer in docs/production-app.md', () => {
  const platform = referenceCloud();

  test('names every variable an AWS app gets, and no other', () => {
    const keys = connectionKeys(platform.stacks.production, /ConnectionSettings/);
    const names = documented('SamokoderStack');
    expect(covers(names, keys)).toEqual([]);
    expect(names.filter((n) => !keys.includes(n))).toEqual([]);
    // No password among them: the app signs in with IAM.
    expect(keys.filter((k) => /PASSWORD|_URL$/.test(k))).toEqual([]);
  });

  test('names every variable a DR app gets, and no other', () => {
    const keys = connectionKeys(platform.dr, /Connection-/);
    const names = documented('MultiRegionDR');
    expect(covers(names, keys)).toEqual([]);
    expect(names.filter((n) => !n.endsWith('*') && !keys.includes(n))).toEqual([]);
  });
});
