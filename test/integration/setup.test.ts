// The first send, in the real host. Code-server is itself a remote window, so this is where the settings' scope is
// tested: with no account the preview offers Set Up Sending, which opens the Settings editor on the User tab on the
// settings to fill in (found there, not "No Settings Found"); the account written to the user's own settings.json
// during the session applies to the next send without a reload.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import { startSmtpServer } from '../support/smtp';
import {
  canScreenshot,
  closePreview,
  getApi,
  Leftovers,
  openPreview,
  pointAt,
  recordWorkspaceSettings,
  revertAndCloseAll,
  ScriptedPrompts,
  settings,
  SMTP_SETTINGS,
  waitFor,
  workbenchDom,
} from './support';

/** The settings a folder may set that name the account; cleared in the fixture folder so that none is set. */
const ACCOUNT = [...SMTP_SETTINGS, 'from'] as const;

/** The settings the Settings editor lists now (their ids), and which of its tabs is selected. */
async function settingsEditorShows(): Promise<{ keys: string[]; tab: string; noResults: boolean }> {
  const rows = await workbenchDom('.settings-editor .setting-item-contents[data-key]', ['data-key']);
  const tabs = await workbenchDom('.settings-editor .settings-tabs-widget .action-label', ['aria-checked', 'class']);
  const empty = await workbenchDom('.settings-editor .no-results-message');
  return {
    keys: rows.filter((r) => r.visible).map((r) => r.attrs['data-key'] ?? ''),
    tab: tabs.find((t) => t.attrs['aria-checked'] === 'true' || /\bchecked\b/.test(t.attrs.class ?? ''))?.text ?? '',
    noResults: empty.some((e) => e.visible),
  };
}

/** The Settings editor, once it lists the settings `accept` takes (a query applies a moment after it opens). */
function settingsEditorWhen(accept: (keys: string[]) => boolean, message: string): Promise<{ keys: string[]; tab: string; noResults: boolean }> {
  return waitFor(async () => {
    const s = await settingsEditorShows();
    return (s.noResults || (s.keys.length > 0 && accept(s.keys))) && s;
  }, { message });
}

async function closeSettingsEditor(): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Settings');
  await vscode.window.tabGroups.close(tabs);
}

/** A settings file of this host: `User` (the user's own settings.json) or `Machine` (the Remote settings of a remote window). */
function settingsFile(api: SendAsEmailApi, which: 'User' | 'Machine'): string {
  // <user data>/User/globalStorage/<extension id>/mail
  const user = path.resolve(api.outboxDir, '..', '..', '..');
  assert.strictEqual(path.basename(user), 'User', `not a User folder: ${user}`);
  return path.join(user, '..', which, 'settings.json');
}

const readIfThere = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

