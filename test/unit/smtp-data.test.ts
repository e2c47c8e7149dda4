import * as assert from 'assert';
// nodemailer's own DataStream is the reference: its output is what the server must see.
import DataStream from '../../node_modules/nodemailer/dist/cjs/smtp-connection/data-stream.js';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { escapeChunk } from '../../src/core/send/dataEscaping';
import { fastEscaping } from '../../src/core/send/nodemailerInternals';
import { SendAsEmailError } from '../../src/core/errors';
import { sendRaw } from '../../src/core/send/smtp';
import { Prng } from '../bench/lib/prng';
import { parseMail } from '../support/mail';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

/** What nodemailer's DataStream makes of `chunks` (including the final CRLF.CRLF). */
function reference(chunks: Buffer[]): Promise<Buffer> {
  const stream = new DataStream();
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve(Buffer.concat(out)));
    stream.on('error', reject);
    for (const c of chunks) stream.write(c);
    stream.end();
  });
}

/** The same with escapeChunk, ended the way DataStream ends (the terminator depends on the last byte). */
function ours(chunks: Buffer[]): Buffer {
  const out: Buffer[] = [];
  let last: number | false = false;
  for (const c of chunks) {
    if (c.length === 0) continue;
    out.push(escapeChunk(c, last));
    last = c[c.length - 1];
  }
  out.push(Buffer.from(last === 0x0a ? '.\r\n' : last === 0x0d ? '\n.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(out);
}

function split(bytes: Buffer, random: () => number, maxPiece: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(random() * maxPiece);
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

describe('smtp-data: escapeChunk', () => {
  it('matches nodemailer DataStream on 5000 random byte strings of CR, LF, dots and letters, split at random places', async () => {
    const prng = new Prng(42);
    const random = (): number => prng.float();
    const alphabet = [0x0d, 0x0a, 0x2e, 0x41, 0x2b, 0x2f];
    for (let k = 0; k < 5000; k++) {
      const length = Math.floor(random() * 48);
      const bytes = Buffer.from(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!));
      const chunks = split(bytes, random, 6);
      const expected = await reference(chunks);
      const got = ours(chunks);
      assert.ok(got.equals(expected), `input ${JSON.stringify(bytes.toString('latin1'))}: got ${JSON.stringify(got.toString('latin1'))}, expected ${JSON.stringify(expected.toString('latin1'))}`);
    }
  });

  it('doubles a dot that starts a line or the message, turns bare CR and LF into CRLF', () => {
    assert.strictEqual(escapeChunk(Buffer.from('.a\r\n.\r\n..b\r\nc.d\r\n'), false).toString(), '..a\r\n..\r\n...b\r\nc.d\r\n');
    assert.strictEqual(escapeChunk(Buffer.from('a\nb\rc\r.d'), false).toString(), 'a\r\nb\r\nc\r\n..d');
    // Across chunks: the byte before decides.
    assert.strictEqual(escapeChunk(Buffer.from('.x'), 0x0a).toString(), '..x');
    assert.strictEqual(escapeChunk(Buffer.from('.x'), 0x0d).toString(), '\n..x');
    assert.strictEqual(escapeChunk(Buffer.from('\nx'), 0x0d).toString(), '\nx');
    assert.strictEqual(escapeChunk(Buffer.from('.x'), 0x41).toString(), '.x');
  });

  it('hands back the very chunk when nothing changes (no copy)', () => {
    const clean = Buffer.from('QUJD\r\nREVG\r\n=?utf-8?Q?x?=\r\n');
    assert.strictEqual(escapeChunk(clean, false), clean);
  });
});

describe('smtp-data: through a real SMTP server', function () {
  this.timeout(15000);
  let server: TestSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('delivers lines that start with dots, and a large base64 part, byte for byte', async () => {
    server = await startSmtpServer({ security: 'none' });
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 0xa5);
    const raw = Buffer.from(
      'From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\nMessage-ID: <dots@example.com>\r\n' +
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
        '.\r\n..\r\n.leading\r\nmiddle.\r\n\r\n.\r\n.end\r\n' +
        '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        data.toString('base64').replace(/.{76}/g, '$&\r\n') +
        '\r\n--b--\r\n',
    );
    const streamsBefore = fastEscaping.streams;
    const result = await sendRaw(server.target(), { from: 'a@example.com', to: ['b@example.com'] }, { messageId: '<dots@example.com>', raw });
    assert.strictEqual(result.size, raw.length);
    // The send went through the fast escaping (nodemailer still creates its DATA stream where it is patched).
    assert.strictEqual(fastEscaping.streams, streamsBefore + 1, 'sendRaw fell back to nodemailer\'s own escaping');
    const got = await server.nextMessage();
    assert.ok(got.raw.equals(raw), 'received bytes differ from the sent bytes');
    const parsed = await parseMail(got.raw);
    // The CRLF before a boundary belongs to the boundary.
    assert.strictEqual(parsed.text, '.\n..\n.leading\nmiddle.\n\n.\n.end');
    assert.ok(parsed.attachments[0]?.content.equals(data), 'the base64 part decodes differently');
  });

  it('sends a stored file of several slices through reused buffers, byte for byte', async () => {
    server = await startSmtpServer({ security: 'none' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-smtp-data-'));
    try {
      // Distinct content in every 256 KB slice, with dots at line starts across slice boundaries.
      const lines: string[] = ['Subject: file', 'Message-ID: <file@example.com>', ''];
      for (let i = 0, length = 0; length < 1_500_000; i++) {
        const line = i % 7 === 0 ? `.${i}.` : `line ${i} ${'x'.repeat(i % 90)}`;
        lines.push(line);
        length += line.length + 2;
      }
      const raw = Buffer.from(lines.join('\r\n') + '\r\n');
      const file = path.join(dir, 'm.eml');
      fs.writeFileSync(file, raw);
      const result = await sendRaw(server.target(), { from: 'a@example.com', to: ['b@example.com'] }, { messageId: '<file@example.com>', size: raw.length, eightBit: false, file });
      assert.strictEqual(result.size, raw.length);
      assert.strictEqual(result.messageId, '<file@example.com>');
      const got = await server.nextMessage();
      assert.ok(got.raw.equals(raw), 'received bytes differ from the file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the send, delivering nothing, when the stored file is shorter than its recorded size', async () => {
    server = await startSmtpServer({ security: 'none' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-smtp-data-'));
    try {
      const raw = Buffer.from(`Subject: short\r\nMessage-ID: <short@example.com>\r\n\r\n${'y'.repeat(600_000)}\r\n`);
      const file = path.join(dir, 'm.eml');
      fs.writeFileSync(file, raw);
      const message = { messageId: '<short@example.com>', size: raw.length + 300_000, eightBit: false, file };
      await assert.rejects(sendRaw(server.target(), { from: 'a@example.com', to: ['b@example.com'] }, message), (e: unknown) => e instanceof SendAsEmailError);
      // Once the server has seen the session end, no message of it can still arrive.
      assert.strictEqual(server.sessions.opened, 1);
      await server.waitFor(() => server!.sessions.closed === 1, 5000, 'the server to see the connection closed');
      assert.strictEqual(server.messages.length, 0, 'a message was delivered');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('normalises bare LF and bare CR to CRLF on the wire', async () => {
    server = await startSmtpServer({ security: 'none' });
    const raw = Buffer.from('Subject: bare\nMessage-ID: <bare@example.com>\n\none\ntwo\r.three\r\n');
    await sendRaw(server.target(), { from: 'a@example.com', to: ['b@example.com'] }, { messageId: '<bare@example.com>', raw });
    const got = await server.nextMessage();
    assert.strictEqual(got.raw.toString(), 'Subject: bare\r\nMessage-ID: <bare@example.com>\r\n\r\none\r\ntwo\r\n.three\r\n');
  });
});
