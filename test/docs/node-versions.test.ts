import * as fs from 'fs';
import * as path from 'path';

// The supported Node.js versions are said once, in package.json's engines, and the README says the same (#28).
const root = path.join(__dirname, '..', '..');
const pkg = (name: string) => JSON.parse(fs.readFileSync(path.join(root, name, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test('engines names Node 20, 22 and 24, as the README does', () => {
  expect(pkg('.').engines.node).toBe('^20.19.0 || ^22.12.0 || ^24.0.0');
  expect(readme).toContain('Node.js 20 (20.19 or later), 22 (22.12 or later) or 24');
});

test("the Node 20 minimum is no lower than the peers' a team installs", () => {
  for (const peer of ['@cdktf/provider-aws', '@cdktf/provider-digitalocean', 'cdk8s', 'cdk8s-plus-28']) {
    const min = /(\d+)(?:\.(\d+))?/.exec(pkg(`node_modules/${peer}`).engines?.node ?? '0.0.0')!;
    const need = Number(min[1]) === 20 ? Number(min[2] ?? 0) : Number(min[1]) < 20 ? 0 : Infinity;
    expect(`${peer}: ${need <= 19}`).toBe(`${peer}: true`);
  }
});
