/** Every relative link of README.md and docs/ points to a file that exists and, with an anchor, to a heading in it. */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const pages = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const slug = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const [, title] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const s = slug(title);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

test.each(pages)('%s: every relative link resolves', (page) => {
  const text = fs.readFileSync(path.join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?|mailto):/.test(target)) continue;
    const [file, anchor] = target.split('#');
    const resolved = file ? path.join(root, path.dirname(page), file) : path.join(root, page);
    if (!fs.existsSync(resolved)) broken.push(`${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${target} (no such heading)`);
  }
  expect(broken).toEqual([]);
});
