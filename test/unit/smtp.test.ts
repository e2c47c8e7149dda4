import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { deliver } from '../../src/core/send/deliver';
import { ErrorCode, SendAsEmailError } from '../../src/core/errors';
import { Outbox } from '../../src/core/send/outbox';
import { transportOptions } from '../../src/core/send/connectionOptions';
import { isLoopbackAddress } from '../../src/core/send/loopback';
import { sendRaw, verifySmtp } from '../../src/core/send/smtp';
import type { SmtpTarget } from '../../src/core/types';
import { testPki } from '../support/certs';
import { rejectsWith } from '../support/fixtures';
import { captureLogger } from '../support/log';
import { assertNoLeak, b64, credentialLeaks } from '../support/leaks';
import { buildTestMessage, parseMail } from '../support/mail';
import { resolveNameTo, startSilentServer, startSmtpServer, unusedPort, type TestSmtpServer } from '../support/smtp';
import { waitFor } from '../support/wait';

const USER = 'ada@example.com';
const PASSWORD = 'correct-horse-battery-9';

/**
 * Runs `fn` with Node's DNS queries (dns.lookup, the resolvers) and outgoing socket connects replaced by stubs that
 * record the call and fail at once (ENOTFOUND, ECONNREFUSED): what `fn` tried to reach, with no real network I/O.
 */
