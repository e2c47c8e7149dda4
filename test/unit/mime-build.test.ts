import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { ErrorCode } from '../../src/core/errors';
import { type BinaryPart, buildMime, wrappedBase64Length } from '../../src/core/message/mimeBuild';
import { parseMail } from '../support/mail';
import { rejectsWith } from '../support/fixtures';

/** Sizes around every edge of the encoder: padding, the 57-byte line, the 1024-line block, the 1 MB chunk. */
const SIZES = [0, 1, 2, 3, 4, 56, 57, 58, 113, 114, 115, 57 * 1024 - 1, 57 * 1024, 57 * 1024 + 1, 57 * 1024 * 8 + 5, 1024 * 1024 + 3, 2_500_001];

const FIXED = { date: new Date('2024-05-06T07:08:09Z'), messageId: '<fixed@example.org>', baseBoundary: 'b', boundaryPrefix: 'p' };

function mailWith(attachments: Mail.Attachment[]): Mail.Options {
  return {
    from: 'ada@example.com',
    to: 'bob@example.com',
    subject: 'parts',
    text: 'Hello\r\n.\r\n',
    html: '<p>Hello</p>',
    attachments,
    ...FIXED,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as Mail.Options;
}

/** Reads a generator's chunks, copying each (a chunk is only valid until the next is requested). */
async function collect(chunks: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; sizes: number[]; buffers: Set<ArrayBufferLike> }> {
  const copies: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of chunks) {
    copies.push(Buffer.from(chunk));
    buffers.add(chunk.buffer);
  }
  return { bytes: Buffer.concat(copies), sizes: copies.map((c) => c.length), buffers };
}

