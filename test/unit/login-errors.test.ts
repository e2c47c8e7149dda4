// The login-error table (src/core/send/loginErrors.ts): each row reached from a real server's reply to AUTH, with the
// sentence that says how to log in and the fix the VS Code layer turns into a button.
import * as assert from 'assert';
import { ErrorCode } from '../../src/core/errors';
import { GMAIL_APP_PASSWORD_URL, MICROSOFT_OAUTH_URL, MICROSOFT_SMTP_AUTH_URL } from '../../src/core/send/loginErrors';
import { verifySmtp } from '../../src/core/send/smtp';
import type { SmtpTarget } from '../../src/core/types';
import { findProvider } from '../../src/core/accounts/providers';
import { testPki } from '../support/certs';
import { rejectsWith } from '../support/fixtures';
import { resolveNameTo, startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from '../support/smtp';

const USER = 'ada@example.com';
const PASSWORD = 'the-login-password-1';

describe('login errors: a refused login says how to log in', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  const undo: (() => void)[] = [];
  before(() => testPki());
  afterEach(async () => {
    for (const u of undo.splice(0)) u();
    await server?.close();
    server = undefined;
  });

  /** A server that refuses the password with `reply` (code `code`), and the error a connection test gets. */
  async function refusedWith(code: number, reply: string, target: Partial<SmtpTarget> = {}, options: SmtpServerOptions = {}) {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: 'another-password' }, authMethods: ['LOGIN'], authFailure: () => reply, authFailureCode: code, ...options });
    const err = await rejectsWith(verifySmtp(server.target({ user: USER, password: PASSWORD, ...target })), ErrorCode.SMTP_AUTH_FAILED);
    assert.ok(err.message.includes(reply), `the reply is quoted: ${err.message}`);
    return err;
  }

  it('Microsoft 535 5.7.139 "basic authentication is disabled": switch the account to Microsoft sign-in, or the admin enables SMTP AUTH', async () => {
    const err = await refusedWith(535, '5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]');
    assert.match(err.extra.hint ?? '', /^This account needs Microsoft sign-in: switch it to OAuth 2\.0.*or the admin must enable SMTP AUTH/);
    assert.deepStrictEqual(err.extra.fix, { kind: 'switchToOAuth', url: MICROSOFT_OAUTH_URL });
  });

  it('Microsoft 550 5.7.30 "Basic authentication is not supported for Client Submission": the same fix', async () => {
    const err = await refusedWith(550, '5.7.30 Basic authentication is not supported for Client Submission.');
    assert.match(err.extra.hint ?? '', /^This account needs Microsoft sign-in/);
    assert.strictEqual(err.extra.fix?.kind, 'switchToOAuth');
  });

  it('Microsoft 5.7.139 "SmtpClientAuthentication is disabled": the mailbox has SMTP AUTH off, with Microsoft\'s page', async () => {
    const err = await refusedWith(535, '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.');
    assert.match(err.extra.hint ?? '', /^The mailbox has SMTP AUTH turned off/);
    assert.deepStrictEqual(err.extra.fix, { kind: 'enableSmtpAuth', url: MICROSOFT_SMTP_AUTH_URL });
  });

  it('Gmail 534 5.7.9 "Application-specific password required": create an app password (link)', async () => {
    const err = await refusedWith(534, '5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor');
    assert.match(err.extra.hint ?? '', /^Gmail needs an app password/);
    assert.deepStrictEqual(err.extra.fix, { kind: 'openUrl', url: GMAIL_APP_PASSWORD_URL });
  });

  it('QQ 535 (the account names the provider): the 授权码, not the login password, with the help page', async () => {
    const err = await refusedWith(535, 'Login fail. Account is abnormal, service is not open, password is incorrect, login frequency limited, or system is busy.', { provider: 'qq' });
    assert.match(err.extra.hint ?? '', /authorization code \(授权码\) from the QQ Mail mailbox settings/);
    assert.deepStrictEqual(err.extra.fix, { kind: 'openUrl', url: findProvider('qq')!.helpUrl });
  });

  it('163 and 126 535 (recognised by the server name): the 授权码', async () => {
    for (const [host, id] of [
      ['smtp.163.com', '163'],
      ['smtp.126.com', '126'],
    ] as const) {
      undo.push(resolveNameTo(host, '127.0.0.1'));
      // The test certificate is for localhost: this one connection does not check it.
      const err = await refusedWith(535, 'Error: authentication failed', { host, rejectUnauthorized: false });
      assert.match(err.extra.hint ?? '', /authorization code \(授权码\)/, host);
      assert.deepStrictEqual(err.extra.fix, { kind: 'openUrl', url: findProvider(id)!.helpUrl });
      await server?.close();
      server = undefined;
    }
  });

  it("a known provider's other refusals carry its rule (Gmail 535 5.7.8: its app password)", async () => {
    const err = await refusedWith(535, '5.7.8 Username and Password not accepted.', { provider: 'gmail' });
    assert.match(err.extra.hint ?? '', /^Gmail needs an app password/);
    assert.strictEqual(err.extra.fix?.kind, 'openUrl');
  });

  it('an unknown server keeps the generic advice and no fix button', async () => {
    const err = await refusedWith(535, '5.7.8 Authentication credentials invalid');
    assert.match(err.extra.hint ?? '', /^Re-enter the password/);
    assert.strictEqual(err.extra.fix, undefined);
  });

  it('a server offering only XOAUTH2 to an account with a password: switch to OAuth, before any AUTH is sent', async () => {
    server = await startSmtpServer({ security: 'tls', tokens: { [USER]: 'some-token-1234' }, authMethods: ['XOAUTH2'] });
    const err = await rejectsWith(verifySmtp(server.target({ user: USER, password: PASSWORD })), ErrorCode.SMTP_AUTH_FAILED);
    assert.match(err.message, /offers only OAuth 2\.0 sign-in \(XOAUTH2\), but the account "ada@example\.com" logs in with a password/);
    assert.strictEqual(err.extra.fix?.kind, 'switchToOAuth');
    assert.deepStrictEqual(server.commands.filter((c) => c.verb === 'AUTH'), []);
  });

  it('an OAuth account on a server without XOAUTH2 is told what the server offers', async () => {
    server = await startSmtpServer({ security: 'tls', users: { [USER]: PASSWORD }, authMethods: ['PLAIN', 'LOGIN'] });
    const err = await rejectsWith(verifySmtp(server.target({ user: USER, oauth2: { accessToken: 'tok-123456' } })), ErrorCode.SMTP_AUTH_FAILED);
    assert.match(err.message, /does not offer OAuth 2\.0 sign-in \(XOAUTH2; it offers PLAIN, LOGIN\)/);
    assert.deepStrictEqual(server.commands.filter((c) => c.verb === 'AUTH'), []);
  });
});
