// Passwords and the log, in the real extension host: a typed password is kept for the session until a server accepts
// or refuses it (asked once across a failed connection and its retry), "Re-enter Password" after Test SMTP Connection
// asks and tests again, and Show Log shows the SMTP transcript at Info, never a credential or the message.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { getApi, Leftovers, pointAt, recordWorkspaceSettings, ScriptedPrompts, SMTP_SETTINGS, waitFor, workspaceUri } from './support';

const USER = 'typist@fixture.test';
const PASSWORD = 'typed-once-' + process.pid;

describe('Passwords and the SMTP transcript (real extension host)', () => {
  let api: SendAsEmailApi;
  let left: Leftovers;

  before(async () => {
    api = await getApi();
    left = new Leftovers(api, recordWorkspaceSettings(SMTP_SETTINGS));
  });

  afterEach(() => left.clear());

  /** A server that asks USER for PASSWORD, closed after the test. */
  async function loginServer(): Promise<TestSmtpServer> {
    left.server = await startSmtpServer({ security: 'none', users: { [USER]: PASSWORD } });
    return left.server;
  }

  it('a typed password is asked once across a failed connection (wrong port) and the retry, and stored once accepted', async () => {
    const wrong = await startSmtpServer({ security: 'none' });
    await wrong.close();
    const server = await loginServer();
    await pointAt(wrong, USER);
    const prompts = new ScriptedPrompts({ password: [PASSWORD] });
    api.prompts.use(prompts);
    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));

    const first = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(first.status === 'failed' && first.code, 'SMTP_CONNECTION_REFUSED', JSON.stringify(first));
    assert.strictEqual(await api.secrets.get(left.target(wrong, USER)), undefined, 'a password no server accepted was stored');

    // The port is fixed; Retry sends the kept message with the password typed before.
    await pointAt(server, USER);
    const entryId = first.status === 'failed' ? first.entryId : undefined;
    assert.ok(entryId, 'the failure names no outbox entry');
    const retried = await api.mail.retry(entryId);
    assert.strictEqual(retried.status, 'sent', JSON.stringify(retried));
    assert.strictEqual(prompts.shown.filter((s) => s.kind === 'password').length, 1, 'the password was asked again');
    assert.strictEqual(await api.secrets.get(left.target(server, USER)), PASSWORD, 'the accepted password was not stored');
    assert.deepStrictEqual(
      server.auths.map((a) => a.success),
      [true],
    );
  });

  it('"Re-enter Password" after Test SMTP Connection asks, tests again, and stores what was typed once accepted', async () => {
    const server = await loginServer();
    await pointAt(server, USER);
    const target = left.target(server, USER);
    await api.secrets.store(target, 'stale-password');
    const prompts = new ScriptedPrompts({ error: 'Re-enter Password', password: [PASSWORD] });
    api.prompts.use(prompts);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceUri('welcome.md')));

    const result = await vscode.commands.executeCommand('sendAsEmail.testConnection');
    assert.strictEqual(result, undefined, 'the test with the stale password succeeded');
    const error = prompts.shown.find((s) => s.kind === 'error');
    assert.ok(error?.buttons.includes('Re-enter Password'), JSON.stringify(error));
    const connected = await waitFor(() => prompts.shown.find((s) => s.kind === 'info' && /^Connected to/.test(s.message)), {
      message: 'the second test, with the password typed',
    });
    assert.match(connected.message, new RegExp(`logged in as ${USER.replace(/\./g, '\\.')}`));
    assert.strictEqual(prompts.shown.filter((s) => s.kind === 'password').length, 1);
    assert.strictEqual(await api.secrets.get(target), PASSWORD, 'what was typed was not stored');
    assert.deepStrictEqual(
      server.auths.map((a) => a.success),
      [false, true],
    );
  });

  it('Show Log shows the SMTP transcript of a send and of a test at Info, without the password or the message', async () => {
    const server = await loginServer();
    await pointAt(server, USER);
    await api.secrets.store(left.target(server, USER), PASSWORD);
    api.prompts.use(new ScriptedPrompts());
    const doc = await vscode.workspace.openTextDocument(workspaceUri('welcome.md'));
    const before = api.log.entries().length;
    const outcome = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.ok(await api.mail.testConnection(doc.uri), 'the connection test failed');

    const written = api.log.entries().slice(before);
    const transcript = written.filter((e) => /^[CS]: /.test(e.text));
    assert.ok(transcript.length > 10, `only ${transcript.length} transcript lines`);
    assert.deepStrictEqual([...new Set(transcript.map((e) => e.level))], ['info'], 'transcript lines below Info are hidden by default');
    for (const re of [/^C: EHLO /, /^C: AUTH PLAIN \[credentials hidden\]$/, /^C: MAIL FROM:<sender@fixture\.test>/, /^S: 235 /, /^C: QUIT/]) {
      assert.ok(transcript.some((e) => re.test(e.text)), `no transcript line matches ${re}`);
    }
    assert.strictEqual(transcript.filter((e) => /^C: EHLO /.test(e.text)).length, 2, 'the send and the test each have their transcript');
    const base64 = Buffer.from(`\u0000${USER}\u0000${PASSWORD}`).toString('base64');
    for (const e of written) {
      assert.ok(!e.text.includes(PASSWORD) && !e.text.includes(base64), `a credential reached the log: ${e.text}`);
      assert.ok(!/integration test|Subject:|Welcome to the fixture/.test(e.text), `the message reached the log: ${e.text}`);
    }
  });
});
