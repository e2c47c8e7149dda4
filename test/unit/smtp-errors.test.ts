/**
 * The mapping table for failures that cannot be produced on loopback (DNS, unreachable networks,
 * provider replies), with errors shaped exactly as nodemailer's SMTPConnection reports them.
 * The reproducible ones are covered against real servers in smtp.test.ts.
 */
import * as assert from 'assert';
import * as util from 'util';
import * as l10n from '@vscode/l10n';
import { ErrorCode } from '../../src/core/errors';
import { loginSecrets, scrubSecrets, secretScrubber } from '../../src/core/send/secrets';
import { endpoint, type SmtpErrorContext } from '../../src/core/send/smtpErrorContext';
import { cancelled, toSmtpError } from '../../src/core/send/smtpErrors';
import { assertNoLeak, b64, credentialLeaks, leakForms } from '../support/leaks';

const ctx: SmtpErrorContext = {
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  timeoutSeconds: 30,
  phase: 'connect',
  operation: 'send',
  user: 'ada@example.com',
  greeted: true,
};

function nodemailerError(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('smtp-errors: toSmtpError', () => {
  it('maps DNS failures (ENOTFOUND, EAI_AGAIN) to SMTP_HOST_NOT_FOUND naming the host', () => {
    const notFound = toSmtpError(
      nodemailerError('getaddrinfo ENOTFOUND smtp.example.com', { code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN' }),
      ctx,
    );
    assert.strictEqual(notFound.code, ErrorCode.SMTP_HOST_NOT_FOUND);
    assert.match(notFound.message, /"smtp\.example\.com" was not found/);
    const again = toSmtpError(nodemailerError('getaddrinfo EAI_AGAIN smtp.example.com', { code: 'EDNS', originalCode: 'EAI_AGAIN' }), ctx);
    assert.strictEqual(again.code, ErrorCode.SMTP_HOST_NOT_FOUND);
    assert.match(again.message, /temporary DNS failure/);
    // a bare Node error, not wrapped by nodemailer
    assert.strictEqual(toSmtpError(nodemailerError('x', { code: 'ENOTFOUND' }), ctx).code, ErrorCode.SMTP_HOST_NOT_FOUND);
  });

  it('maps ECONNREFUSED and unreachable networks to SMTP_CONNECTION_REFUSED with host:port', () => {
    const refused = toSmtpError(nodemailerError('connect ECONNREFUSED 1.2.3.4:587', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), ctx);
    assert.strictEqual(refused.code, ErrorCode.SMTP_CONNECTION_REFUSED);
    assert.ok(refused.message.includes('smtp.example.com:587'));
    const unreachable = toSmtpError(nodemailerError('connect EHOSTUNREACH', { code: 'ESOCKET', originalCode: 'EHOSTUNREACH' }), ctx);
    assert.strictEqual(unreachable.code, ErrorCode.SMTP_CONNECTION_REFUSED);
    assert.match(unreachable.message, /unreachable/);
  });

  it('maps timeouts to SMTP_TIMEOUT, with an implicit-TLS hint for a greeting timeout on port 465', () => {
    const connect = toSmtpError(nodemailerError('Connection timeout', { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }), ctx);
    assert.strictEqual(connect.code, ErrorCode.SMTP_TIMEOUT);
    assert.match(connect.message, /within 30 s/);
    const greeting = toSmtpError(
      nodemailerError('Greeting never received', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }),
      { ...ctx, port: 465 },
    );
    assert.strictEqual(greeting.code, ErrorCode.SMTP_TIMEOUT);
    assert.match(greeting.message, /no SMTP greeting/);
    assert.match(greeting.extra.hint ?? '', /"tls"/);
    const idle = toSmtpError(nodemailerError('Timeout', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }), { ...ctx, phase: 'data' });
    assert.match(idle.message, /stopped answering.*not delivered/);
  });

  it('maps certificate verification codes to SMTP_CERT_UNTRUSTED with a caFile hint', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      const e = toSmtpError(nodemailerError('certificate problem', { code: 'ESOCKET', originalCode: code }), ctx);
      assert.strictEqual(e.code, ErrorCode.SMTP_CERT_UNTRUSTED, code);
      assert.match(e.extra.hint ?? '', /sendAsEmail\.smtp\.caFile/, code);
    }
    const expired = toSmtpError(nodemailerError('certificate has expired', { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }), ctx);
    assert.strictEqual(expired.code, ErrorCode.SMTP_CERT_UNTRUSTED);
    assert.match(expired.message, /has expired/);
    const altname = toSmtpError(
      nodemailerError("Hostname/IP does not match certificate's altnames", { code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      ctx,
    );
    assert.match(altname.message, /not valid for the name "smtp\.example\.com"/);
  });

  it('maps a failed STARTTLS to SMTP_STARTTLS_UNAVAILABLE with the reply', () => {
    const e = toSmtpError(
      nodemailerError('Error upgrading connection with STARTTLS: 454 4.7.0 TLS not available', {
        code: 'ETLS',
        command: 'STARTTLS',
        response: '454 4.7.0 TLS not available',
        responseCode: 454,
      }),
      ctx,
    );
    assert.strictEqual(e.code, ErrorCode.SMTP_STARTTLS_UNAVAILABLE);
    assert.strictEqual(e.extra.serverResponse, '454 4.7.0 TLS not available');
    assert.ok(e.message.includes('454 4.7.0 TLS not available'));
  });

  it('maps implicit TLS against a plaintext port to SMTP_TLS_FAILED with a port hint', () => {
    const e = toSmtpError(
      nodemailerError('ssl3_get_record:wrong version number', { code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      { ...ctx, security: 'tls' },
    );
    assert.strictEqual(e.code, ErrorCode.SMTP_TLS_FAILED);
    assert.match(e.extra.hint ?? '', /587.*starttls/);
  });

  it('maps 535 / EAUTH to SMTP_AUTH_FAILED quoting the reply, and 530 to a login requirement', () => {
    const e = toSmtpError(
      nodemailerError('Invalid login: 535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://support.example.com', {
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        response: '535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://support.example.com',
        responseCode: 535,
      }),
      { ...ctx, phase: 'auth' },
    );
    assert.strictEqual(e.code, ErrorCode.SMTP_AUTH_FAILED);
    assert.ok(e.message.includes('535-5.7.8 Username and Password not accepted. 535 5.7.8'), e.message);
    assert.ok(!e.message.includes('\n'), 'one line');
    const required = toSmtpError(
      nodemailerError('Mail command failed: 530 5.7.0 Authentication Required', {
        code: 'EENVELOPE',
        command: 'MAIL FROM',
        response: '530 5.7.0 Authentication Required',
        responseCode: 530,
      }),
      { ...ctx, phase: 'envelope' },
    );
    assert.strictEqual(required.code, ErrorCode.SMTP_AUTH_FAILED);
  });

  it('maps 552 at MAIL FROM or after DATA to SMTP_MESSAGE_TOO_LARGE naming both sizes', () => {
    const e = toSmtpError(
      nodemailerError('Message failed: 552 5.3.4 Message size exceeds fixed limit', {
        code: 'EMESSAGE',
        command: 'DATA',
        response: '552 5.3.4 Message size exceeds fixed limit',
        responseCode: 552,
      }),
      { ...ctx, phase: 'sent', messageSize: 36_700_160, sizeLimit: 35_882_577 },
    );
    assert.strictEqual(e.code, ErrorCode.SMTP_MESSAGE_TOO_LARGE);
    assert.ok(e.message.includes('36,700,160 bytes') && e.message.includes('35,882,577 bytes'), e.message);
    // 552 on a recipient is a mailbox problem, not the message size
    const rcpt = toSmtpError(
      nodemailerError('Recipient command failed', { code: 'EENVELOPE', command: 'RCPT TO', response: '552 mailbox full', responseCode: 552 }),
      ctx,
    );
    assert.strictEqual(rcpt.code, ErrorCode.SMTP_REJECTED);
    assert.match(rcpt.message, /example\.com:587 refused the recipient: 552 mailbox full; nothing was sent/);
  });

  it('words its message and hint through the l10n bundle, the server\'s reply passed in as it came', () => {
    l10n.config({
      contents: {
        '{0} refused the recipient: {1}': '{0} 拒绝了收件人：{1}',
        '{0}; nothing was sent.': '{0}；未发送任何内容。',
        'The server gave the reason above; fix that and send again.': '服务器已给出原因；请修正后重新发送。',
        '{0} bytes': '{0} 字节',
      },
    });
    try {
      const e = toSmtpError(
        nodemailerError('Recipient command failed', { code: 'EENVELOPE', command: 'RCPT TO', response: '552 mailbox full', responseCode: 552 }),
        ctx,
      );
      assert.strictEqual(e.message, 'Smtp.example.com:587 拒绝了收件人：552 mailbox full；未发送任何内容。');
      assert.strictEqual(e.extra.hint, '服务器已给出原因；请修正后重新发送。');
      assert.strictEqual(e.extra.serverResponse, '552 mailbox full');
      const large = toSmtpError(nodemailerError('Message failed', { code: 'EMESSAGE', command: 'DATA', response: '552 too big', responseCode: 552 }), {
        ...ctx,
        phase: 'sent',
        messageSize: 2000,
        sizeLimit: 1000,
      });
      assert.ok(large.message.includes('(2,000 字节)') && large.message.includes('1,000 字节'), large.message);
    } finally {
      l10n.config({ contents: {} });
    }
  });

  it('maps a dropped connection by phase to SMTP_CONNECTION_DROPPED', () => {
    const closed = (phase: SmtpErrorContext['phase']) =>
      toSmtpError(nodemailerError('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' }), { ...ctx, phase });
    assert.strictEqual(closed('data').code, ErrorCode.SMTP_CONNECTION_DROPPED);
    assert.match(closed('data').message, /not delivered and is kept in the outbox/);
    assert.match(closed('sent').message, /probably not delivered and is kept in the outbox/);
    assert.match(closed('envelope').message, /nothing was sent/);
    const reset = toSmtpError(nodemailerError('read ECONNRESET', { code: 'ESOCKET', originalCode: 'ECONNRESET' }), { ...ctx, phase: 'data' });
    assert.strictEqual(reset.code, ErrorCode.SMTP_CONNECTION_DROPPED);
  });

  it('maps other replies to SMTP_REJECTED, marking 4xx as temporary', () => {
    const perm = toSmtpError(
      nodemailerError('Message failed: 554 5.7.1 Message rejected as spam', {
        code: 'EMESSAGE',
        command: 'DATA',
        response: '554 5.7.1 Message rejected as spam',
        responseCode: 554,
      }),
      { ...ctx, phase: 'sent' },
    );
    assert.strictEqual(perm.code, ErrorCode.SMTP_REJECTED);
    assert.match(perm.message, /refused the message: 554 5\.7\.1 Message rejected as spam/);
    const temp = toSmtpError(
      nodemailerError('Message failed: 451 4.3.0 Try again later', { code: 'EMESSAGE', command: 'DATA', response: '451 4.3.0 Try again later', responseCode: 451 }),
      { ...ctx, phase: 'sent' },
    );
    assert.strictEqual(temp.code, ErrorCode.SMTP_REJECTED);
    assert.match(temp.message, /for now/);
    assert.match(temp.extra.hint ?? '', /temporary/);
    const sender = toSmtpError(
      nodemailerError('Mail command failed: 553 5.7.1 Sender not owned by user', {
        code: 'EENVELOPE',
        command: 'MAIL FROM',
        response: '553 5.7.1 Sender not owned by user',
        responseCode: 553,
      }),
      { ...ctx, phase: 'envelope', from: 'boss@example.com' },
    );
    assert.strictEqual(sender.code, ErrorCode.SMTP_REJECTED);
    assert.match(sender.message, /refused the sender <boss@example\.com>: 553/);
  });

  it('never lets a secret through, even when a server echoes it', () => {
    const secret = 'hunter2-secret';
    const e = toSmtpError(
      nodemailerError('Invalid login', { code: 'EAUTH', response: `535 bad password ${secret} / ${Buffer.from(secret).toString('base64')}`, responseCode: 535 }),
      { ...ctx, secrets: [secret] },
    );
    assert.ok(!e.message.includes(secret) && !(e.extra.serverResponse ?? '').includes(secret));
    assert.ok(!e.message.includes(Buffer.from(secret).toString('base64')));
    assert.ok(!util.inspect(e, { depth: 5 }).includes(secret), 'not even in the cause');
    assert.strictEqual((e.extra.cause as { responseCode?: number }).responseCode, 535);
  });

  it('writes one sentence in sentence case without "!"', () => {
    const e = toSmtpError(nodemailerError('weird', { code: 'ESOMETHING' }), ctx);
    assert.match(e.message, /^[A-Z0-9].*\.$/);
    assert.ok(!e.message.includes('!'));
  });
});

describe('smtp-errors: helpers', () => {
  it('cancelled() says whether anything can have been delivered', () => {
    assert.match(cancelled({ ...ctx, phase: 'envelope' }).message, /nothing was delivered/);
    assert.match(cancelled({ ...ctx, phase: 'data' }).message, /nothing was delivered/);
    assert.match(cancelled({ ...ctx, phase: 'sent' }).message, /may have been delivered/);
    assert.match(cancelled({ ...ctx, operation: 'verify' }).message, /connection test/);
    assert.strictEqual(cancelled(ctx).code, ErrorCode.SMTP_CANCELLED);
  });

  it('endpoint() brackets IPv6 literals; scrubSecrets() hides plain and base64 forms', () => {
    assert.strictEqual(endpoint('::1', 25), '[::1]:25');
    assert.strictEqual(endpoint('smtp.example.com', 587), 'smtp.example.com:587');
    assert.strictEqual(scrubSecrets('a pw123 b cHcxMjM= c', ['pw123']), 'a /* secret */ b /* secret */ c');
  });

  it('scrubSecrets() hides a secret inside a longer base64 string at every byte offset', () => {
    const secret = 'correct-horse-battery-9';
    for (let before = 0; before < 6; before++) {
      for (const after of ['', 'a', 'ab', 'abc']) {
        const text = `AUTH X ${b64(`${'z'.repeat(before)}${secret}${after}`)} done`;
        const scrubbed = scrubSecrets(text, [secret]);
        assertNoLeak(`offset ${before}, ${after.length} after`, scrubbed, leakForms(secret));
        assert.match(scrubbed, /^AUTH X \S*\/\* secret \*\/\S* done$/, scrubbed);
      }
    }
  });

  it('loginSecrets() hides the AUTH PLAIN, AUTH LOGIN and XOAUTH2 blobs whole, and never the plain user name', () => {
    const user = 'ada@example.com';
    const password = 'correct-horse-battery-9';
    const token = 'ya29.a0-token-value_42';
    const secrets = loginSecrets({ user, password, token });
    for (const blob of [`\0${user}\0${password}`, `${user}\0${user}\0${password}`, user, password, `user=${user}\x01auth=Bearer ${token}\x01\x01`]) {
      assert.strictEqual(scrubSecrets(`<${b64(blob)}>`, secrets), '</* secret */>', JSON.stringify(blob));
    }
    const echo = `535 rejected AUTH PLAIN ${b64(`\0${user}\0${password}`)} then ${b64(`x${password}`)} and ${b64(`xy${token}`)} for ${user}`;
    const scrubbed = scrubSecrets(echo, secrets);
    assertNoLeak('the echo', scrubbed, credentialLeaks(user, password, token));
    assert.ok(scrubbed.endsWith(` for ${user}`), scrubbed);
    assert.strictEqual(scrubSecrets(`login for "${user}" failed`, secrets), `login for "${user}" failed`);
    // A token without a password, and the placeholder of the extension's log.
    const tokenOnly = secretScrubber(loginSecrets({ user, token }), '********');
    assert.strictEqual(tokenOnly(`AUTH XOAUTH2 ${b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`)}`), 'AUTH XOAUTH2 ********');
  });
});
