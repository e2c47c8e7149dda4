// Save as .eml and sending, in the real extension host: settings from the workspace, the password from
// SecretStorage, a real SMTP server on loopback, the received bytes parsed back with mailparser.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import type { SecretTarget } from '../../src/vscode/secrets';
import { parseMail } from '../support/mail';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { getApi, nextRetry, pointAt, sentBytes, recordWorkspaceSettings, ScriptedPrompts, SMTP_SETTINGS, workspaceUri } from './support';

const USER = 'writer@fixture.test';
const PASSWORD = 'host-s3cret-' + process.pid;

describe('Save as .eml and Send (real extension host)', () => {
  let api: SendAsEmailApi;
  let server: TestSmtpServer | undefined;
  let restoreSettings: () => Promise<void>;
  /** Every SecretStorage entry a test wrote (or made the extension write), deleted after each test. */
  let secretTargets: SecretTarget[] = [];

  before(async () => {
    api = await getApi();
    restoreSettings = recordWorkspaceSettings(SMTP_SETTINGS);
  });

  afterEach(async () => {
    api.prompts.use(undefined);
    try {
      for (const target of secretTargets) await api.secrets.delete(target);
      secretTargets = [];
      await server?.close();
      server = undefined;
    } finally {
      await restoreSettings();
    }
  });

  /** Stores `password` for `server` and `USER` in SecretStorage, for afterEach to delete. */
  async function storePassword(s: TestSmtpServer, password: string): Promise<SecretTarget> {
    const target = { user: USER, host: s.host, port: s.port };
    secretTargets.push(target);
    await api.secrets.store(target, password);
    return target;
  }

  it('Save as .eml writes the unsaved editor text as a CRLF message with inline images', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));
    const editor = await vscode.window.showTextDocument(doc);
    try {
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\nUnsaved line from the editor.\n'));
      assert.ok(doc.isDirty);
      const target = workspaceUri('out', 'welcome.eml');
      const written = await vscode.commands.executeCommand<vscode.Uri>('sendAsEmail.saveEml', doc.uri, target);
      assert.strictEqual(written?.fsPath, target.fsPath);
      const raw = fs.readFileSync(target.fsPath);
      assert.ok(!/[^\r]\n/.test(raw.toString('latin1')), 'bare LF in the .eml');
      const mail = await parseMail(raw);
      assert.strictEqual(mail.subject, 'Welcome to the fixture workspace');
      assert.match(mail.text ?? '', /Unsaved line from the editor\./);
      assert.strictEqual(mail.attachments.filter((a) => a.contentId && a.contentDisposition === 'inline').length, 2);
      assert.match(String((mail.from as { text: string }).text), /sender@fixture\.test/);
    } finally {
      // Whatever failed above, the shared welcome.md must not stay edited for the next tests.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    assert.ok(!doc.isDirty, 'welcome.md was not reverted');
  });

  it('sends over STARTTLS with the password from SecretStorage; the server gets exactly the outbox bytes', async () => {
    server = await startSmtpServer({ security: 'starttls', users: { [USER]: PASSWORD } });
    await pointAt(server, USER);
    await storePassword(server, PASSWORD);
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);

    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));
    const composed = await api.mail.compose(doc);
    const outcome = await api.mail.send(composed, doc.uri);
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    const got = await server.nextMessage();
    assert.ok(got.secure, 'the message did not travel over TLS');
    assert.deepStrictEqual(got.envelope.to, ['reader@fixture.test']);
    assert.ok(got.raw.equals(sentBytes(api.outboxDir, composed.messageId)), 'received bytes differ from the ones the outbox kept');
    assert.strictEqual(got.raw.length, composed.size, 'received another size than composed');
    const mail = await parseMail(got.raw);
    assert.strictEqual(mail.messageId, composed.messageId);
    assert.strictEqual(mail.attachments.filter((a) => a.contentId).length, 2);
    assert.ok(prompts.shown.some((s) => s.kind === 'info' && /Sent "Welcome to the fixture workspace" to 1 recipient/.test(s.message)));
    assert.ok(!prompts.shown.some((s) => s.kind === 'password'), 'asked for a password that was stored');
    // nothing left waiting, and the password is nowhere in the log
    const sentDir = vscode.Uri.file(`${api.outboxDir}/sent`);
    const names = (await vscode.workspace.fs.readDirectory(sentDir)).map(([n]) => n);
    assert.ok(names.some((n) => n.endsWith('.eml')));
    assert.ok(!api.log.lines().some((l) => l.includes(PASSWORD)), 'the password reached the log');
  });

  it('a wrong stored password (535) offers "Re-enter Password", resends the same message and stores the new one', async () => {
    server = await startSmtpServer({ security: 'starttls', users: { [USER]: PASSWORD } });
    await pointAt(server, USER);
    const target = await storePassword(server, 'stale-password');
    const prompts = new ScriptedPrompts({ error: 'Re-enter Password', password: [PASSWORD] });
    api.prompts.use(prompts);

    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));
    const composed = await api.mail.compose(doc);
    // The send ends with the 535 at once; the resend after "Re-enter Password" is a retry of its outbox entry.
    const retried = nextRetry(api);
    const first = await api.mail.send(composed, doc.uri);
    assert.strictEqual(first.status === 'failed' && first.code, 'SMTP_AUTH_FAILED', JSON.stringify(first));
    const authError = prompts.shown.find((s) => s.kind === 'error');
    assert.ok(authError, 'no error was shown for the 535');
    assert.ok(authError.buttons.includes('Re-enter Password'), `buttons: ${authError.buttons.join(', ')}`);
    assert.match(authError.message, /authenticat|password|535/i);
    assert.ok(!authError.message.includes('stale-password'));
    const { outcome, entryId } = await retried;
    assert.strictEqual(entryId, first.status === 'failed' ? first.entryId : undefined, 'another outbox entry was retried');
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.strictEqual(server.messages.length, 1);
    const mail = await parseMail(server.messages[0]!.raw);
    assert.strictEqual(mail.messageId, composed.messageId, 'the retry did not resend the same message');
    assert.strictEqual(await api.secrets.get(target), PASSWORD, 'the accepted password was not stored');
  });

  it('a refused recipient is named, and the others are reported delivered', async () => {
    server = await startSmtpServer({ security: 'starttls', users: { [USER]: PASSWORD }, rejectRecipients: ['nobody@fixture.test'] });
    await pointAt(server, USER);
    await storePassword(server, PASSWORD);
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));
    const composed = await api.mail.compose(doc, { to: ['reader@fixture.test', 'nobody@fixture.test'] });
    const outcome = await api.mail.send(composed, doc.uri);
    assert.strictEqual(outcome.status, 'partial');
    const warning = prompts.shown.find((s) => s.kind === 'warn');
    assert.ok(warning, 'no warning for the partial delivery');
    assert.match(warning.message, /nobody@fixture\.test/);
    assert.match(warning.message, /delivered to reader@fixture\.test/);
  });

  it('Test SMTP Connection reports TLS version, AUTH methods and the size limit without sending', async () => {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: PASSWORD }, size: 5 * 1024 * 1024 });
    await pointAt(server, USER);
    await storePassword(server, PASSWORD);
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    // The command uses the settings of the active document's folder (the host has two folders).
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceUri('welcome.md')));
    const result = await vscode.commands.executeCommand<{ tlsVersion?: string; authMethods: string[]; sizeLimit?: number; authenticated: boolean }>(
      'sendAsEmail.testConnection',
    );
    assert.ok(result, 'the command returned nothing');
    assert.match(result.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.ok(result.authMethods.includes('PLAIN'), result.authMethods.join(' '));
    assert.strictEqual(result.sizeLimit, 5 * 1024 * 1024);
    assert.strictEqual(result.authenticated, true);
    assert.strictEqual(server.messages.length, 0);
    const info = prompts.shown.find((s) => s.kind === 'info');
    assert.ok(info && info.message.includes(`${server.host}:${server.port}`) && /size limit 5\.0 MB/.test(info.message), info?.message);
    assert.strictEqual(api.mail.knownSizeLimit(), 5 * 1024 * 1024);
  });
});