describe('smtp: sendRaw against a real SMTP server', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  before(() => testPki()); // generate keys once, outside the per-test timings
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends over STARTTLS with the test CA as caFile and AUTH PLAIN; the bytes arrive unchanged', async () => {
    server = await startSmtpServer({ security: 'starttls', users: { [USER]: PASSWORD }, authMethods: ['PLAIN'] });
    const msg = await buildTestMessage({ to: ['bob@example.com'], bcc: ['carol@example.com'], subject: 'Über STARTTLS' });
    const result = await sendRaw(server.target({ user: USER, password: PASSWORD }), msg.envelope, msg);

    assert.deepStrictEqual(result.accepted, ['bob@example.com', 'carol@example.com']);
    assert.deepStrictEqual(result.rejected, []);
    assert.strictEqual(result.messageId, msg.messageId);
    assert.strictEqual(result.size, msg.raw.length);
    assert.match(result.response, /^250/);

    const got = await server.nextMessage();
    assert.ok(got.raw.equals(msg.raw), 'received bytes differ from the sent bytes');
    assert.deepStrictEqual(got.envelope, { from: 'ada@example.com', to: ['bob@example.com', 'carol@example.com'] });
    assert.strictEqual(got.secure, true);
    assert.strictEqual(got.user, USER);
    assert.deepStrictEqual(server.auths, [{ method: 'PLAIN', username: USER, success: true, secure: true }]);
    const parsed = await parseMail(got.raw);
    assert.strictEqual(parsed.subject, 'Über STARTTLS');
    assert.strictEqual(parsed.messageId, msg.messageId);
    assert.match(parsed.text ?? '', /\n\.\n/, 'a line with a single dot survives dot-stuffing');
    // Nothing but EHLO and STARTTLS went over the wire in clear.
    const clear = server.commands.filter((c) => !c.secure).map((c) => c.verb);
    assert.deepStrictEqual(clear, ['EHLO', 'STARTTLS']);
  });

  it('sends over implicit TLS with AUTH LOGIN', async () => {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: PASSWORD }, authMethods: ['LOGIN'] });
    const msg = await buildTestMessage();
    const result = await sendRaw(server.target({ user: USER, password: PASSWORD }), msg.envelope, msg);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    const got = await server.nextMessage();
    assert.ok(got.raw.equals(msg.raw));
    assert.strictEqual(got.secure, true);
    assert.deepStrictEqual(server.auths, [{ method: 'LOGIN', username: USER, success: true, secure: true }]);
    assert.ok(server.commands.every((c) => c.secure), 'every command over TLS');
  });

  it('sends in plaintext with security "none" to a loopback server, logging in', async () => {
    server = await startSmtpServer({ security: 'none', users: { [USER]: PASSWORD }, allowInsecureAuth: true });
    const msg = await buildTestMessage();
    await sendRaw(server.target({ user: USER, password: PASSWORD }), msg.envelope, msg);
    const got = await server.nextMessage();
    assert.strictEqual(got.secure, false);
    assert.ok(got.raw.equals(msg.raw));
  });

  it('reports a wrong password as SMTP_AUTH_FAILED with the 535 reply', async () => {
    server = await startSmtpServer({ users: { [USER]: PASSWORD } });
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(server.target({ user: USER, password: 'wrong-password' }), msg.envelope, msg), ErrorCode.SMTP_AUTH_FAILED);
    assert.match(err.extra.serverResponse ?? '', /^535/);
    assert.ok(err.message.includes(`127.0.0.1:${server.port}`), err.message);
    assert.ok(err.message.includes('535'), err.message);
    assert.ok(err.message.includes(USER), err.message);
    assert.match(err.extra.hint ?? '', /password/i);
    assert.strictEqual(server.messages.length, 0);
    assert.ok(!server.commands.some((c) => c.verb === 'MAIL'));
  });

  it('reports the Message-ID it is given with the bytes, never one read back out of them', async () => {
    server = await startSmtpServer();
    // Bytes with no Message-ID header at all: the caller composed them and knows the id.
    const raw = Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: no id\r\n\r\nbody\r\n');
    const result = await sendRaw(server.target(), { from: 'a@example.com', to: ['b@example.com'] }, { messageId: '<given@example.com>', raw });
    assert.strictEqual(result.messageId, '<given@example.com>');
    assert.ok((await server.nextMessage()).raw.equals(raw), 'the bytes were changed');
  });

  it('delivers to the accepted recipients and names the refused one (partial delivery)', async () => {
    server = await startSmtpServer({ rejectRecipients: ['nobody@example.com'] });
    const msg = await buildTestMessage({ to: ['bob@example.com', 'nobody@example.com', 'carol@example.com'] });
    const result = await sendRaw(server.target(), msg.envelope, msg);
    assert.deepStrictEqual(result.accepted, ['bob@example.com', 'carol@example.com']);
    assert.strictEqual(result.rejected.length, 1);
    assert.strictEqual(result.rejected[0].address, 'nobody@example.com');
    assert.match(result.rejected[0].response, /^550 .*nobody@example\.com/);
    const got = await server.nextMessage();
    assert.deepStrictEqual(got.envelope.to, ['bob@example.com', 'carol@example.com']);
  });

  it('throws SMTP_RECIPIENTS_REJECTED naming every address when all are refused', async () => {
    server = await startSmtpServer({ rejectRecipients: ['x@example.com', 'y@example.com'] });
    const msg = await buildTestMessage({ to: ['x@example.com', 'y@example.com'] });
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_RECIPIENTS_REJECTED);
    assert.deepStrictEqual(
      err.extra.rejected?.map((r) => r.address),
      ['x@example.com', 'y@example.com'],
    );
    assert.ok(err.extra.rejected?.every((r) => r.response.startsWith('550')));
    assert.deepStrictEqual(err.extra.accepted, []);
    assert.ok(err.message.includes('x@example.com') && err.message.includes('y@example.com'), err.message);
    assert.strictEqual(server.messages.length, 0);
  });

  it('refuses a message over the announced SIZE before sending it, naming both sizes', async () => {
    server = await startSmtpServer({ size: 2000 });
    const msg = await buildTestMessage({ padBytes: 6000 });
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_MESSAGE_TOO_LARGE);
    assert.ok(err.message.includes(`${msg.raw.length.toLocaleString('en-US')} bytes`), err.message);
    assert.ok(err.message.includes('2,000 bytes'), err.message);
    assert.ok(!server.commands.some((c) => c.verb === 'MAIL' || c.verb === 'DATA'), 'no MAIL/DATA sent');
  });

  it('maps a 552 after DATA (limit not announced) to SMTP_MESSAGE_TOO_LARGE with the reply', async () => {
    server = await startSmtpServer({ size: 2000, hideSize: true });
    const msg = await buildTestMessage({ padBytes: 6000 });
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_MESSAGE_TOO_LARGE);
    assert.match(err.extra.serverResponse ?? '', /^552/);
    assert.ok(err.message.includes(`${msg.raw.length.toLocaleString('en-US')} bytes`), err.message);
    assert.ok(err.message.includes('552'), err.message);
    assert.strictEqual(server.messages.length, 0);
  });

  it('reports a connection dropped during DATA as SMTP_CONNECTION_DROPPED, probably not delivered', async () => {
    server = await startSmtpServer({ data: 'drop' });
    const msg = await buildTestMessage({ padBytes: 200_000 });
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_CONNECTION_DROPPED);
    assert.match(err.message, /not delivered/);
    assert.match(err.message, /outbox/);
    assert.ok(err.message.includes(`127.0.0.1:${server.port}`), err.message);
  });

  it('times out on a server that never greets (SMTP_TIMEOUT)', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const target: SmtpTarget = {
        host: '127.0.0.1',
        port: silent.port,
        security: 'starttls',
        user: '',
        caFile: '',
        rejectUnauthorized: true,
        timeoutSeconds: 1,
      };
      const msg = await buildTestMessage();
      const err = await rejectsWith(sendRaw(target, msg.envelope, msg), ErrorCode.SMTP_TIMEOUT);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 900 && elapsed < 4000, `took ${elapsed} ms`);
      assert.match(err.message, /greeting/);
      assert.ok(err.message.includes(`127.0.0.1:${silent.port}`), err.message);
      assert.strictEqual(silent.connections, 1, 'the client never connected');
      await waitFor(() => silent.closed === silent.connections, 2000, 'the client to close its socket');
      assert.strictEqual(silent.closed, silent.connections, 'the client closed its socket');
    } finally {
      await silent.close();
    }
  });

  for (const security of ['starttls', 'tls'] as const) {
    it(`refuses a self-signed certificate without caFile (${security}) with a caFile hint`, async () => {
      server = await startSmtpServer({ security, cert: testPki().selfSigned, users: { [USER]: PASSWORD } });
      const msg = await buildTestMessage();
      const err = await rejectsWith(
        sendRaw(server.target({ caFile: '', user: USER, password: PASSWORD }), msg.envelope, msg),
        ErrorCode.SMTP_CERT_UNTRUSTED,
      );
      assert.match(err.extra.hint ?? '', /sendAsEmail\.smtp\.caFile/);
      assert.ok(err.message.includes(`127.0.0.1:${server.port}`), err.message);
      assert.strictEqual(server.auths.length, 0);
      assert.strictEqual(server.messages.length, 0);
    });
  }

  it('refuses a certificate from an unknown CA when caFile is not set', async () => {
    server = await startSmtpServer();
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(server.target({ caFile: '' }), msg.envelope, msg), ErrorCode.SMTP_CERT_UNTRUSTED);
    assert.match(err.message, /not signed by a trusted certificate authority/);
  });

  it('refuses an expired certificate even from the trusted CA', async () => {
    server = await startSmtpServer({ cert: testPki().expired });
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_CERT_UNTRUSTED);
    assert.match(err.message, /expired/);
  });

  it('refuses a certificate issued for another host name', async () => {
    server = await startSmtpServer({ cert: testPki().wrongHost });
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(server.target(), msg.envelope, msg), ErrorCode.SMTP_CERT_UNTRUSTED);
    assert.match(err.message, /not valid for the name "127\.0\.0\.1"/);
  });

  it('accepts a self-signed certificate when rejectUnauthorized is off', async () => {
    server = await startSmtpServer({ cert: testPki().selfSigned });
    const msg = await buildTestMessage();
    await sendRaw(server.target({ caFile: '', rejectUnauthorized: false }), msg.envelope, msg);
    assert.strictEqual((await server.nextMessage()).secure, true);
  });

  it('warns on every connection whose certificate is not checked (rejectUnauthorized off), naming host and port', async () => {
    server = await startSmtpServer({ security: 'tls', cert: testPki().selfSigned });
    const warnings: string[] = [];
    const logger = { ...captureLogger(), warn: (m: string) => void warnings.push(m) };
    const insecure: string[] = [];
    const opts = { logger, onInsecureTls: (where: string) => void insecure.push(where) };
    const where = `127.0.0.1:${server.port}`;
    const msg = await buildTestMessage();
    await sendRaw(server.target({ caFile: '', rejectUnauthorized: false }), msg.envelope, msg, opts);
    await verifySmtp(server.target({ caFile: '', rejectUnauthorized: false }), opts);
    assert.strictEqual(warnings.length, 2, warnings.join('\n'));
    for (const w of warnings) {
      assert.ok(w.includes(where), w);
      assert.match(w, /Certificates are not checked/);
      assert.match(w, /sendAsEmail\.smtp\.rejectUnauthorized/);
    }
    assert.deepStrictEqual(insecure, [where, where]);
    // Checked certificates, or no TLS at all: no warning.
    const plain = await startSmtpServer({ security: 'none' });
    try {
      await verifySmtp(plain.target({ rejectUnauthorized: false }), opts);
    } finally {
      await plain.close();
    }
    await server.close();
    server = await startSmtpServer({ security: 'starttls' });
    await verifySmtp(server.target(), opts);
    assert.strictEqual(warnings.length, 2, warnings.join('\n'));
    assert.strictEqual(insecure.length, 2);
  });

  it('stops with SMTP_STARTTLS_UNAVAILABLE when STARTTLS is required but not offered, sending no AUTH or MAIL in clear', async () => {
    // This server would even accept a plaintext login: the client must not try.
    server = await startSmtpServer({ security: 'none', users: { [USER]: PASSWORD }, allowInsecureAuth: true });
    const msg = await buildTestMessage();
    const err = await rejectsWith(
      sendRaw(server.target({ security: 'starttls', user: USER, password: PASSWORD }), msg.envelope, msg),
      ErrorCode.SMTP_STARTTLS_UNAVAILABLE,
    );
    assert.ok(err.message.includes(`127.0.0.1:${server.port}`), err.message);
    assert.ok(err.extra.serverResponse, 'the server reply is kept');
    const verbs = server.commands.map((c) => c.verb);
    assert.ok(!verbs.includes('AUTH') && !verbs.includes('MAIL') && !verbs.includes('RCPT') && !verbs.includes('DATA'), verbs.join(' '));
    assert.deepStrictEqual(verbs.slice(0, 2), ['EHLO', 'STARTTLS']);
    assert.strictEqual(server.auths.length, 0);
    assert.strictEqual(server.messages.length, 0);
  });

  it('refuses security "none" with a login to a non-loopback host before any connection or DNS lookup', async () => {
    const target: SmtpTarget = {
      host: 'smtp.example.invalid',
      port: 25,
      security: 'none',
      user: USER,
      password: PASSWORD,
      caFile: '',
      rejectUnauthorized: true,
      timeoutSeconds: 5,
    };
    // transportOptions is synchronous and does no I/O besides reading caFile: failing there means nothing was resolved.
    assert.throws(() => transportOptions(target), (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(target, msg.envelope, msg), ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    assert.ok(err.message.includes('smtp.example.invalid:25'), err.message);
    assert.ok(!err.message.includes(PASSWORD));
    // Without a login, "none" to that host passes the same check: the refusal is about the password.
    assert.doesNotThrow(() => transportOptions({ ...target, user: '', password: undefined }));
  });

  it('reports a closed port as SMTP_CONNECTION_REFUSED naming host and port', async () => {
    const port = await unusedPort();
    const msg = await buildTestMessage();
    const target: SmtpTarget = { host: '127.0.0.1', port, security: 'starttls', user: '', caFile: '', rejectUnauthorized: true, timeoutSeconds: 5 };
    const err = await rejectsWith(sendRaw(target, msg.envelope, msg), ErrorCode.SMTP_CONNECTION_REFUSED);
    assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message);
  });

  it('explains implicit TLS against a STARTTLS port as SMTP_TLS_FAILED with a 587/465 hint', async () => {
    server = await startSmtpServer({ security: 'starttls' });
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(server.target({ security: 'tls' }), msg.envelope, msg), ErrorCode.SMTP_TLS_FAILED);
    assert.match(err.extra.hint ?? '', /587/);
    assert.match(err.extra.hint ?? '', /starttls/);
  });

  it('cancels during the envelope: closes the connection at once, nothing delivered', async () => {
    server = await startSmtpServer({ delayRcptMs: 5000 });
    const msg = await buildTestMessage();
    const controller = new AbortController();
    const sending = sendRaw(server.target(), msg.envelope, msg, { signal: controller.signal });
    // The server holds its answer to RCPT TO for 5 s: abort once the envelope is on the wire.
    await server.waitFor(() => server!.commands.some((c) => c.verb === 'RCPT'), 5000, 'RCPT TO at the server');
    const started = Date.now();
    controller.abort();
    const err = await rejectsWith(sending, ErrorCode.SMTP_CANCELLED);
    assert.ok(Date.now() - started < 1500, `cancel took ${Date.now() - started} ms`);
    assert.match(err.message, /nothing was delivered/);
    await server.waitFor(() => server!.sessions.closed === 1, 2000, 'the server to see the connection closed');
    assert.strictEqual(server.messages.length, 0);
    assert.ok(!server.commands.some((c) => c.verb === 'DATA'), 'DATA was sent after the cancel');
  });

  it('cancels while waiting for the final reply: says the message may have been delivered', async () => {
    server = await startSmtpServer({ data: 'stall' });
    const msg = await buildTestMessage();
    const controller = new AbortController();
    const sending = sendRaw(server.target(), msg.envelope, msg, { signal: controller.signal });
    await server.waitFor(() => server!.stalled.length === 1, 5000, 'the message to arrive');
    controller.abort();
    const err = await rejectsWith(sending, ErrorCode.SMTP_CANCELLED);
    assert.match(err.message, /may have been delivered/);
    await server.waitFor(() => server!.sessions.closed === 1, 2000, 'the server to see the connection closed');
  });

  it('does not connect at all when the signal is already aborted', async () => {
    server = await startSmtpServer();
    const msg = await buildTestMessage();
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(sendRaw(server.target(), msg.envelope, msg, { signal: controller.signal }), ErrorCode.SMTP_CANCELLED);
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(server.sessions.opened, 0);
  });

  it('rejects an empty recipient list before connecting', async () => {
    server = await startSmtpServer();
    const msg = await buildTestMessage();
    await rejectsWith(sendRaw(server.target(), { from: msg.envelope.from, to: [] }, msg), ErrorCode.NO_RECIPIENTS);
    await rejectsWith(sendRaw(server.target(), { from: msg.envelope.from, to: ['a@b.c>\r\nRCPT TO:<x@y.z'] }, msg), ErrorCode.INVALID_ADDRESS);
    assert.strictEqual(server.sessions.opened, 0);
  });

  it('logs the transcript without credentials or message content', async () => {
    server = await startSmtpServer({ users: { [USER]: PASSWORD }, authMethods: ['LOGIN'] });
    const logger = captureLogger();
    const msg = await buildTestMessage({ text: 'Body text that must never be logged.' });
    await sendRaw(server.target({ user: USER, password: PASSWORD }), msg.envelope, msg, { logger });
    const log = logger.lines.join('\n');
    assert.match(log, /^S: 220 /m);
    assert.match(log, /^C: STARTTLS$/m);
    assert.match(log, /^C: AUTH LOGIN$/m);
    assert.match(log, /^C: \[credentials hidden\]$/m);
    assert.match(log, /^S: 235 /m);
    assert.match(log, /^C: MAIL FROM:<ada@example\.com>/m);
    assert.ok(!log.includes('Body text that must never be logged'), 'message body in the log');
    assert.ok(!log.includes('Subject:'), 'message headers in the log');
    for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(USER).toString('base64')]) {
      assert.ok(!log.includes(secret), `log contains ${secret}`);
    }
  });
});