describe('Setting up sending (real extension host, a remote window)', function () {
  this.timeout(90_000);
  let api: SendAsEmailApi;
  let left: Leftovers;
  /** The account a test wrote to the User settings, taken out again. */
  let userAccount: string[] = [];

  before(async () => {
    api = await getApi();
    const restoreFolder = recordWorkspaceSettings(ACCOUNT);
    left = new Leftovers(api, async () => {
      const cfg = vscode.workspace.getConfiguration('sendAsEmail');
      for (const key of userAccount.splice(0)) await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
      await restoreFolder();
    });
  });

  afterEach(() => left.clear());

  after(async () => {
    await closePreview(api.preview);
    await revertAndCloseAll();
  });

  it('with no account the preview shows the message and Set Up Sending, which opens the settings to fill in', async function () {
    for (const key of ACCOUNT) await settings().update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    assert.strictEqual(settings().get('smtp.host'), '', 'a host is still set (User settings of an earlier run?)');
    assert.strictEqual(settings().get('from'), '');
    api.prompts.use(new ScriptedPrompts());
    await closePreview(api.preview);
    await openPreview(api, 'preview/images.md');

    const ui = await waitFor(async () => {
      const s = await api.preview.ui();
      return s.setUpShown && s;
    }, { message: 'the Set Up Sending button' });
    assert.strictEqual(ui.bodyShown, true, 'the message is not shown');
    assert.strictEqual(ui.fields.to, 'reader@fixture.test');
    assert.match(ui.status, /not set up/i);
    assert.doesNotMatch(ui.status, /No sender address|cannot be composed/);
    assert.strictEqual(ui.from, 'Not set up yet');
    assert.ok(ui.sendDisabled && ui.sendTestDisabled && ui.saveDisabled, 'an action that cannot succeed is on');
    assert.strictEqual(ui.sendReason, 'Sending is not set up yet.');

    await api.preview.click('#setUp');
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings', { message: 'the Settings editor' });
    if (!canScreenshot()) {
      // test-electron has no driver to read the workbench; the code-server run (a remote window) checks the editor.
      console.log('[setup] the Settings editor\'s content is checked only in the code-server run');
      return;
    }
    const shown = await settingsEditorWhen((keys) => keys.every((k) => k.startsWith('sendAsEmail.')), 'the Settings editor on our settings');
    assert.strictEqual(shown.noResults, false, 'the Settings editor says "No Settings Found"');
    assert.match(shown.tab, /^User/, `tab: ${shown.tab}`);
    assert.deepStrictEqual(
      [...shown.keys].sort(),
      ['sendAsEmail.from', 'sendAsEmail.smtp.host', 'sendAsEmail.smtp.port', 'sendAsEmail.smtp.security', 'sendAsEmail.smtp.user'],
    );
    await closeSettingsEditor();
  });

  it('the account written to User settings during the session applies to the preview and the next send, without a reload', async () => {
    for (const key of ACCOUNT) await settings().update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    const server = (left.server = await startSmtpServer({ security: 'none' }));
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    await openPreview(api, 'preview/images.md');
    await waitFor(async () => (await api.preview.ui()).setUpShown, { message: 'the Set Up Sending button' });

    // The account goes into the user's own settings (as the Settings editor's User tab writes it).
    const mine = {
      'smtp.host': server.host,
      'smtp.port': server.port,
      'smtp.security': 'none',
      from: '"User Settings" <user@fixture.test>',
    };
    userAccount = Object.keys(mine);
    for (const [key, value] of Object.entries(mine)) {
      await vscode.workspace.getConfiguration('sendAsEmail').update(key, value, vscode.ConfigurationTarget.Global);
    }
    // In the User settings.json, not the Remote settings (which VS Code uses for machine-scoped settings in a remote window).
    assert.match(readIfThere(settingsFile(api, 'User')), new RegExp(`"sendAsEmail\\.smtp\\.port": ${server.port}`));
    assert.doesNotMatch(readIfThere(settingsFile(api, 'Machine')), /sendAsEmail/);
    assert.strictEqual(settings().get('smtp.host'), server.host);

    // The open preview follows: the message with its sender, Send on.
    const ui = await waitFor(async () => {
      const s = await api.preview.ui();
      return !s.setUpShown && !s.sendDisabled && s;
    }, { message: 'the preview with the account set up' });
    assert.match(ui.from, /user@fixture\.test/);
    const outcome = await api.preview.clickSend();
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    const got = await server.nextMessage();
    assert.strictEqual(got.envelope.from, 'user@fixture.test');
  });

  it('"Open Settings" on a failure lands on exactly the settings that fix it', async function () {
    if (!canScreenshot()) {
      console.log('[setup] the Settings editor\'s content is checked only in the code-server run');
      this.skip();
    }
    const refused = await startSmtpServer({ security: 'none' });
    await refused.close();
    await pointAt(refused);
    api.prompts.use(new ScriptedPrompts({ error: 'Open Settings' }));
    await openPreview(api, 'preview/images.md');
    const outcome = await api.preview.clickSend();
    assert.strictEqual(outcome.status === 'failed' && outcome.code, 'SMTP_CONNECTION_REFUSED', JSON.stringify(outcome));
    const shown = await settingsEditorWhen((keys) => keys.every((k) => k.startsWith('sendAsEmail.smtp.')), 'the Settings editor on the server settings');
    assert.deepStrictEqual([...shown.keys].sort(), ['sendAsEmail.smtp.host', 'sendAsEmail.smtp.port', 'sendAsEmail.smtp.security']);
    assert.match(shown.tab, /^User/, `tab: ${shown.tab}`);
    await closeSettingsEditor();
  });
});
