// The walkthrough "Send your first email" in the real workbench: its steps tick themselves off as the user sets up an
// account, opens the example's preview and sends a test to themselves (the extension's context keys, observed where
// the user sees them: the walkthrough page, read through the driver).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import {
  canScreenshot,
  closePreview,
  EXTENSION_ID,
  getApi,
  recordWorkspaceSettings,
  revertAndCloseAll,
  ScriptedPrompts,
  secondFolder,
  settings,
  sleep,
  waitFor,
  workbenchDom,
  workspaceFolder,
} from './support';

const WALKTHROUGH = `${EXTENSION_ID}#sendFirstEmail`;

/** The walkthrough's steps as its page shows them: id (the last part) and whether it is ticked off. */
async function steps(): Promise<{ id: string; done: boolean }[]> {
  const buttons = await workbenchDom('button.getting-started-step', ['data-step-id', 'aria-checked']);
  return buttons
    .filter((b) => (b.attrs['data-step-id'] ?? '').startsWith(WALKTHROUGH))
    .map((b) => ({ id: (b.attrs['data-step-id'] ?? '').split('#').pop() ?? '', done: b.attrs['aria-checked'] === 'true' }));
}

describe('The walkthrough "Send your first email" (real extension host)', function () {
  this.timeout(90_000);
  let api: SendAsEmailApi;
  let server: TestSmtpServer | undefined;
  const account: Record<string, unknown> = {};
  /** The folders' own servers and senders, taken away so that no account is set up when the test starts. */
  const FOLDER_ACCOUNT = ['smtp.host', 'from'];
  let restoreFolders: (() => Promise<void>)[] = [];

  before(async () => {
    api = await getApi();
    restoreFolders = [workspaceFolder(), secondFolder()].map((f) => recordWorkspaceSettings(FOLDER_ACCOUNT, f));
  });

  after(async () => {
    api.prompts.use(undefined);
    await server?.close();
    const cfg = vscode.workspace.getConfiguration('sendAsEmail');
    for (const key of Object.keys(account)) await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
    for (const restore of restoreFolders) await restore();
    await closePreview(api.preview);
    await revertAndCloseAll();
  });

  it('ticks off its steps: an account set up, the example previewed, a test sent to yourself', async function () {
    if (!canScreenshot()) {
      // test-electron has no driver to read the walkthrough page; the code-server run does.
      console.log('[walkthrough] checked only in the code-server run');
      this.skip();
    }
    // The walkthrough page first: its steps are registered (VS Code does it a few seconds after startup) before
    // anything happens that ticks them off.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    const listed = await waitFor(async () => {
      const s = await steps();
      return s.length > 0 && s;
    }, { message: 'the walkthrough page', timeout: 20_000 });
    assert.deepStrictEqual(
      listed.map((s) => s.id),
      ['setUpAccount', 'previewDocument', 'sendTestToMe'],
    );

    server = await startSmtpServer({ security: 'none' });
    for (const folder of [workspaceFolder(), secondFolder()]) {
      for (const key of FOLDER_ACCOUNT) await settings(folder).update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await sleep(300); // no account anywhere now: the first step's context key is off
    // Step 1: the account, in the User settings (the example is a new, unsaved document in no folder: it uses them).
    Object.assign(account, { 'smtp.host': server.host, 'smtp.port': server.port, 'smtp.security': 'none', from: 'walker@fixture.test' });
    for (const [key, value] of Object.entries(account)) {
      await vscode.workspace.getConfiguration('sendAsEmail').update(key, value, vscode.ConfigurationTarget.Global);
    }
    api.prompts.use(new ScriptedPrompts());

    // Step 2's button: the example opens with its preview.
    await vscode.commands.executeCommand('sendAsEmail.openExample');
    const current = api.preview.current();
    assert.ok(current, 'Open Example Email opened no preview');
    assert.strictEqual(current.document.uri.scheme, 'untitled');
    assert.strictEqual(current.document.languageId, 'markdown');
    const report = await api.preview.waitForRender(undefined, 30_000);
    assert.strictEqual(report.subject, 'Hello from Send as Email');
    // Step 3: Send Test to Me, accepted by the server.
    const outcome = await api.preview.clickSendTest();
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    const got = await server.nextMessage();
    assert.deepStrictEqual(got.envelope.to, ['walker@fixture.test']);

    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    let last: { id: string; done: boolean }[] = [];
    await waitFor(async () => {
      last = await steps();
      return last.length === 3 && last.every((x) => x.done);
    }, { message: 'every step ticked off', timeout: 20_000 }).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });
  });
});