describe('smtp: a server that echoes the credentials in its refusal', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /**
   * A 535 that quotes what the client sent: the AUTH PLAIN line (and the blob with an authorization identity), the
   * AUTH LOGIN lines, and the password's base64 after 0, 1 and 2 other bytes (each alignment inside a longer blob).
   */
  const echo = (auth: { method: string; username: string; password?: string }): string => {
    const pw = auth.password ?? '';
    const sent =
      auth.method === 'PLAIN'
        ? `AUTH PLAIN ${b64(`\0${auth.username}\0${pw}`)} / ${b64(`${auth.username}\0${auth.username}\0${pw}`)}`
        : `AUTH LOGIN ${b64(auth.username)} ${b64(pw)}`;
    return `5.7.8 Authentication failed for ${sent} (${b64(pw)} ${b64(`x${pw}`)} ${b64(`xy${pw}`)}) password ${pw}`;
  };

  for (const method of ['PLAIN', 'LOGIN'] as const) {
    it(`keeps the AUTH ${method} password out of the error, its cause and every log line`, async () => {
      // The server accepts nobody: every login is refused with the echo.
      server = await startSmtpServer({ security: 'tls', users: { [USER]: 'another-password' }, authMethods: [method], authFailure: echo });
      const logger = captureLogger();
      const msg = await buildTestMessage();
      const err = await rejectsWith(
        sendRaw(server.target({ user: USER, password: PASSWORD }), msg.envelope, msg, { logger }),
        ErrorCode.SMTP_AUTH_FAILED,
      );
      assert.deepStrictEqual(server.auths, [{ method, username: USER, success: false, secure: true }]);
      // The echo arrived and was quoted, with the credentials replaced.
      assert.match(err.extra.serverResponse ?? '', /^535 5\.7\.8 Authentication failed for AUTH /);
      assert.ok((err.extra.serverResponse ?? '').includes('/* secret */'), err.extra.serverResponse);
      assert.ok(logger.lines.some((l) => l.startsWith('S: 535 ')), 'the refusal is in the transcript');
      const leaks = credentialLeaks(USER, PASSWORD);
      assertNoLeak('the message', err.message, leaks);
      assertNoLeak('serverResponse', err.extra.serverResponse ?? '', leaks);
      assertNoLeak('the error', util.inspect(err, { depth: 8 }), leaks);
      for (const line of logger.lines) assertNoLeak('a log line', line, leaks);
      // The user name itself stays readable.
      assert.ok(err.message.includes(USER), err.message);
    });
  }

  it('keeps the echoed password out of the outbox entry of a failed send', async () => {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: 'another-password' }, authMethods: ['PLAIN'], authFailure: echo });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-smtp-echo-'));
    const outbox = new Outbox(dir);
    const msg = await buildTestMessage();
    await rejectsWith(
      deliver({ raw: msg.raw, messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject }, server.target({ user: USER, password: PASSWORD }), outbox),
      ErrorCode.SMTP_AUTH_FAILED,
    );
    const records = fs.readdirSync(outbox.outboxDir).filter((f) => f.endsWith('.json'));
    assert.strictEqual(records.length, 1, records.join(', '));
    const json = fs.readFileSync(path.join(outbox.outboxDir, records[0]), 'utf8');
    assert.match(json, /"serverResponse": "535 5\.7\.8 Authentication failed for AUTH PLAIN/);
    assertNoLeak('the outbox record', json, credentialLeaks(USER, PASSWORD));
  });
});

