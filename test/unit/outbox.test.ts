import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '../../src/core/errors';
import { Outbox } from '../../src/core/send/outbox';
import { encodeRecord } from '../../src/core/send/outboxRecord';
import type { SendResult } from '../../src/core/types';
import { buildTestMessage } from '../support/mail';
import { rejectsWith } from '../support/fixtures';

const result = (messageId: string, size: number): SendResult => ({
  messageId,
  accepted: ['bob@example.com'],
  rejected: [{ address: 'nobody@example.com', response: '550 5.1.1 User unknown' }],
  deferred: [],
  response: '250 OK: queued as 123',
  size,
});

describe('outbox', () => {
  let dir: string;
  let outbox: Outbox;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-outbox-'));
    outbox = new Outbox(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('add() writes the exact bytes and a pending record', async () => {
    const msg = await buildTestMessage();
    const entry = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject, source: '/ws/a.md' });
    assert.match(entry.id, /^\d{8}T\d{9}Z-[0-9a-f]{8}$/);
    assert.strictEqual(entry.status, 'pending');
    assert.strictEqual(entry.attempts, 0);
    assert.strictEqual(entry.size, msg.raw.length);
    assert.strictEqual(entry.file, path.join(dir, 'outbox', `${entry.id}.eml`));
    assert.ok(fs.readFileSync(entry.file).equals(msg.raw));
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'outbox', `${entry.id}.json`), 'utf8'));
    assert.strictEqual(json.messageId, msg.messageId);
    assert.deepStrictEqual(json.envelope, msg.envelope);
    assert.strictEqual(json.source, '/ws/a.md');
    assert.ok(!('file' in json), 'paths are computed, not stored');
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'outbox')).sort(), [`${entry.id}.eml`, `${entry.id}.json`].sort(), 'no temp files left');
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(entry.file).mode & 0o777, 0o600);
    assert.ok((await outbox.readRaw(entry.id)).equals(msg.raw));
    assert.deepStrictEqual((await outbox.pending()).map((e) => e.id), [entry.id]);
    assert.deepStrictEqual(await outbox.sent(), []);
  });

  it('addStream() stores chunks from a source that reuses one buffer, hashed, with the 8-bit flag', async () => {
    const msg = await buildTestMessage({ subject: 'Grüße' });
    // The source hands out every chunk in the same buffer, overwritten for the next one.
    const shared = Buffer.alloc(100);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = 0; at < msg.raw.length; at += shared.length) {
        const n = msg.raw.copy(shared, 0, at, at + shared.length);
        yield shared.subarray(0, n);
        shared.fill(0x21); // a consumer still holding the chunk would now see garbage
      }
    }
    const entry = await outbox.addStream(chunks(), { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    assert.ok(msg.raw.length > 3 * shared.length);
    assert.ok(fs.readFileSync(entry.file).equals(msg.raw), 'the stored bytes differ');
    assert.strictEqual(entry.size, msg.raw.length);
    assert.strictEqual(entry.eightBit, msg.raw.some((b) => b > 0x7f));
    assert.ok((await outbox.readRaw(entry.id)).equals(msg.raw), 'the recorded hash does not match');
  });

  it('addStream() flags raw 8-bit bytes that come only in the last slices of the stream', async () => {
    const msg = await buildTestMessage();
    assert.ok(msg.raw.every((b) => b < 0x80), 'the test message is not 7-bit');
    const eight = Buffer.concat([msg.raw, Buffer.from('caf\u00e9\r\n')]);
    async function* chunks(): AsyncGenerator<Buffer> {
      // 100-byte slices: the only 8-bit bytes (é in UTF-8) come at the very end, after many 7-bit slices.
      for (let at = 0; at < eight.length; at += 100) yield eight.subarray(at, at + 100);
    }
    const entry = await outbox.addStream(chunks(), { messageId: '<eight@example.com>', envelope: msg.envelope, subject: msg.subject });
    assert.strictEqual(entry.eightBit, true);
    assert.ok(fs.readFileSync(entry.file).equals(eight), 'the stored bytes differ');
    const ascii = await outbox.addStream(
      (async function* () {
        yield msg.raw;
      })(),
      { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject },
    );
    assert.strictEqual(ascii.eightBit, false, 'a 7-bit message was flagged 8-bit');
  });

  it('markFailed() keeps the bytes and records the error and the attempt', async () => {
    const msg = await buildTestMessage();
    const { id } = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    await outbox.markFailed(id, { code: 'SMTP_TIMEOUT', message: 'smtp.example.com:587 stopped answering for 30 s.' });
    await outbox.markFailed(id, { code: 'SMTP_REJECTED', message: 'Refused.', serverResponse: '451 4.3.0 Try later' });
    const entry = await outbox.get(id);
    assert.strictEqual(entry?.status, 'failed');
    assert.strictEqual(entry?.attempts, 2);
    assert.strictEqual(entry?.lastError?.code, 'SMTP_REJECTED');
    assert.strictEqual(entry?.lastError?.serverResponse, '451 4.3.0 Try later');
    assert.ok((await outbox.readRaw(id)).equals(msg.raw));
    assert.deepStrictEqual((await outbox.pending()).map((e) => e.lastError?.code), ['SMTP_REJECTED']);
  });

  it('markSent() moves the entry to sent/ with the result, and refuses a second time', async () => {
    const msg = await buildTestMessage();
    const { id } = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    await outbox.markFailed(id, { code: 'SMTP_TIMEOUT', message: 'x.' });
    await outbox.markSent(id, result(msg.messageId, msg.raw.length));
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'outbox')), []);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'sent')).sort(), [`${id}.eml`, `${id}.json`]);
    const entry = await outbox.get(id);
    assert.strictEqual(entry?.status, 'sent');
    assert.strictEqual(entry?.attempts, 2);
    assert.strictEqual(entry?.lastError, undefined);
    assert.ok(entry?.sentAt);
    assert.deepStrictEqual(entry?.result?.rejected, [{ address: 'nobody@example.com', response: '550 5.1.1 User unknown' }]);
    assert.strictEqual(entry?.file, path.join(dir, 'sent', `${id}.eml`));
    assert.ok((await outbox.readRaw(id)).equals(msg.raw));
    assert.deepStrictEqual(await outbox.pending(), []);
    assert.deepStrictEqual((await outbox.sent()).map((e) => e.id), [id]);
    await rejectsWith(outbox.markSent(id, result(msg.messageId, 1)), ErrorCode.OUTBOX_ALREADY_SENT);
    await rejectsWith(outbox.markFailed(id, { code: 'X', message: 'x.' }), ErrorCode.OUTBOX_ALREADY_SENT);
  });

  it('reports unknown and malformed ids as OUTBOX_ENTRY_NOT_FOUND, never touching other paths', async () => {
    assert.strictEqual(await outbox.get('nope'), undefined);
    assert.strictEqual(await outbox.get('../../etc/passwd'), undefined);
    await rejectsWith(outbox.readRaw('nope'), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    await rejectsWith(outbox.markSent('../x', result('<x@y>', 1)), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    await rejectsWith(outbox.markFailed('nope', { code: 'X', message: 'x.' }), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
  });

  it('detects a .eml changed after it was queued', async () => {
    const msg = await buildTestMessage();
    const entry = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    fs.writeFileSync(entry.file, Buffer.concat([msg.raw, Buffer.from('tampered')]));
    const err = await rejectsWith(outbox.readRaw(entry.id), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    assert.ok(err.message.includes(entry.id));
  });

  it('checks an entry\'s file without holding it (checkedFile): size, 8-bit, and a changed byte refused', async () => {
    const msg = await buildTestMessage();
    const entry = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    const checked = await outbox.checkedFile(entry);
    assert.deepStrictEqual([checked.size, checked.eightBit], [msg.raw.length, !msg.raw.every((b) => b < 0x80)]);
    const eight = Buffer.concat([msg.raw, Buffer.from('caf\u00e9\r\n')]);
    const entry8 = await outbox.add(eight, { messageId: '<eight@example.com>', envelope: msg.envelope, subject: msg.subject });
    assert.strictEqual((await outbox.checkedFile(entry8)).eightBit, true);
    const changed = Buffer.from(msg.raw);
    changed[10] ^= 0x20;
    fs.writeFileSync(entry.file, changed);
    const err = await rejectsWith(outbox.checkedFile(entry), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    assert.match(err.message, /changed after it was queued/);
    fs.rmSync(entry.file);
    assert.match((await rejectsWith(outbox.checkedFile(entry), ErrorCode.OUTBOX_ENTRY_NOT_FOUND)).message, /is missing/);
  });

  it('lists entries oldest first and survives junk files, listing a broken record as unreadable by its file name', async () => {
    const a = await buildTestMessage({ subject: 'A' });
    const b = await buildTestMessage({ subject: 'B' });
    const ea = await outbox.add(a.raw, { messageId: a.messageId, envelope: a.envelope, subject: a.subject });
    await new Promise((r) => setTimeout(r, 5));
    const eb = await outbox.add(b.raw, { messageId: b.messageId, envelope: b.envelope, subject: b.subject });
    await new Promise((r) => setTimeout(r, 5));
    fs.writeFileSync(path.join(dir, 'outbox', 'broken.json'), '{not json');
    // An unreadable entry is dated by its file's modification time, which the kernel keeps in coarse ticks (it can
    // read a few milliseconds before B's recorded time): dated a second later, it is the newest whatever the tick.
    const later = new Date(Date.now() + 1000);
    fs.utimesSync(path.join(dir, 'outbox', 'broken.json'), later, later);
    fs.writeFileSync(path.join(dir, 'outbox', '.x.json.123.tmp'), 'partial');
    const listed = await outbox.pending();
    assert.deepStrictEqual(listed.map((e) => [e.id, e.status]), [[ea.id, 'pending'], [eb.id, 'pending'], ['broken', 'unreadable']]);
    assert.ok(listed[2]!.problem?.includes(path.join(dir, 'outbox', 'broken.json')), listed[2]!.problem);
  });

  describe('records are checked when read', () => {
    const recordOf = (id: string) => path.join(dir, 'outbox', `${id}.json`);
    const edit = (id: string, change: (r: Record<string, unknown>) => void) => {
      const r = JSON.parse(fs.readFileSync(recordOf(id), 'utf8'));
      change(r);
      fs.writeFileSync(recordOf(id), JSON.stringify(r, null, 2));
    };
    const add = async (subject: string) => {
      const m = await buildTestMessage({ subject, to: ['bob@example.com', 'carol@example.com'] });
      return outbox.add(m.raw, { messageId: m.messageId, envelope: m.envelope, subject });
    };

    it('lists a cut-short or empty record, a message file without record and a record without message file as unreadable, by name', async () => {
      const cut = await add('cut');
      const empty = await add('empty');
      const noRecord = await add('no record');
      const noFile = await add('no file');
      const text = fs.readFileSync(recordOf(cut.id), 'utf8');
      fs.writeFileSync(recordOf(cut.id), text.slice(0, text.length / 2));
      fs.writeFileSync(recordOf(empty.id), '');
      fs.rmSync(recordOf(noRecord.id));
      fs.rmSync(noFile.file);
      const listed = new Map((await outbox.pending()).map((e) => [e.id, e]));
      assert.deepStrictEqual([...listed.values()].map((e) => e.status), ['unreadable', 'unreadable', 'unreadable', 'unreadable']);
      assert.match(listed.get(cut.id)!.problem!, new RegExp(`${recordOf(cut.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*not valid JSON.*cut short`));
      assert.match(listed.get(empty.id)!.problem!, /it is empty; it may have been cut short/);
      assert.ok(listed.get(noRecord.id)!.problem!.includes(noRecord.file), 'the message file without record is not named');
      assert.match(listed.get(noRecord.id)!.problem!, /has a message file but no record/);
      assert.match(listed.get(noFile.id)!.problem!, /message file .* is missing/);
      assert.strictEqual(listed.get(cut.id)!.lastError?.code, ErrorCode.OUTBOX_ENTRY_INVALID);

      const err = await rejectsWith(outbox.require(cut.id), ErrorCode.OUTBOX_ENTRY_INVALID);
      assert.ok(err.message.includes(recordOf(cut.id)), err.message);
      await rejectsWith(outbox.markFailed(empty.id, { code: 'X', message: 'x.' }), ErrorCode.OUTBOX_ENTRY_INVALID);
      await rejectsWith(outbox.readRaw(noRecord.id), ErrorCode.OUTBOX_ENTRY_INVALID);
    });

    it('refuses a record whose envelope, pending recipients or status was edited (the recorded hash covers them)', async () => {
      const edits: [string, (r: Record<string, unknown>) => void][] = [
        ['envelope.to', (r) => void ((r.envelope as { to: string[] }).to = ['mallory@evil.example'])],
        ['envelope.from', (r) => void ((r.envelope as { from: string }).from = 'mallory@evil.example')],
        ['pendingRecipients', (r) => void (r.pendingRecipients = ['mallory@evil.example'])],
        ['status', (r) => void (r.status = 'pending')],
      ];
      for (const [what, change] of edits) {
        const entry = await add(what);
        await outbox.markFailed(entry.id, { code: 'SMTP_TIMEOUT', message: 'x.' });
        edit(entry.id, change);
        assert.strictEqual((await outbox.get(entry.id))?.status, 'unreadable', what);
        const err = await rejectsWith(outbox.require(entry.id), ErrorCode.OUTBOX_ENTRY_INVALID);
        assert.match(err.message, /was changed after it was written: its envelope, recipients or status do not match its recorded hash/, what);
        assert.ok(err.message.includes(recordOf(entry.id)), err.message);
      }
      // Reformatting alone (what an editor may do) changes nothing that counts.
      const entry = await add('reformatted');
      fs.writeFileSync(recordOf(entry.id), JSON.stringify(JSON.parse(fs.readFileSync(recordOf(entry.id), 'utf8'))));
      assert.strictEqual((await outbox.require(entry.id)).status, 'pending');
    });

    it('reads a record written before the hash (version 1) and seals it when it is next written', async () => {
      const entry = await add('old');
      edit(entry.id, (r) => {
        r.version = 1;
        delete r.recordSha256;
      });
      assert.strictEqual((await outbox.require(entry.id)).status, 'pending');
      await outbox.markFailed(entry.id, { code: 'SMTP_TIMEOUT', message: 'x.' });
      const json = JSON.parse(fs.readFileSync(recordOf(entry.id), 'utf8'));
      assert.strictEqual(json.version, 2);
      assert.match(json.recordSha256, /^[0-9a-f]{64}$/);
      assert.strictEqual((await outbox.require(entry.id)).status, 'failed');
    });
  });

  it('finishes a move to sent/ that was interrupted, and never lists it as pending', async () => {
    const msg = await buildTestMessage();
    const entry = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject });
    // Simulate a crash right after the sent/ record was written (the first step of markSent).
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'outbox', `${entry.id}.json`), 'utf8'));
    fs.mkdirSync(path.join(dir, 'sent'));
    fs.writeFileSync(path.join(dir, 'sent', `${entry.id}.json`), encodeRecord({ ...stored, status: 'sent', sentAt: new Date().toISOString() }));
    assert.strictEqual((await outbox.get(entry.id))?.status, 'sent');
    assert.ok((await outbox.readRaw(entry.id)).equals(msg.raw), 'bytes still readable mid-move');
    assert.deepStrictEqual(await outbox.pending(), []);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'outbox')), []);
    assert.ok(fs.readFileSync(path.join(dir, 'sent', `${entry.id}.eml`)).equals(msg.raw));
  });
});
