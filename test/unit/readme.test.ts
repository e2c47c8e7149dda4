import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { usageText } from '../../src/cli/usage';
import { contributedSettings } from '../support/manifest';
import { readNls, resolveNls } from '../support/nls';
import { projectRoot } from '../support/root';

const root = projectRoot();
/** The command-line tool's --help text (in English: no locale is configured here). */
const USAGE = usageText();
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const commands = pkg.contributes.commands as { title: string; category: string }[];
const props = contributedSettings<{ default: unknown }>(pkg);

/** Rows of the Markdown table between `<!-- name:start -->` and `<!-- name:end -->` of `text`, as arrays of cells. */
function tableRows(name: string, text = readme): string[][] {
  const m = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(text);
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
    // As the English command palette shows them: package.json names %key% messages of package.nls.json.
    const en = readNls(root);
    const expected = commands.map((c) => `${resolveNls(c.category, en)}: ${resolveNls(c.title, en)}`);
    assert.deepStrictEqual(rows.map((r) => r[0]).sort(), expected.sort());
    for (const r of rows) assert.ok(r[1] && r[1].length > 10, `${r[0]} has no description`);
  });

  it('settings table lists exactly the contributed settings with their defaults', () => {
    const rows = tableRows('settings');
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

describe('README.zh-CN', () => {
  const zhReadme = fs.readFileSync(path.join(root, 'README.zh-CN.md'), 'utf8');
  const en = readNls(root);
  const zh = readNls(root, 'zh-cn');

  it('is linked near the top of README.md', () => {
    const line = readme.split('\n').findIndex((l) => l.trim() === '简体中文说明：[README.zh-CN.md](README.zh-CN.md)');
    assert.ok(line >= 0 && line < 5, `README.md links README.zh-CN.md at line ${line + 1}, not near the top`);
  });

  it('commands table lists every command by its Chinese and its English title', () => {
    const rows = tableRows('commands', zhReadme);
    const expected = commands.map((c) => [`${resolveNls(c.category, zh)}: ${resolveNls(c.title, zh)}`, `${resolveNls(c.category, en)}: ${resolveNls(c.title, en)}`]);
    assert.deepStrictEqual(rows.map((r) => [r[0], r[1]]).sort(), expected.sort());
    for (const r of rows) assert.ok(r[2] && r[2].length > 5, `${r[0]} has no description`);
  });

  it('names commands in bold only by their Chinese titles', () => {
    const titles = new Set(commands.map((c) => `${resolveNls(c.category, zh)}: ${resolveNls(c.title, zh)}`));
    const named = [...zhReadme.matchAll(/\*\*(邮件: [^*]+)\*\*/g)].map((m) => m[1]!);
    assert.ok(named.length >= 8, `only ${named.length} commands named in the text`);
    assert.deepStrictEqual(named.filter((n) => !titles.has(n)), [], 'commands the extension does not have');
  });

  it('settings table lists exactly the contributed settings with their defaults, and the text names no other', () => {
    const rows = tableRows('settings', zhReadme);
    assert.deepStrictEqual(rows.map((r) => r[0]!.replace(/`/g, '')).sort(), Object.keys(props).sort());
    for (const r of rows) {
      const key = r[0]!.replace(/`/g, '');
      assert.strictEqual(r[1], `\`${JSON.stringify(props[key]!.default)}\``, `${key} default in README.zh-CN`);
    }
    // `sendAsEmail.smtp.*` stands for the settings it starts.
    const unknown = [...zhReadme.matchAll(/sendAsEmail(?:\.[A-Za-z]+)+(\.\*)?/g)]
      .filter((m) => (m[1] ? !Object.keys(props).some((k) => k.startsWith(m[0].slice(0, -1))) : !(m[0] in props)))
      .map((m) => m[0]);
    assert.deepStrictEqual(unknown, []);
  });

  it('gives command-line examples with the flags and the password variable the tool really has', () => {
    assert.ok(zhReadme.includes('SEND_AS_EMAIL_PASSWORD') && USAGE.includes('SEND_AS_EMAIL_PASSWORD'), 'the password variable');
    assert.ok(/npx send-as-email send alert\.html --to /.test(zhReadme), 'no send example');
    const longFlags = (text: string): string[] => [...text.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]);
    const known = new Set(longFlags(USAGE));
    // --password is named only to say that it is refused; `code --install-extension` is VS Code's own.
    const text = zhReadme.split('\n').filter((l) => !l.startsWith('code ')).join('\n');
    const flags = longFlags(text).filter((f) => f !== '--password');
    assert.ok(flags.length >= 10, `only ${flags.length} flags found`);
    assert.deepStrictEqual([...new Set(flags.filter((f) => !known.has(f)))], []);
    for (const sub of ['send', 'build', 'outbox', 'retry']) assert.ok(zhReadme.includes(`npx send-as-email ${sub}`), `no ${sub} example`);
  });
});