describe('smtp: a plaintext login goes only to an address of this machine', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  const undo: (() => void)[] = [];
  afterEach(async () => {
    for (const u of undo.splice(0)) u();
    await server?.close();
    server = undefined;
  });

  it('logs in over plaintext to a host name that resolves to loopback', async () => {
    undo.push(resolveNameTo('mail.localhost', '127.0.0.1'));
    server = await startSmtpServer({ security: 'none', users: { [USER]: PASSWORD }, allowInsecureAuth: true, authMethods: ['PLAIN'] });
    const msg = await buildTestMessage();
    await sendRaw(server.target({ host: 'mail.localhost', user: USER, password: PASSWORD }), msg.envelope, msg);
    assert.strictEqual((await server.nextMessage()).secure, false);
    assert.deepStrictEqual(server.auths, [{ method: 'PLAIN', username: USER, success: true, secure: false }]);
  });

  it('refuses it, before AUTH, when the address connected to is not this machine, whatever the name looks like', async () => {
    // "evil.localhost" passes the name check. This machine has only loopback to test on, so the test narrows which
    // connected addresses count as this machine to ::1: the real connection to 127.0.0.1 then stands for one elsewhere.
    undo.push(resolveNameTo('evil.localhost', '127.0.0.1'));
    server = await startSmtpServer({ security: 'none', users: { [USER]: PASSWORD }, allowInsecureAuth: true, authMethods: ['PLAIN'] });
    const target = server.target({ host: 'evil.localhost', user: USER, password: PASSWORD });
    assert.doesNotThrow(() => transportOptions(target), 'the name alone is not refused');
    const asked: string[] = [];
    const onlyV6 = (address: string): boolean => {
      asked.push(address);
      return address === '::1';
    };
    const msg = await buildTestMessage();
    const err = await rejectsWith(sendRaw(target, msg.envelope, msg, { isLoopbackAddress: onlyV6 }), ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    assert.deepStrictEqual(asked, ['127.0.0.1'], 'the connected address was checked');
    assert.ok(err.message.includes(`evil.localhost:${server.port}`), err.message);
    assert.ok(err.message.includes('resolved to 127.0.0.1'), err.message);
    assert.ok(!err.message.includes(PASSWORD));
    await rejectsWith(verifySmtp(target, { isLoopbackAddress: onlyV6 }), ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED);
    await server.waitFor(() => server!.sessions.closed === 2, 2000, 'both connections to close');
    assert.deepStrictEqual(
      server.commands.map((c) => c.verb),
      ['EHLO', 'EHLO'],
      'nothing but EHLO was sent',
    );
    assert.deepStrictEqual(server.auths, []);
    assert.strictEqual(server.messages.length, 0);
  });

  it('isLoopbackAddress() accepts 127.0.0.0/8 and ::1 (also IPv4-mapped), nothing else', () => {
    for (const a of ['127.0.0.1', '127.255.1.2', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]']) {
      assert.strictEqual(isLoopbackAddress(a), true, a);
    }
    for (const a of ['192.0.2.2', '10.0.0.1', '128.0.0.1', '0.0.0.0', '::', 'fd00::2', '::ffff:10.0.0.1', '::127.0.0.1', 'localhost', '']) {
      assert.strictEqual(isLoopbackAddress(a), false, a);
    }
  });
});