describe('mime-build: buildMime', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-mime-build-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('wrappedBase64Length matches nodemailer for every edge size', () => {
    for (const n of SIZES) {
      const wrapped = crypto.randomBytes(n).toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');
      assert.strictEqual(wrappedBase64Length(n), wrapped.length, `size ${n}`);
    }
  });

  it('gives exactly the bytes nodemailer builds, from memory and from files, whole and in chunks', async () => {
    const contents = SIZES.map((n) => crypto.randomBytes(n));
    const files = contents.map((c, i) => {
      const file = path.join(dir, `part-${i}.bin`);
      fs.writeFileSync(file, c);
      return file;
    });
    const attachment = (content: Buffer, i: number): Mail.Attachment => ({
      content,
      contentType: i % 2 ? 'image/png' : 'application/octet-stream',
      filename: `part-${i}.bin`,
      cid: i % 2 ? `c${i}@example.org` : undefined,
    });
    // The reference: nodemailer encoding every part itself.
    const expected = await new MailComposer(mailWith(contents.map(attachment))).compile().build();

    const fromMemory = new Map<unknown, BinaryPart>(contents.map((c) => [c, { content: c, size: c.length }]));
    const memory = await buildMime(new MailComposer(mailWith(contents.map(attachment))), fromMemory);
    assert.strictEqual(memory.size, expected.length);
    assert.ok((await memory.toBuffer()).equals(expected), 'in-memory parts: toBuffer differs from nodemailer');
    const memoryChunks = await collect(memory.chunks());
    assert.ok(memoryChunks.bytes.equals(expected), 'in-memory parts: chunks differ from nodemailer');

    // File parts: the composer only gets an empty placeholder per part.
    const keys = contents.map(() => Buffer.alloc(0));
    const fromFiles = new Map<unknown, BinaryPart>(
      keys.map((k, i) => [k, { file: files[i]!, size: contents[i]!.length, mtimeMs: fs.statSync(files[i]!).mtimeMs }]),
    );
    const streamed = await buildMime(new MailComposer(mailWith(keys.map(attachment))), fromFiles);
    assert.strictEqual(streamed.size, expected.length);
    assert.ok((await streamed.toBuffer()).equals(expected), 'file parts: toBuffer differs from nodemailer');
    const fileChunks = await collect(streamed.chunks());
    assert.ok(fileChunks.bytes.equals(expected), 'file parts: chunks differ from nodemailer');
    // Chunks of at most 1 MB, all from one reused buffer.
    assert.ok(fileChunks.sizes.length > 3 && fileChunks.sizes.every((n) => n > 0 && n <= 1024 * 1024), String(fileChunks.sizes));
    assert.strictEqual(fileChunks.buffers.size, 1, 'the chunks do not share one buffer');

    // And an independent parser reads every part back (the empty one included).
    const parsed = await parseMail(expected);
    const byName = new Map(parsed.attachments.map((a) => [a.filename, a.content]));
    contents.forEach((c, i) => assert.ok(byName.get(`part-${i}.bin`)?.equals(c), `part ${i} (${c.length} bytes) decodes differently`));
  });

  it('leaves a part nodemailer does not encode in base64 (7bit text) to nodemailer', async () => {
    const text = Buffer.from('plain words\r\n');
    const options = mailWith([{ content: text, contentType: 'text/plain', filename: 'a.txt' }]);
    const expected = await new MailComposer(options).compile().build();
    const built = await buildMime(new MailComposer(mailWith([{ content: text, contentType: 'text/plain', filename: 'a.txt' }])), new Map([[text, { content: text, size: text.length }]]));
    assert.ok((await built.toBuffer()).equals(expected));
    assert.match(expected.toString(), /Content-Transfer-Encoding: 7bit/);
  });

  it('refuses a file part that nodemailer would not encode in base64 (its placeholder would be sent instead)', async () => {
    // nodemailer writes a message/rfc822 part as it is (7bit), never in base64.
    const file = path.join(dir, 'forwarded.eml');
    fs.writeFileSync(file, 'Subject: hi\r\n\r\nbody\r\n');
    const placeholder = Buffer.alloc(0);
    const composer = new MailComposer(mailWith([{ content: placeholder, contentType: 'message/rfc822', filename: 'forwarded.eml' }]));
    await assert.rejects(buildMime(composer, new Map([[placeholder, { file, size: 23 }]])), /file part .*forwarded\.eml is not a base64 part/);
  });

  it('refuses a message that asks for another newline or for transforms', async () => {
    const bytes = crypto.randomBytes(100);
    const composer = new MailComposer({ ...mailWith([{ content: bytes, contentType: 'image/png', filename: 'a.png' }]), newline: 'unix' } as Mail.Options);
    await assert.rejects(buildMime(composer, new Map([[bytes, { content: bytes, size: bytes.length }]])), /another newline or for transforms/);
  });

  it('refuses a file that changed or vanished after it was hashed, naming it', async () => {
    const file = path.join(dir, 'changing.png');
    fs.writeFileSync(file, crypto.randomBytes(5000));
    const stat = fs.statSync(file);
    const build = async (part: BinaryPart) => {
      const key = Buffer.alloc(0);
      return buildMime(new MailComposer(mailWith([{ content: key, contentType: 'image/png', filename: 'c.png', cid: 'c@x' }])), new Map([[key, part]]));
    };
    // Other size.
    let mime = await build({ file, size: 4000, mtimeMs: stat.mtimeMs });
    let err = await rejectsWith(mime.toBuffer(), ErrorCode.IMAGE_INVALID);
    assert.ok(err.message.includes(file), err.message);
    // Same size, other time.
    mime = await build({ file, size: 5000, mtimeMs: stat.mtimeMs - 1000 });
    err = await rejectsWith(collect(mime.chunks()), ErrorCode.IMAGE_INVALID);
    assert.match(err.message, /changed while the message was being built/);
    // Gone.
    mime = await build({ file: path.join(dir, 'gone.png'), size: 5000 });
    err = await rejectsWith(collect(mime.chunks()), ErrorCode.IMAGE_NOT_FOUND);
    assert.ok(err.message.includes('gone.png'), err.message);
  });
});
