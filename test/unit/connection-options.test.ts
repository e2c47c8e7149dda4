// The settings checked and turned into SMTPConnection options (src/core/send/connectionOptions.ts), before anything
// touches the network.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { ErrorCode, SendAsEmailError } from '../../src/core/errors';
import { transportOptions } from '../../src/core/send/connectionOptions';
import type { SmtpTarget } from '../../src/core/types';
import { testPki } from '../support/certs';

const USER = 'ada@example.com';
const PASSWORD = 'correct-horse-battery-9';

describe('smtp: transportOptions', () => {
  const base: SmtpTarget = {
    host: 'smtp.example.com',
    port: 587,
    security: 'starttls',
    user: '',
    caFile: '',
    rejectUnauthorized: true,
    timeoutSeconds: 7,
  };

  it('maps starttls to requireTLS, never opportunistic', () => {
    const o = transportOptions(base);
    assert.strictEqual(o.secure, false);
    assert.strictEqual(o.requireTLS, true);
    assert.strictEqual(o.ignoreTLS, false);
    assert.strictEqual(o.opportunisticTLS, false);
    assert.strictEqual(o.tls?.servername, 'smtp.example.com');
    assert.strictEqual(o.tls?.rejectUnauthorized, true);
    assert.strictEqual(o.tls?.ca, undefined, 'system store only without caFile');
    assert.strictEqual(o.connectionTimeout, 7000);
    assert.strictEqual(o.greetingTimeout, 7000);
    assert.strictEqual(o.socketTimeout, 7000);
  });

  it('maps tls to implicit TLS and none to plaintext without STARTTLS', () => {
    const t = transportOptions({ ...base, security: 'tls', port: 465 });
    assert.strictEqual(t.secure, true);
    const n = transportOptions({ ...base, security: 'none', port: 25 });
    assert.strictEqual(n.secure, false);
    assert.strictEqual(n.ignoreTLS, true);
    assert.strictEqual(n.requireTLS, false);
  });

  it('trusts the system store plus caFile', () => {
    const o = transportOptions({ ...base, caFile: testPki().caFile, rejectUnauthorized: false });
    const ca = o.tls?.ca as string[];
    assert.ok(Array.isArray(ca));
    assert.ok(ca.includes(testPki().ca.cert), 'caFile PEM is trusted');
    assert.ok(ca.length > tls.rootCertificates.length / 2, 'the public roots are still trusted');
    assert.strictEqual(o.tls?.rejectUnauthorized, false);
  });

  it('names a missing or non-PEM caFile', () => {
    const missing = path.join(os.tmpdir(), 'no-such-ca-file.pem');
    assert.throws(
      () => transportOptions({ ...base, caFile: missing }),
      (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SETTINGS_INVALID && e.message.includes(missing),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-ca-'));
    try {
      const notPem = path.join(dir, 'ca.txt');
      fs.writeFileSync(notPem, 'hello');
      assert.throws(
        () => transportOptions({ ...base, caFile: notPem }),
        (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SETTINGS_INVALID && e.message.includes(notPem),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty host, and a user without password', () => {
    assert.throws(() => transportOptions({ ...base, host: ' ' }), (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SMTP_NOT_CONFIGURED);
    assert.throws(
      () => transportOptions({ ...base, user: USER }),
      (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SMTP_PASSWORD_MISSING && e.message.includes(USER),
    );
  });

  it('allows a plaintext login on loopback hosts only', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      assert.doesNotThrow(() => transportOptions({ ...base, host, security: 'none', user: USER, password: PASSWORD }), host);
    }
    for (const host of ['10.0.0.1', 'mail.example.com', '128.0.0.1', 'localhost.example.com']) {
      assert.throws(
        () => transportOptions({ ...base, host, security: 'none', user: USER, password: PASSWORD }),
        (e: unknown) => e instanceof SendAsEmailError && e.code === ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
        host,
      );
    }
  });
});