describe('smtp: verifySmtp', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports TLS version, AUTH methods and SIZE limit, and sends nothing', async () => {
    server = await startSmtpServer({ users: { [USER]: PASSWORD }, size: 10 * 1024 * 1024 });
    const result = await verifySmtp(server.target({ user: USER, password: PASSWORD }));
    assert.strictEqual(result.host, '127.0.0.1');
    assert.strictEqual(result.port, server.port);
    assert.strictEqual(result.secure, true);
    assert.match(result.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.deepStrictEqual(result.authMethods, ['PLAIN', 'LOGIN']);
    assert.strictEqual(result.sizeLimit, 10 * 1024 * 1024);
    assert.strictEqual(result.authenticated, true);
    assert.match(result.greeting ?? '', /^220 /);
    const verbs = server.commands.map((c) => c.verb);
    assert.ok(!verbs.includes('MAIL') && !verbs.includes('DATA'), verbs.join(' '));
    assert.strictEqual(server.messages.length, 0);
  });

  it('reports plaintext without TLS version and without login when no user is set', async () => {
    server = await startSmtpServer({ security: 'none' });
    const result = await verifySmtp(server.target());
    assert.strictEqual(result.secure, false);
    assert.strictEqual(result.tlsVersion, undefined);
    assert.strictEqual(result.authenticated, false);
    assert.strictEqual(result.sizeLimit, undefined);
  });

  it('fails with SMTP_AUTH_FAILED on a wrong password', async () => {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: PASSWORD } });
    const err = await rejectsWith(verifySmtp(server.target({ user: USER, password: 'nope-nope' })), ErrorCode.SMTP_AUTH_FAILED);
    assert.match(err.extra.serverResponse ?? '', /^535/);
  });

  it('fails with SMTP_AUTH_FAILED when a user is set but the server offers no AUTH', async () => {
    server = await startSmtpServer();
    const err = await rejectsWith(verifySmtp(server.target({ user: USER, password: PASSWORD })), ErrorCode.SMTP_AUTH_FAILED);
    assert.match(err.message, /does not offer a login/);
  });
});
