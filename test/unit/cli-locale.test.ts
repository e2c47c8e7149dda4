// The command-line tool speaks Chinese when LC_ALL, LC_MESSAGES or LANG (the first one set) starts with "zh".
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { localeBundle, useLocale } from '../../src/cli/locale';
import { usageText } from '../../src/cli/usage';
import { projectRoot } from '../support/root';

describe('command-line tool: language', () => {
  const dir = path.join('/pkg', 'l10n');
  const zh = path.join(dir, 'bundle.l10n.zh-cn.json');

  it('chooses the Chinese bundle by LC_ALL, then LC_MESSAGES, then LANG, the first that is set and not empty', () => {
    const cases: [NodeJS.ProcessEnv, string | undefined][] = [
      [{ LANG: 'zh_CN.UTF-8' }, zh],
      [{ LANG: 'zh_TW.Big5' }, zh],
      [{ LANG: 'zh' }, zh],
      [{ LANG: 'C' }, undefined],
      [{ LANG: 'en_US.UTF-8' }, undefined],
      [{}, undefined],
      [{ LC_ALL: 'C', LANG: 'zh_CN.UTF-8' }, undefined],
      [{ LC_ALL: 'zh_CN.UTF-8', LC_MESSAGES: 'C', LANG: 'C' }, zh],
      [{ LC_ALL: '', LC_MESSAGES: 'zh_CN.GB18030', LANG: 'en_GB.UTF-8' }, zh],
      [{ LC_MESSAGES: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }, undefined],
      [{ LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8' }, zh],
    ];
    for (const [env, bundle] of cases) assert.strictEqual(localeBundle(env, dir), bundle, JSON.stringify(env));
  });

  it('configures l10n from that bundle, and back to English for another language or a missing bundle', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-locale-'));
    try {
      fs.writeFileSync(path.join(tmp, 'bundle.l10n.zh-cn.json'), JSON.stringify({ 'Usage: send-as-email <command> [options]': '用法：send-as-email <命令> [选项]' }));
      useLocale({ LANG: 'zh_CN.UTF-8' }, tmp);
      assert.strictEqual(usageText().split('\n')[0], '用法：send-as-email <命令> [选项]');
      useLocale({ LANG: 'C' }, tmp);
      assert.strictEqual(usageText().split('\n')[0], 'Usage: send-as-email <command> [options]');
      useLocale({ LANG: 'zh_CN.UTF-8' }, path.join(tmp, 'missing'));
      assert.strictEqual(usageText().split('\n')[0], 'Usage: send-as-email <command> [options]');
    } finally {
      useLocale({});
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the built tool stays in English with LANG=C', () => {
    const env = { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'C' };
    const out = execFileSync(process.execPath, [path.join(projectRoot(), 'dist', 'cli.js'), '--help'], { env, encoding: 'utf8' });
    assert.strictEqual(out, `${usageText()}\n`);
    assert.match(out, /^Usage: send-as-email <command> \[options\]\n/);
  });
});
