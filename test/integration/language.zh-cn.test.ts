// Runs only in a host whose display language is zh-cn (SAE_LOCALE=zh-cn: see index.ts and the driver, which installs
// a fixture language pack, since none can be downloaded here). VS Code then hands the extension its zh-cn bundle.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { getApi, ScriptedPrompts, workspaceFolder, zh } from './support';


describe('Chinese interface (host in zh-cn)', () => {
  it('runs in zh-cn', () => {
    assert.strictEqual(vscode.env.language, 'zh-cn');
  });

  it('words its notifications from the zh-cn bundle', async () => {
    const api = await getApi();
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    try {
      await vscode.commands.executeCommand('sendAsEmail.clearPassword', workspaceFolder().uri);
      const shown = prompts.shown.find((s) => s.kind === 'info');
      const s = vscode.workspace.getConfiguration('sendAsEmail', workspaceFolder().uri);
      assert.strictEqual(
        shown?.message,
        zh('Cleared the stored SMTP password for {0} at {1}:{2}.', s.get<string>('smtp.user') || zh('(no user)'), s.get<string>('smtp.host')!, s.get<number>('smtp.port')!),
      );
    } finally {
      api.prompts.use(undefined);
    }
  });
});
