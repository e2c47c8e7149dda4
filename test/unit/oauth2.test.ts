// OAuth 2.0 (SASL XOAUTH2) in the send path, against a real smtp-server that checks the token, and the token command
// (src/core/accounts/tokenCommand.ts) run for real: a fixture script that prints a new token each run.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '../../src/core/errors';
import { describeCommand, parseTokenOutput, runTokenCommand, TokenCommandSource } from '../../src/core/accounts/tokenCommand';
import { deliver } from '../../src/core/send/deliver';
import { Outbox } from '../../src/core/send/outbox';
import { sendRaw, verifySmtp } from '../../src/core/send/smtp';
import { testPki } from '../support/certs';
import { rejectsWith } from '../support/fixtures';
import { assertNoLeak, credentialLeaks } from '../support/leaks';
import { captureLogger } from '../support/log';
import { buildTestMessage, parseMail } from '../support/mail';
import { projectRoot } from '../support/root';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const USER = 'ada@example.com';
const SCRIPT = path.join(projectRoot(), 'test', 'fixtures', 'token command', 'print-token.js');

/** Every file below `dir`, read as text. */
function allFiles(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out.push({ file, text: fs.readFileSync(file, 'latin1') });
    }
  }
  return out;
}

describe('oauth2: XOAUTH2 logins against a real SMTP server', function () {
  this.timeout(20000);
  let server: TestSmtpServer | undefined;
  let dir: string;
  let counter: string;
  const runs = (): number => Number(fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8') : 0);
  const command = (mode = 'plain'): string[] => [process.execPath, SCRIPT, counter, mode];
  before(() => testPki());
  beforeEach(() => {
    // A folder with a space in its name: the command's arguments are passed without a shell, whole.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae oauth2 '));
    counter = path.join(dir, 'runs.txt');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends with a valid token: AUTH XOAUTH2 is accepted and the message arrives', async () => {
    const token = 'ya29.valid-token_0123456789abcdef';
    server = await startSmtpServer({ security: 'starttls', tokens: { [USER]: token }, authMethods: ['XOAUTH2'] });
    const msg = await buildTestMessage({ subject: 'Signed in with OAuth' });
    const result = await sendRaw(server.target({ user: USER, oauth2: { accessToken: token } }), msg.envelope, msg);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    assert.deepStrictEqual(server.auths, [{ method: 'XOAUTH2', username: USER, success: true, secure: true }]);
    const got = await server.nextMessage();
    assert.strictEqual(got.user, USER);
    assert.strictEqual((await parseMail(got.raw)).subject, 'Signed in with OAuth');
  });

  it('a connection test reports the AUTH methods offered and the one used (XOAUTH2, or PLAIN for a password)', async () => {
    const token = 'ya29.verify-token_0123456789';
    server = await startSmtpServer({ security: 'tls', users: { [USER]: 'pw-123456' }, tokens: { [USER]: token }, authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] });
    const byToken = await verifySmtp(server.target({ security: 'tls', user: USER, oauth2: { accessToken: token } }));
    assert.deepStrictEqual(byToken.authMethods, ['PLAIN', 'LOGIN', 'XOAUTH2']);
    assert.strictEqual(byToken.authMethod, 'XOAUTH2');
    assert.strictEqual(byToken.authenticated, true);
    const byPassword = await verifySmtp(server.target({ security: 'tls', user: USER, password: 'pw-123456' }));
    assert.strictEqual(byPassword.authMethod, 'PLAIN');
    const anonymous = await verifySmtp(server.target({ security: 'tls' }));
    assert.strictEqual(anonymous.authMethod, undefined);
  });

  it('an expired token refused with a bare 535 is replaced once by the token command, and the send goes through', async () => {
    server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'token-2' }, authMethods: ['XOAUTH2'] });
    const source = new TokenCommandSource(command());
    const credential = await source.credential();
    assert.strictEqual(credential.accessToken, 'token-1');
    const msg = await buildTestMessage();
    const result = await sendRaw(server.target({ security: 'tls', user: USER, oauth2: credential }), msg.envelope, msg);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    assert.deepStrictEqual(
      server.auths.map((a) => [a.method, a.success]),
      [
        ['XOAUTH2', false],
        ['XOAUTH2', true],
      ],
    );
    assert.strictEqual(runs(), 2, 'the command ran once for the first token and once for the fresh one');
    // The fresh token is kept for the next send: no third run.
    assert.strictEqual(await source.token(), 'token-2');
    assert.strictEqual(runs(), 2);
  });

  it("an expired token refused with Gmail's 334 challenge is replaced once, and the AUTH is tried again", async () => {
    server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'token-2' }, authMethods: ['XOAUTH2'], xoauth2Challenge: true });
    const source = new TokenCommandSource(command());
    const msg = await buildTestMessage();
    await sendRaw(server.target({ security: 'tls', user: USER, oauth2: await source.credential() }), msg.envelope, msg);
    assert.strictEqual(runs(), 2);
    assert.strictEqual(server.commands.filter((c) => c.verb === 'AUTH').length, 2);
    assert.strictEqual((await server.nextMessage()).user, USER);
  });

  it('asks for a fresh token only once: a second refusal is SMTP_AUTH_FAILED with the server reply, nothing sent', async () => {
    for (const xoauth2Challenge of [false, true]) {
      fs.rmSync(counter, { force: true });
      server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'token-99' }, authMethods: ['XOAUTH2'], xoauth2Challenge });
      const source = new TokenCommandSource(command());
      const msg = await buildTestMessage();
      const err = await rejectsWith(sendRaw(server.target({ security: 'tls', user: USER, oauth2: await source.credential() }), msg.envelope, msg), ErrorCode.SMTP_AUTH_FAILED);
      assert.strictEqual(runs(), 2, `challenge ${xoauth2Challenge}: the command ran ${runs()} times`);
      assert.match(err.message, /refused the login for user "ada@example\.com"/);
      assert.match(err.extra.hint ?? '', /access token/);
      assert.strictEqual(server.messages.length, 0);
      await server.close();
      server = undefined;
    }
  });

  it('without a way to refresh (a token from the environment), a refused token is final: the server\'s own reply', async () => {
    for (const xoauth2Challenge of [false, true]) {
      server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'the-right-token' }, authMethods: ['XOAUTH2'], xoauth2Challenge });
      const msg = await buildTestMessage();
      const err = await rejectsWith(sendRaw(server.target({ security: 'tls', user: USER, oauth2: { accessToken: 'an-expired-token' } }), msg.envelope, msg), ErrorCode.SMTP_AUTH_FAILED);
      assert.match(err.extra.serverResponse ?? '', /^535 /, `challenge ${xoauth2Challenge}`);
      assert.ok(server.auths.every((a) => !a.success));
      assert.strictEqual(server.messages.length, 0);
      await server.close();
      server = undefined;
    }
  });

  it('never sends a token in clear to another machine: refused by name, and by the address connected to', async () => {
    const token = 'ya29.never-in-clear_0123';
    const remote = { host: 'mail.example.com', port: 587, security: 'none' as const, user: USER, caFile: '', rejectUnauthorized: true, timeoutSeconds: 5, oauth2: { accessToken: token } };
    const byName = await rejectsWith(verifySmtp(remote), ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    assert.match(byName.message, /^Refusing to send the access token for "ada@example\.com" to mail\.example\.com:587 unencrypted/);
    server = await startSmtpServer({ security: 'none', tokens: { [USER]: token }, authMethods: ['XOAUTH2'], allowInsecureAuth: true });
    const msg = await buildTestMessage();
    // The loopback server stands for one elsewhere: no connected address counts as this machine.
    const byAddress = await rejectsWith(sendRaw(server.target({ user: USER, oauth2: { accessToken: token } }), msg.envelope, msg, { isLoopbackAddress: () => false }), ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    assert.match(byAddress.message, /^Refusing to send the access token .* resolved to 127\.0\.0\.1, which is not this machine/);
    assert.deepStrictEqual(server.auths, []);
  });

  it('a failing token command stops the send with TOKEN_COMMAND_FAILED naming the command and quoting its stderr', async () => {
    server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'token-2' }, authMethods: ['XOAUTH2'] });
    const err = await rejectsWith(new TokenCommandSource(command('fail')).credential(), ErrorCode.TOKEN_COMMAND_FAILED);
    assert.ok(err.message.includes(describeCommand(command('fail'))), err.message);
    assert.match(err.message, /failed with exit code 3: ERROR: no refresh token for ada@example\.com/);
    // The refresh during a login fails the same way, and is reported as itself, not as a refused login.
    const refreshFails = { accessToken: 'token-old', refresh: async () => (await runTokenCommand(command('fail'))).accessToken };
    const msg = await buildTestMessage();
    const during = await rejectsWith(sendRaw(server.target({ security: 'tls', user: USER, oauth2: refreshFails }), msg.envelope, msg), ErrorCode.TOKEN_COMMAND_FAILED);
    assert.match(during.message, /print-token\.js/);
    assert.strictEqual(server.messages.length, 0);
  });

  it('a command that cannot start, prints nothing or hangs is named in the error', async () => {
    const missing = await rejectsWith(runTokenCommand([path.join(dir, 'no-such-program')]), ErrorCode.TOKEN_COMMAND_FAILED);
    assert.match(missing.message, /no-such-program.*could not be started \(ENOENT\)/);
    const empty = await rejectsWith(runTokenCommand([process.execPath, '-e', '']), ErrorCode.TOKEN_COMMAND_FAILED);
    assert.match(empty.message, /printed no access token/);
    const started = Date.now();
    const slow = await rejectsWith(runTokenCommand(command('slow'), { timeoutMs: 700 }), ErrorCode.TOKEN_COMMAND_FAILED);
    assert.match(slow.message, /did not finish within 1 seconds/);
    assert.ok(Date.now() - started < 5000, 'the hanging command was not killed');
  });

  it("reads az's JSON output and keeps the token until shortly before it expires", async () => {
    let now = Date.now();
    const source = new TokenCommandSource(command('json'), { now: () => now });
    assert.strictEqual(await source.token(), 'token-1');
    assert.strictEqual(await source.token(), 'token-1');
    assert.strictEqual(runs(), 1, 'a valid token was fetched again');
    now += 3600_000 - 30_000; // within the last minute of its hour
    assert.strictEqual(await source.token(), 'token-2');
    assert.strictEqual(runs(), 2);
    // The other shapes: expires_in (seconds from now), an epoch in expires_on, plain text (no expiry).
    assert.deepStrictEqual(parseTokenOutput('{"access_token":"t1","expires_in":3599}', 1000), { accessToken: 't1', expiresAt: 1000 + 3599_000 });
    assert.deepStrictEqual(parseTokenOutput('{"accessToken":"t2","expires_on":"1700000000"}', 0), { accessToken: 't2', expiresAt: 1700000000_000 });
    assert.deepStrictEqual(parseTokenOutput('  t3 \n', 0), { accessToken: 't3' });
    assert.strictEqual(parseTokenOutput('{"error":"login required"}', 0), undefined);
  });

  it('runs a command given as a string through the shell (POSIX sh here)', async () => {
    const token = await runTokenCommand(`printf '%s' "$SAE_TEST_TOKEN" | tr a-z A-Z`, { env: { ...process.env, SAE_TEST_TOKEN: 'shell-token' } });
    assert.strictEqual(token.accessToken, 'SHELL-TOKEN');
    // The same words as an array are not interpreted: the pipe is an argument.
    const plain = await runTokenCommand([process.execPath, '-e', 'process.stdout.write(process.argv.slice(1).join(" "))', '|', 'tr']);
    assert.strictEqual(plain.accessToken, '| tr');
  });

  it('keeps the token and its XOAUTH2 blob out of every log line, error, server reply and outbox file, refreshed or not', async () => {
    const echo = (a: { accessToken?: string }): string => `5.7.3 Authentication unsuccessful for token ${a.accessToken} (${Buffer.from(`user=${USER}\x01auth=Bearer ${a.accessToken}\x01\x01`).toString('base64')})`;
    server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'never-this-one' }, authMethods: ['XOAUTH2'], authFailure: echo });
    const outbox = new Outbox(path.join(dir, 'outbox'));
    const logger = captureLogger();
    const source = new TokenCommandSource(command());
    const credential = await source.credential();
    const msg = await buildTestMessage();
    const err = await rejectsWith(
      deliver({ raw: msg.raw, messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject }, server.target({ security: 'tls', user: USER, oauth2: credential }), outbox, { logger }),
      ErrorCode.SMTP_AUTH_FAILED,
    );
    assert.strictEqual(runs(), 2);
    const leaks = [...credentialLeaks(USER, undefined, 'token-1'), ...credentialLeaks(USER, undefined, 'token-2')];
    assertNoLeak('the error', `${err.message} ${err.extra.hint} ${err.extra.serverResponse} ${String((err.extra.cause as Error)?.stack)}`, leaks);
    assert.match(err.extra.serverResponse ?? '', /Authentication unsuccessful for token/, 'the reply is kept, scrubbed');
    assert.ok(logger.lines.length > 5, 'the transcript was logged');
    for (const line of logger.lines) assertNoLeak('a log line', line, leaks);
    const files = allFiles(outbox.outboxDir);
    assert.ok(files.length >= 2, files.map((f) => f.file).join(', '));
    for (const f of files) assertNoLeak(f.file, f.text, leaks);
  });
});
