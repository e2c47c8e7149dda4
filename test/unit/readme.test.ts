import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../support/root';

const root = projectRoot();
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Rows of the Markdown table between `<!-- name:start -->` and `<!-- name:end -->`, as arrays of cells. */
function tableRows(name: string): string[][] {
  const m = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme);
  assert.ok(m, `README has no ${name} table`);
  return m[1]!
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

describe('README', () => {
  it('quick start has the two commands: install + demo, and the test command', () => {
    const quick = /## Quick start\s+```bash\n([\s\S]*?)```/.exec(readme);
    assert.ok(quick, 'no Quick start code block');
    const commands = quick[1]!.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
    assert.deepStrictEqual(commands, ['npm install && npm run demo', 'npm test']);
    assert.ok(pkg.scripts.demo && pkg.scripts.test, 'package.json lacks the demo or test script');
  });

  it('commands table lists exactly the contributed commands, by title', () => {
    const rows = tableRows('commands');
    const expected = (pkg.contributes.commands as { title: string; category: string }[]).map((c) => `${c.category}: ${c.title}`);
    assert.deepStrictEqual(rows.map((r) => r[0]).sort(), expected.sort());
    for (const r of rows) assert.ok(r[1] && r[1].length > 10, `${r[0]} has no description`);
  });

  it('settings table lists exactly the contributed settings with their defaults', () => {
    const rows = tableRows('settings');
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepStrictEqual(rows.map((r) => r[0]!.replace(/`/g, '')).sort(), Object.keys(props).sort());
    for (const r of rows) {
      const key = r[0]!.replace(/`/g, '');
      assert.strictEqual(r[1], `\`${JSON.stringify(props[key]!.default)}\``, `${key} default in README`);
    }
  });

  it('points at a preview screenshot that exists', () => {
    const img = /!\[[^\]]*\]\(([^)]+\.png)\)/.exec(readme);
    assert.ok(img, 'no screenshot in README');
    assert.ok(fs.existsSync(path.join(root, img[1]!)), `${img[1]} is missing`);
  });
});
