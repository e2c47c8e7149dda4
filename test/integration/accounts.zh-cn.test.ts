// Runs only in a host whose display language is zh-cn (SAE_LOCALE=zh-cn): Email: Add Account speaks Chinese, lists
// the Chinese providers under their group, and says a Chinese provider's rule (the 授权码) in Chinese.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { getApi, projectRoot, ScriptedPrompts } from './support';

function zh(template: string): string {
  const bundle = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  const text = bundle[template];
  assert.ok(text, `the zh-cn bundle has no "${template}"`);
  return text;
}

describe('Add Account in Chinese (host in zh-cn)', () => {
  it('asks for the provider, shows QQ Mail\'s rule and asks for the 授权码 in Chinese', async () => {
    const api = await getApi();
    const prompts = new ScriptedPrompts({ picks: [zh('QQ Mail'), zh('I have the authorization code (授权码)')], inputs: ['12345@qq.com'], password: [] });
    api.prompts.use(prompts);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('sendAsEmail.addAccount'), undefined);
      const [providers, rule] = prompts.shown.filter((p) => p.kind === 'pick');
      assert.strictEqual(providers?.message, zh('Add Account'));
      assert.ok(providers.buttons.includes(zh('Other SMTP server')), providers.buttons.join(', '));
      assert.match(rule?.message ?? '', /授权码/);
      assert.doesNotMatch(rule?.message ?? '', /needs the authorization code/, 'the rule is in English');
      assert.strictEqual(prompts.shown.find((p) => p.kind === 'password')?.message, zh('Authorization code (授权码) for {0}').replace('{0}', '12345@qq.com'));
    } finally {
      api.prompts.use(undefined);
    }
  });
});
