// nodemailer's private internals (src/core/send/nodemailerInternals.ts) were checked against one version: these tests
// fail when another one is installed, or when the internals the patches rely on are no longer as expected.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
// nodemailer's own DataStream, as SMTPConnection creates it for DATA.
import DataStream from '../../node_modules/nodemailer/dist/cjs/smtp-connection/data-stream.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { announcedSizeLimit, isDataStream, NODEMAILER_CHECKED_VERSION, offeredAuthMethods, releasesWhenWritten, socketOf, useFastDataEscaping } from '../../src/core/send/nodemailerInternals';
import { projectRoot } from '../support/root';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

describe('nodemailer internals: the version they were checked against', () => {
  const root = projectRoot();

  it('the installed nodemailer is the version the internals were checked against', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'nodemailer', 'package.json'), 'utf8')) as { version: string };
    assert.strictEqual(
      installed.version,
      NODEMAILER_CHECKED_VERSION,
      `nodemailer ${installed.version} is installed, but src/core/send/nodemailerInternals.ts was checked against ${NODEMAILER_CHECKED_VERSION}: check every internal it names in the new version, then update NODEMAILER_CHECKED_VERSION`,
    );
  });

  it('package.json pins nodemailer to exactly that version', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.strictEqual(manifest.dependencies.nodemailer, NODEMAILER_CHECKED_VERSION);
  });
});

describe('nodemailer internals: SMTPConnection state', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the socket, the offered AUTH methods and the SIZE limit of a connected SMTPConnection', async () => {
    server = await startSmtpServer({ security: 'none', users: { ada: 'pw-123456' }, allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'], size: 12345 });
    const conn = new SMTPConnection({ host: '127.0.0.1', port: server.port, ignoreTLS: true });
    assert.strictEqual(socketOf(conn), undefined, 'a socket before connecting');
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.connect(() => resolve());
    });
    try {
      assert.strictEqual(socketOf(conn)?.remoteAddress, '127.0.0.1');
      assert.deepStrictEqual(offeredAuthMethods(conn), ['PLAIN', 'LOGIN']);
      assert.strictEqual(announcedSizeLimit(conn), 12345);
    } finally {
      conn.close();
    }
  });
});

describe('nodemailer internals: the DATA stream patch', () => {
  it("recognises nodemailer's DataStream, so the fast escaping is really used", () => {
    assert.ok(isDataStream(new DataStream()), 'nodemailer DataStream internals changed: smtp-data.ts falls back to the slow path');
  });

  it("writes DATA straight into the connection's socket, and calls a write back only once the socket took the bytes", async () => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port: 25 });
    assert.ok(useFastDataEscaping(conn));
    const received: Buffer[] = [];
    const pending: (() => void)[] = [];
    // A socket that holds on to each write until the test lets it go.
    const socket = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(Buffer.from(chunk));
        pending.push(callback);
      },
    });
    (conn as unknown as { _socket: Writable })._socket = socket;
    const create = (conn as unknown as { _createSendStream(cb: () => void): Writable })._createSendStream;
    const stream = create.call(conn, () => {});
    assert.ok(releasesWhenWritten(stream), 'the DataStream is not marked: a file send would use fresh buffers');

    let calledBack = false;
    stream.write(Buffer.from('.one\r\ntwo\r\n'), () => (calledBack = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(Buffer.concat(received).toString(), '..one\r\ntwo\r\n');
    assert.strictEqual(calledBack, false, 'called back before the socket took the bytes');
    pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(calledBack, true);

    stream.end();
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(Buffer.concat(received).toString(), '..one\r\ntwo\r\n.\r\n');
    conn.close();
  });
});
