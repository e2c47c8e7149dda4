// The SMTP transcript (src/core/send/transcript.ts): every AUTH exchange is hidden by the logger itself, whatever
// the secrets it was told about.
import * as assert from 'assert';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import XOAuth2 from 'nodemailer/lib/xoauth2';
import { transcriptLogger } from '../../src/core/send/transcript';
import { testPki } from '../support/certs';
import { captureLogger } from '../support/log';
import { assertNoLeak, credentialLeaks } from '../support/leaks';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const USER = 'ada@example.com';
const PASSWORD = 'correct-horse-battery-9';

describe('smtp: the transcript hides every AUTH exchange by itself', function () {
  this.timeout(15000);
  const TOKEN = 'ya29.test-access-token_0123456789';
  let server: TestSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Logs in with nodemailer's client over implicit TLS, its transcript going through transcriptLogger with NO secrets to scrub. */
  async function loginWith(method: 'PLAIN' | 'LOGIN' | 'XOAUTH2', password: string, token: string): Promise<{ lines: string[]; error?: Error }> {
    const logger = captureLogger();
    const conn = new SMTPConnection({
      host: server!.host,
      port: server!.port,
      secure: true,
      tls: { ca: [testPki().ca.cert] },
      logger: transcriptLogger(logger, []) as unknown as SMTPConnection.Options['logger'],
      transactionLog: true,
    });
    conn.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        conn.once('error', reject);
        conn.connect(() => resolve());
      });
      const auth = method === 'XOAUTH2' ? { user: USER, oauth2: new XOAuth2({ user: USER, accessToken: token }) } : { user: USER, pass: password, method };
      const error = await new Promise<Error | undefined>((resolve) => conn.login(auth, (err) => resolve(err ?? undefined)));
      return { lines: logger.lines, error };
    } finally {
      conn.close();
    }
  }

  for (const method of ['PLAIN', 'LOGIN', 'XOAUTH2'] as const) {
    it(`replaces what the client sends for AUTH ${method} with a placeholder, accepted or refused`, async () => {
      server = await startSmtpServer({ security: 'tls', users: { [USER]: PASSWORD }, tokens: { [USER]: TOKEN }, authMethods: [method] });
      const ok = await loginWith(method, PASSWORD, TOKEN);
      assert.strictEqual(ok.error, undefined, String(ok.error));
      const refused = await loginWith(method, `${PASSWORD}-wrong`, `${TOKEN}-wrong`);
      assert.ok(refused.error, 'the wrong credentials were accepted');
      assert.deepStrictEqual(
        server.auths.map((a) => [a.method, a.success]),
        [
          [method, true],
          [method, false],
        ],
      );
      for (const { lines } of [ok, refused]) {
        const sent = lines.filter((l) => l.startsWith('C: '));
        const auth = sent.findIndex((l) => l.startsWith('C: AUTH '));
        // The AUTH command keeps its mechanism; everything the client sends in the exchange is the placeholder.
        assert.match(sent[auth], new RegExp(`^C: AUTH ${method}( \\[credentials hidden\\])?$`), sent[auth]);
        assert.ok(
          sent.slice(auth + 1).every((l) => l === 'C: [credentials hidden]'),
          sent.join('\n'),
        );
        const leaks = [...credentialLeaks(USER, PASSWORD, TOKEN), ...credentialLeaks(USER, `${PASSWORD}-wrong`, `${TOKEN}-wrong`)];
        for (const line of lines) assertNoLeak('a transcript line', line, leaks);
      }
      // AUTH LOGIN sends the user and the password on lines of their own.
      if (method === 'LOGIN') assert.strictEqual(ok.lines.filter((l) => l === 'C: [credentials hidden]').length, 2, ok.lines.join('\n'));
    });
  }
});
