// The string bundle (l10n/bundle.l10n.json) is what `npm run l10n` exports from src/ today, and its Chinese
// (l10n/bundle.l10n.zh-cn.json) has every string, no other, with the same placeholders in the same order.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../support/root';

type Bundle = Record<string, string | { message: string; comment?: string[] }>;
const text = (v: Bundle[string]): string => (typeof v === 'string' ? v : v.message);
const placeholders = (s: string): string[] => s.match(/\{\d+\}/g) ?? [];

describe('l10n: the string bundle and its Chinese', function () {
  this.timeout(60_000);
  const root = projectRoot();
  const read = (file: string): Bundle => JSON.parse(fs.readFileSync(path.join(root, 'l10n', file), 'utf8')) as Bundle;

  it('l10n/bundle.l10n.json is what `npm run l10n` exports from the sources now', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-l10n-'));
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/l10n-dev/dist/cli.js'), 'export', '--outDir', out, path.join(root, 'src')], { stdio: 'pipe' });
      const fresh = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Bundle;
      const committed = read('bundle.l10n.json');
      const missing = Object.keys(fresh).filter((k) => !(k in committed));
      const extra = Object.keys(committed).filter((k) => !(k in fresh));
      assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] }, 'run `npm run l10n` and translate what is new');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('every string has a Chinese translation with the same placeholders, and no other key', () => {
    const en = read('bundle.l10n.json');
    const zh = read('bundle.l10n.zh-cn.json');
    const missing = Object.keys(en).filter((k) => !(k in zh));
    const extra = Object.keys(zh).filter((k) => !(k in en));
    assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] });
    const wrongPlaceholders = Object.keys(en).filter((k) => placeholders(text(en[k]!)).sort().join() !== placeholders(text(zh[k]!)).sort().join());
    assert.deepStrictEqual(wrongPlaceholders, [], 'placeholders differ');
    const untranslated = Object.keys(en).filter((k) => /[A-Za-z]{3,}/.test(text(en[k]!).replace(/\{\d+\}|sendAsEmail\.[\w.]+|SMTP|HTML|AUTH|TLS|URL|CID|UTF-8|\.eml|--[\w-]+|`[^`]*`/g, '')) && !/[\u4e00-\u9fff]/.test(text(zh[k]!)));
    assert.deepStrictEqual(untranslated, [], 'left in English');
  });
});
