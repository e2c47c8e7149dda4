// Settings follow the document: in a multi-root workspace each folder may name its own SMTP server, and a send, a
// retry, "Re-enter Password", Test SMTP Connection and Set/Clear Password all use the document's folder (a retry:
// the folder of the document its outbox entry was composed from), never the workspace-level settings.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SecretTarget } from '../../src/vscode/secrets';
import type { SendAsEmailApi } from '../../src/testing';
import { testPki } from '../support/certs';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { getApi, nextRetry, pointAt, recordWorkspaceSettings, ScriptedPrompts, secondFolder, settings, SMTP_SETTINGS, workspaceFolder } from './support';

const USER = 'writer@fixture.test';

describe('Settings per workspace folder (real extension host, multi-root)', () => {
  let api: SendAsEmailApi;
  let first: TestSmtpServer | undefined;
  let second: TestSmtpServer | undefined;
  let restore: (() => Promise<void>)[] = [];
  let secretTargets: SecretTarget[] = [];

  before(async () => {
    api = await getApi();
  });

  beforeEach(() => {
    const keys = [...SMTP_SETTINGS, 'smtp.rejectUnauthorized'];
    restore = [recordWorkspaceSettings(keys, workspaceFolder()), recordWorkspaceSettings(keys, secondFolder())];
  });

  afterEach(async () => {
    api.prompts.use(undefined);
    try {
      for (const target of secretTargets) await api.secrets.delete(target);
      secretTargets = [];
      await first?.close();
      await second?.close();
      first = second = undefined;
    } finally {
      for (const r of restore) await r();
    }
  });

  async function storePassword(s: TestSmtpServer, password: string): Promise<SecretTarget> {
    const target = { user: USER, host: s.host, port: s.port };
    secretTargets.push(target);
    await api.secrets.store(target, password);
    return target;
  }

  async function secondDocument(): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(secondFolder().uri, 'note.md'));
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  it('"Re-enter Password" after a 535 from the second folder\'s server stores and retries for that server only', async () => {
    first = await startSmtpServer({ security: 'none', users: { [USER]: 'first-password' } });
    second = await startSmtpServer({ security: 'none', users: { [USER]: 'second-password' } });
    await pointAt(first, USER, workspaceFolder());
    await pointAt(second, USER, secondFolder());
    const firstTarget = await storePassword(first, 'first-password');
    const secondTarget = await storePassword(second, 'stale-password');
    const prompts = new ScriptedPrompts({ error: 'Re-enter Password', password: ['second-password'] });
    api.prompts.use(prompts);

    const doc = await secondDocument();
    const composed = await api.mail.compose(doc);
    // The send ends with the 535 at once; "Re-enter Password" then retries its outbox entry.
    const retried = nextRetry(api);
    const attempt = await api.mail.send(composed, doc.uri);
    assert.strictEqual(attempt.status === 'failed' && attempt.code, 'SMTP_AUTH_FAILED', JSON.stringify(attempt));
    const { outcome } = await retried;

    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.strictEqual(second.messages.length, 1, 'the retry did not reach the second folder\'s server');
    assert.deepStrictEqual(second.messages[0]!.envelope.to, ['reader@second.test']);
    assert.strictEqual(first.messages.length, 0, 'the first folder\'s server got the message');
    assert.strictEqual(first.auths.length, 0, 'the first folder\'s server was asked to log in');
    assert.strictEqual(await api.secrets.get(secondTarget), 'second-password', 'the new password was not stored for the second server');
    assert.strictEqual(await api.secrets.get(firstTarget), 'first-password', 'the first server\'s password was touched');
  });

  it('Test SMTP Connection and Set/Clear SMTP Password use the active document\'s folder', async () => {
    first = await startSmtpServer({ security: 'none' });
    second = await startSmtpServer({ security: 'none', users: { [USER]: 'typed-for-second' } });
    await pointAt(first, '', workspaceFolder());
    await pointAt(second, USER, secondFolder());
    const prompts = new ScriptedPrompts({ password: ['typed-for-second'] });
    api.prompts.use(prompts);
    const doc = await secondDocument();

    await vscode.commands.executeCommand('sendAsEmail.setPassword');
    const target = { user: USER, host: second.host, port: second.port };
    secretTargets.push(target);
    assert.strictEqual(await api.secrets.get(target), 'typed-for-second', 'Set SMTP Password did not store for the second folder\'s server');
    assert.match(prompts.shown.find((s) => s.kind === 'password')?.message ?? '', new RegExp(`:${second.port}\\b`));

    const result = await vscode.commands.executeCommand<{ port: number } | undefined>('sendAsEmail.testConnection', doc.uri);
    assert.strictEqual(result?.port, second.port, 'Test SMTP Connection tested another server');

    await vscode.commands.executeCommand('sendAsEmail.clearPassword');
    assert.strictEqual(await api.secrets.get(target), undefined, 'Clear SMTP Password left the second folder\'s password');
  });

  it('a connection whose certificate is not checked shows a warning once per session, naming the server', async () => {
    second = await startSmtpServer({ security: 'tls', cert: testPki().selfSigned });
    await pointAt(second, '', secondFolder());
    await settings(secondFolder()).update('smtp.caFile', '', vscode.ConfigurationTarget.WorkspaceFolder);
    await settings(secondFolder()).update('smtp.rejectUnauthorized', false, vscode.ConfigurationTarget.WorkspaceFolder);
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    const doc = await secondDocument();
    for (let i = 0; i < 2; i++) {
      const result = await vscode.commands.executeCommand<{ port: number } | undefined>('sendAsEmail.testConnection', doc.uri);
      assert.strictEqual(result?.port, second.port);
    }
    const warnings = prompts.shown.filter((p) => p.kind === 'warn' && /Certificates are not checked/.test(p.message));
    assert.strictEqual(warnings.length, 1, `shown ${warnings.length} times`);
    assert.ok(warnings[0]!.message.includes(`127.0.0.1:${second.port}`), warnings[0]!.message);
    assert.ok(api.log.lines().filter((l) => l.includes('Certificates are not checked')).length >= 2, 'not logged on every connection');
  });
});
