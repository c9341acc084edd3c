import * as fs from 'fs';
import * as path from 'path';
import { PERFORMANCE_MARKERS, performanceMarkdown } from '../../bench/doc';

describe('docs/performance.md', () => {
  test('quotes the figures of bench/results.json (npm run docs:performance after a full npm run bench)', () => {
    const root = path.join(__dirname, '..', '..');
    const page = fs.readFileSync(path.join(root, 'docs', 'performance.md'), 'utf8');
    const [open, close] = PERFORMANCE_MARKERS;
    const block = page.slice(page.indexOf(open) + open.length, page.indexOf(close)).trim();
    const results = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results.json'), 'utf8'));
    expect(block).toBe(performanceMarkdown(results));
  });
});
