import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { Readable } from 'stream';
import { composeMessageStream } from '../../src/core/message/compose';
import { deliver, deliverComposed, deliverStream, retry } from '../../src/core/send/deliver';
import { ErrorCode, SendAsEmailError } from '../../src/core/errors';
import { Outbox, type OutboxEntry } from '../../src/core/send/outbox';
import { defaultSettings } from '../../src/core/settings';
import { testPki } from '../support/certs';
import { buildTestMessage, parseMail, type TestMessage } from '../support/mail';
import { startSmtpServer, unusedPort, type TestSmtpServer } from '../support/smtp';
import { COMPOSE_FIXTURE, rejectsWith } from '../support/fixtures';
import { captureLogger } from '../support/log';

const USER = 'ada@example.com';
const PASSWORD = 'Pw-5ecret-XyZ-42';

const toDeliver = (msg: TestMessage) => ({ raw: msg.raw, messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject, source: '/ws/doc.md' });

describe('deliver: outbox around the send', function () {
  this.timeout(15000);
  let dir: string;
  let outbox: Outbox;
  const servers: TestSmtpServer[] = [];
  const start = async (...args: Parameters<typeof startSmtpServer>) => {
    const s = await startSmtpServer(...args);
    servers.push(s);
    return s;
  };
  before(() => testPki());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-deliver-'));
    outbox = new Outbox(dir);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the exact bytes before the first message byte (MAIL FROM), then moves them to sent/ once accepted', async () => {
    const msg = await buildTestMessage();
    let atMailFrom: Buffer[] | undefined;
    let queued: { entries: OutboxEntry[]; files: Buffer[] } | undefined;
    const server = await start({
      users: { [USER]: PASSWORD },
      serverOptions: {
        // What the outbox holds at the moment the server sees MAIL FROM (before any message byte): the server
        // answers only once it has looked, so the send cannot move on meanwhile.
        onMailFrom(_address, _session, callback) {
          const emls = fs.readdirSync(outbox.outboxDir).filter((f) => f.endsWith('.eml'));
          atMailFrom = emls.map((f) => fs.readFileSync(path.join(outbox.outboxDir, f)));
          outbox
            .pending()
            .then((entries) => void (queued = { entries, files: entries.map((e) => fs.readFileSync(e.file)) }))
            .then(() => callback(), callback);
        },
      },
    });
    const { result, entryId } = await deliver(toDeliver(msg), server.target({ user: USER, password: PASSWORD }), outbox);
    assert.strictEqual(server.sessions.opened, 1);
    assert.strictEqual(atMailFrom?.length, 1, 'not queued when MAIL FROM was sent');
    assert.ok(atMailFrom[0]!.equals(msg.raw), 'the outbox did not hold the exact bytes at MAIL FROM');
    assert.strictEqual(queued?.entries.length, 1);
    assert.strictEqual(queued.entries[0].status, 'pending', 'the entry was not pending at MAIL FROM');
    assert.ok(queued.files[0]!.equals(msg.raw));

    assert.strictEqual(entryId, queued.entries[0].id);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    const got = await server.nextMessage();
    const entry = await outbox.get(entryId);
    assert.strictEqual(entry?.status, 'sent');
    assert.strictEqual(entry?.attempts, 1);
    assert.strictEqual(entry?.source, '/ws/doc.md');
    assert.ok((await outbox.readRaw(entryId)).equals(got.raw), 'sent/ holds exactly what arrived');
    assert.deepStrictEqual(await outbox.pending(), []);
  });

  it('sends nothing when the outbox cannot be written (OUTBOX_WRITE_FAILED), and closes the connection', async () => {
    const server = await start({ users: { [USER]: PASSWORD } });
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, 'not a folder');
    const msg = await buildTestMessage();
    const err = await rejectsWith(deliver(toDeliver(msg), server.target({ user: USER, password: PASSWORD }), new Outbox(blocked)), ErrorCode.OUTBOX_WRITE_FAILED);
    assert.match(err.message, /could not be stored in the outbox/);
    assert.match(err.message, new RegExp(blocked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.strictEqual(server.messages.length, 0);
    assert.ok(server.commands.some((c) => c.verb === 'EHLO'), 'the connection was not even opened');
    assert.ok(!server.commands.some((c) => c.verb === 'MAIL'), 'MAIL FROM was sent without an outbox copy');
    await server.waitFor(() => server.sessions.closed === server.sessions.opened, 5000, 'the connection to close');
  });

  it('keeps a failed message with its error, and retry resends the same bytes and Message-ID', async () => {
    const server = await start({ users: { [USER]: PASSWORD } });
    const msg = await buildTestMessage();
    const err = await rejectsWith(deliver(toDeliver(msg), server.target({ user: USER, password: 'wrong-one' }), outbox), ErrorCode.SMTP_AUTH_FAILED);
    const id = err.extra.outboxEntryId;
    assert.ok(id, 'the error names its outbox entry');
    const failed = await outbox.get(id);
    assert.strictEqual(failed?.status, 'failed');
    assert.strictEqual(failed?.lastError?.code, ErrorCode.SMTP_AUTH_FAILED);
    assert.match(failed?.lastError?.serverResponse ?? '', /^535/);
    assert.strictEqual(server.messages.length, 0);

    const result = await retry(outbox, id, server.target({ user: USER, password: PASSWORD }));
    assert.strictEqual(result.messageId, msg.messageId);
    const got = await server.nextMessage();
    assert.ok(got.raw.equals(msg.raw), 'the retry sent the very same bytes');
    assert.strictEqual((await parseMail(got.raw)).messageId, msg.messageId);
    const sent = await outbox.get(id);
    assert.strictEqual(sent?.status, 'sent');
    assert.strictEqual(sent?.attempts, 2);

    const again = await rejectsWith(retry(outbox, id, server.target({ user: USER, password: PASSWORD })), ErrorCode.OUTBOX_ALREADY_SENT);
    assert.ok(again.message.includes(id));
    assert.strictEqual(server.messages.length, 1, 'nothing resent');
  });

  it('retry sends nothing when the stored file no longer matches its recorded hash (same size, other bytes)', async () => {
    const server = await start({ users: { [USER]: PASSWORD } });
    const msg = await buildTestMessage();
    const err = await rejectsWith(deliver(toDeliver(msg), server.target({ user: USER, password: 'wrong-one' }), outbox), ErrorCode.SMTP_AUTH_FAILED);
    const id = err.extra.outboxEntryId!;
    const entry = (await outbox.get(id))!;
    const tampered = Buffer.from(msg.raw);
    tampered[tampered.length - 3] ^= 0x01;
    fs.writeFileSync(entry.file, tampered);
    const refused = await rejectsWith(retry(outbox, id, server.target({ user: USER, password: PASSWORD })), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    assert.match(refused.message, /changed after it was queued/);
    assert.ok(refused.message.includes(entry.file), refused.message);
    assert.strictEqual(server.messages.length, 0, 'a changed message was sent');
    assert.strictEqual(server.sessions.opened, 1, 'the retry connected although the file was refused');
  });

  it('retry refuses an entry whose recorded envelope was edited, before connecting (OUTBOX_ENTRY_INVALID)', async () => {
    const msg = await buildTestMessage();
    const refused = { host: '127.0.0.1', port: await unusedPort(), security: 'none' as const, user: '', caFile: '', rejectUnauthorized: true, timeoutSeconds: 5 };
    const err = await rejectsWith(deliver(toDeliver(msg), refused, outbox), ErrorCode.SMTP_CONNECTION_REFUSED);
    const id = err.extra.outboxEntryId!;
    const record = path.join(outbox.outboxDir, `${id}.json`);
    const json = JSON.parse(fs.readFileSync(record, 'utf8'));
    json.envelope.to = ['mallory@evil.example'];
    fs.writeFileSync(record, JSON.stringify(json, null, 2));
    const server = await start();
    const invalid = await rejectsWith(retry(outbox, id, server.target()), ErrorCode.OUTBOX_ENTRY_INVALID);
    assert.ok(invalid.message.includes(record), invalid.message);
    assert.match(invalid.message, /changed after it was written/);
    assert.strictEqual(server.sessions.opened, 0, 'the retry connected');
    assert.strictEqual(server.messages.length, 0);
  });

  it('retry of an unknown entry is OUTBOX_ENTRY_NOT_FOUND', async () => {
    const server = await start();
    await rejectsWith(retry(outbox, '20250101T000000000Z-deadbeef', server.target()), ErrorCode.OUTBOX_ENTRY_NOT_FOUND);
    assert.strictEqual(server.sessions.opened, 0);
  });

  it('files a partial delivery under sent/ with the refused recipients, and never resends it', async () => {
    const server = await start({ rejectRecipients: ['nobody@example.com'] });
    const msg = await buildTestMessage({ to: ['bob@example.com', 'nobody@example.com'] });
    const { result, entryId } = await deliver(toDeliver(msg), server.target(), outbox);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    assert.deepStrictEqual(result.rejected.map((r) => r.address), ['nobody@example.com']);
    const entry = await outbox.get(entryId);
    assert.strictEqual(entry?.status, 'sent');
    assert.deepStrictEqual(entry?.result?.rejected.map((r) => r.address), ['nobody@example.com']);
    await rejectsWith(retry(outbox, entryId, server.target()), ErrorCode.OUTBOX_ALREADY_SENT);
    assert.strictEqual(server.messages.length, 1);
  });

  it('keeps recipients refused for now (451) pending; retry sends the same bytes to them alone, never again to the others', async () => {
    // carol is greylisted once, nobody is refused for good, bob accepts.
    const server = await start({ deferRecipients: ['carol@example.com'], deferTimes: 1, rejectRecipients: ['nobody@example.com'] });
    const msg = await buildTestMessage({ to: ['bob@example.com', 'nobody@example.com', 'carol@example.com'] });
    const { result, entryId } = await deliver(toDeliver(msg), server.target(), outbox);
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    assert.deepStrictEqual(result.rejected.map((r) => r.address), ['nobody@example.com']);
    assert.deepStrictEqual(result.deferred.map((r) => r.address), ['carol@example.com']);
    assert.match(result.deferred[0]!.response, /^451 4\.2\.0/);
    const first = await server.nextMessage();
    assert.deepStrictEqual(first.envelope.to, ['bob@example.com']);

    const partial = await outbox.get(entryId);
    assert.strictEqual(partial?.status, 'partial');
    assert.deepStrictEqual(partial?.pendingRecipients, ['carol@example.com']);
    assert.deepStrictEqual(partial?.result?.accepted, ['bob@example.com']);
    assert.strictEqual(partial?.file, path.join(outbox.outboxDir, `${entryId}.eml`), 'a partial entry left the outbox');
    assert.deepStrictEqual((await outbox.pending()).map((e) => e.id), [entryId], 'the pending recipients cannot be retried');
    const json = JSON.parse(fs.readFileSync(path.join(outbox.outboxDir, `${entryId}.json`), 'utf8'));
    assert.deepStrictEqual(json.pendingRecipients, ['carol@example.com']);

    const again = await retry(outbox, entryId, server.target());
    assert.deepStrictEqual(again.accepted, ['carol@example.com']);
    assert.deepStrictEqual([again.rejected, again.deferred], [[], []]);
    const second = await server.nextMessage();
    assert.deepStrictEqual(second.envelope.to, ['carol@example.com'], 'the retry went to others than the pending recipient');
    assert.ok(second.raw.equals(msg.raw), 'the retry did not send the same bytes');
    assert.strictEqual((await parseMail(second.raw)).messageId, msg.messageId);
    const sent = await outbox.get(entryId);
    assert.strictEqual(sent?.status, 'sent');
    assert.strictEqual(sent?.attempts, 2);
    assert.deepStrictEqual(sent?.result?.accepted, ['bob@example.com', 'carol@example.com']);
    assert.deepStrictEqual(sent?.result?.rejected.map((r) => r.address), ['nobody@example.com']);
    assert.strictEqual(sent?.pendingRecipients, undefined);
    await rejectsWith(retry(outbox, entryId, server.target()), ErrorCode.OUTBOX_ALREADY_SENT);
    assert.strictEqual(server.messages.length, 2);
  });

  it('keeps a message whose every recipient was refused for now, retryable, the error naming them as deferred', async () => {
    const server = await start({ deferRecipients: ['bob@example.com', 'carol@example.com'], deferTimes: 1 });
    const msg = await buildTestMessage({ to: ['bob@example.com', 'carol@example.com'] });
    const err = await rejectsWith(deliver(toDeliver(msg), server.target(), outbox), ErrorCode.SMTP_RECIPIENTS_REJECTED);
    assert.deepStrictEqual(err.extra.deferred?.map((r) => r.address), ['bob@example.com', 'carol@example.com']);
    assert.deepStrictEqual(err.extra.rejected, []);
    assert.match(err.message, /for now/);
    assert.strictEqual(server.messages.length, 0);
    const id = err.extra.outboxEntryId;
    assert.ok(id, 'the error does not carry its outbox entry');
    assert.strictEqual(err.extra.outboxEntryId, id);
    assert.strictEqual((await outbox.get(id))?.status, 'failed');
    await retry(outbox, id, server.target());
    const got = await server.nextMessage();
    assert.deepStrictEqual(got.envelope.to, ['bob@example.com', 'carol@example.com']);
    assert.ok(got.raw.equals(msg.raw));
    assert.strictEqual((await outbox.get(id))?.status, 'sent');
  });

  it('an accepted message whose sent/ record cannot be written is kept as accepted (record incomplete), never retried', async () => {
    const server = await start();
    const msg = await buildTestMessage();
    // A file where the sent/ folder should be: the record of the acceptance cannot be written there.
    fs.writeFileSync(outbox.sentDir, 'not a folder');
    const logger = captureLogger();
    const { result, entryId } = await deliver(toDeliver(msg), server.target(), outbox, { logger });
    assert.deepStrictEqual(result.accepted, ['bob@example.com']);
    assert.strictEqual(server.messages.length, 1);
    assert.ok(logger.lines.some((l) => l.includes(entryId) && /record incomplete/.test(l)), logger.lines.join('\n'));

    const [listed, ...more] = await outbox.pending();
    assert.strictEqual(more.length, 0);
    assert.strictEqual(listed?.id, entryId);
    assert.strictEqual(listed?.status, 'accepted');
    assert.deepStrictEqual(listed?.result?.accepted, ['bob@example.com']);
    assert.strictEqual((await outbox.get(entryId))?.status, 'accepted');
    const refused = await rejectsWith(retry(outbox, entryId, server.target()), ErrorCode.OUTBOX_ALREADY_SENT);
    assert.match(refused.message, new RegExp(`${entryId}.*accepted by the server.*record in sent/ could not be written.*not sent again`));
    await rejectsWith(outbox.markFailed(entryId, { code: 'X', message: 'x.' }), ErrorCode.OUTBOX_ALREADY_SENT);
    assert.strictEqual(server.sessions.opened, 1, 'the retry connected');

    // Once sent/ can be written, listing the outbox completes the record.
    fs.rmSync(outbox.sentDir);
    assert.deepStrictEqual(await outbox.pending(), []);
    const sent = await outbox.get(entryId);
    assert.strictEqual(sent?.status, 'sent');
    assert.deepStrictEqual(sent?.result?.accepted, ['bob@example.com']);
    assert.ok((await outbox.readRaw(entryId)).equals(msg.raw));
    assert.deepStrictEqual(fs.readdirSync(outbox.outboxDir), []);
  });

  describe('one send of an entry at a time (claim)', () => {
    /** A failed send's entry (wrong password), for retries. */
    const failedEntry = async (server: TestSmtpServer, msg: TestMessage): Promise<string> => {
      const err = await rejectsWith(deliver(toDeliver(msg), server.target({ user: USER, password: 'wrong-one' }), outbox), ErrorCode.SMTP_AUTH_FAILED);
      return err.extra.outboxEntryId!;
    };
    const lockOf = (id: string) => path.join(outbox.outboxDir, `${id}.lock`);

    it('two concurrent retries of one entry: exactly one delivers, the other is refused as busy naming the process', async () => {
      const server = await start({ users: { [USER]: PASSWORD } });
      const id = await failedEntry(server, await buildTestMessage());
      assert.ok(!fs.existsSync(lockOf(id)), 'the failed send left its claim behind');
      // The server holds each RCPT a moment, so the first retry is still sending when the second one starts.
      const slow = await start({ users: { [USER]: PASSWORD }, delayRcptMs: 300 });
      const target = slow.target({ user: USER, password: PASSWORD });
      const outcomes = await Promise.allSettled([retry(outbox, id, target), retry(outbox, id, target)]);
      const done = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      assert.strictEqual(done.length, 1, 'not exactly one retry delivered');
      assert.strictEqual(refused.length, 1);
      const busy = refused[0];
      assert.ok(busy instanceof SendAsEmailError && busy.code === ErrorCode.OUTBOX_ENTRY_BUSY, String(busy));
      assert.ok(busy.message.includes(id), busy.message);
      assert.ok(busy.message.includes(`process ${process.pid}`), busy.message);
      assert.strictEqual(slow.messages.length, 1, 'both retries delivered');
      assert.strictEqual(slow.sessions.opened, 1, 'the refused retry connected');
      assert.ok(!fs.existsSync(lockOf(id)), 'the claim was not released');
      await rejectsWith(retry(outbox, id, target), ErrorCode.OUTBOX_ALREADY_SENT);
    });

    it('the first send holds the claim while it sends: a retry meanwhile is refused as busy', async () => {
      const server = await start({ delayRcptMs: 300 });
      const msg = await buildTestMessage();
      const sending = deliver(toDeliver(msg), server.target(), outbox);
      await server.waitFor(() => server.commands.some((c) => c.verb === 'RCPT'), 5000, 'RCPT TO at the server');
      const [entry] = await outbox.pending();
      assert.ok(entry, 'the message is not in the outbox while it is sent');
      await rejectsWith(retry(outbox, entry.id, server.target()), ErrorCode.OUTBOX_ENTRY_BUSY);
      const { entryId } = await sending;
      assert.strictEqual(entryId, entry.id);
      assert.strictEqual(server.messages.length, 1);
      assert.ok(!fs.existsSync(lockOf(entryId)), 'the claim was not released');
    });

    it('a first send whose process is gone (its record still names it as sender) can be retried; one that runs cannot', async () => {
      const msg = await buildTestMessage();
      const entry = await outbox.add(msg.raw, { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject }, { sending: true });
      const server = await start();
      // This process is the sender and has not recorded an outcome: the send may be going on.
      const busy = await rejectsWith(retry(outbox, entry.id, server.target()), ErrorCode.OUTBOX_ENTRY_BUSY);
      assert.ok(busy.message.includes(`process ${process.pid} on ${os.hostname()} (this one)`), busy.message);
      assert.strictEqual(server.sessions.opened, 0);
      assert.ok(!fs.existsSync(lockOf(entry.id)), 'the refused retry left its lock');
      // The sender died before recording anything (a crash, a kill): its record names a process that is gone.
      const record = path.join(outbox.outboxDir, `${entry.id}.json`);
      const json = JSON.parse(fs.readFileSync(record, 'utf8'));
      const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('exit', resolve));
      json.sendingBy = { ...json.sendingBy, pid: child.pid };
      fs.writeFileSync(record, JSON.stringify(json, null, 2));
      await retry(outbox, entry.id, server.target());
      assert.ok((await server.nextMessage()).raw.equals(msg.raw));
      assert.strictEqual((await outbox.get(entry.id))?.status, 'sent');
    });

    it('a claim held by a live process is respected; once that process is gone it is taken over, also when its PID is ours', async () => {
      const server = await start({ users: { [USER]: PASSWORD } });
      const msg = await buildTestMessage();
      const id = await failedEntry(server, msg);
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        const owner = { pid: child.pid, host: os.hostname(), started: Date.now(), token: 'other', at: new Date().toISOString() };
        fs.writeFileSync(lockOf(id), JSON.stringify(owner));
        const good = server.target({ user: USER, password: PASSWORD });
        const busy = await rejectsWith(retry(outbox, id, good), ErrorCode.OUTBOX_ENTRY_BUSY);
        assert.ok(busy.message.includes(`process ${child.pid} on ${os.hostname()}`), busy.message);
        assert.ok(busy.extra.hint?.includes(lockOf(id)), busy.extra.hint);
        assert.strictEqual(server.messages.length, 0);
        child.kill();
        await exited;
        // The holder is gone: its lock is stale and taken over.
        await retry(outbox, id, good);
        assert.ok((await server.nextMessage()).raw.equals(msg.raw));
        assert.ok(!fs.existsSync(lockOf(id)), 'the claim was not released');
        assert.deepStrictEqual(fs.readdirSync(outbox.outboxDir), [], 'a stale lock was left aside');

        // This process's PID, written by an earlier process (PIDs repeat, in containers especially): stale too.
        const other = await buildTestMessage();
        const id2 = await failedEntry(server, other);
        const earlier = { pid: process.pid, host: os.hostname(), started: Date.now() - 3_600_000, token: 'earlier', at: new Date(Date.now() - 3_600_000).toISOString() };
        fs.writeFileSync(lockOf(id2), JSON.stringify(earlier));
        await retry(outbox, id2, good);
        assert.ok((await server.nextMessage()).raw.equals(other.raw));
      } finally {
        child.kill();
      }
    });
  });

  it('keeps the exact bytes when the connection drops during DATA, and a retry delivers them', async () => {
    const dropping = await start({ data: 'drop' });
    const msg = await buildTestMessage({ padBytes: 100_000 });
    const err = await rejectsWith(deliver(toDeliver(msg), dropping.target(), outbox), ErrorCode.SMTP_CONNECTION_DROPPED);
    assert.match(err.message, /kept in the outbox/);
    const id = err.extra.outboxEntryId!;
    const [pending] = await outbox.pending();
    assert.strictEqual(pending.id, id);
    assert.strictEqual(pending.lastError?.code, ErrorCode.SMTP_CONNECTION_DROPPED);
    assert.ok((await outbox.readRaw(id)).equals(msg.raw), 'outbox has the exact bytes');

    const good = await start();
    await retry(outbox, id, good.target());
    assert.ok((await good.nextMessage()).raw.equals(msg.raw));
    assert.strictEqual((await outbox.get(id))?.status, 'sent');
  });

  describe('no reply to the final dot: delivery unknown', () => {
    it('a connection lost after the whole message went out says it may have been delivered, and the entry is "unknown"', async () => {
      const server = await start({ data: 'hangup' });
      const msg = await buildTestMessage();
      const err = await rejectsWith(deliver(toDeliver(msg), server.target(), outbox), ErrorCode.SMTP_DELIVERY_UNKNOWN);
      assert.match(err.message, /may have been delivered/);
      assert.match(err.message, /check whether it arrived .* before retrying/);
      assert.doesNotMatch(err.message, /probably not delivered/);
      assert.ok(err.message.includes(`127.0.0.1:${server.port}`), err.message);
      assert.strictEqual(err.extra.deliveryUnknown, true);
      assert.strictEqual(server.stalled.length, 1, 'the server did not get the whole message');
      assert.ok(server.stalled[0]!.raw.equals(msg.raw));
      const entry = await outbox.get(err.extra.outboxEntryId!);
      assert.strictEqual(entry?.status, 'unknown');
      assert.strictEqual(entry?.lastError?.code, ErrorCode.SMTP_DELIVERY_UNKNOWN);
      assert.deepStrictEqual((await outbox.pending()).map((e) => e.status), ['unknown']);
    });

    it('a server silent after the final dot until the timeout: delivery unknown too', async () => {
      const server = await start({ data: 'stall' });
      const msg = await buildTestMessage();
      const err = await rejectsWith(deliver(toDeliver(msg), server.target({ timeoutSeconds: 1 }), outbox), ErrorCode.SMTP_DELIVERY_UNKNOWN);
      assert.match(err.message, /did not confirm it within 1 s, so it may have been delivered/);
      assert.strictEqual((await outbox.get(err.extra.outboxEntryId!))?.status, 'unknown');
    });

    it('a cancel after the final dot leaves the entry "unknown"', async () => {
      const server = await start({ data: 'stall' });
      const msg = await buildTestMessage();
      const controller = new AbortController();
      const sending = deliver(toDeliver(msg), server.target(), outbox, { signal: controller.signal });
      await server.waitFor(() => server.stalled.length === 1, 5000, 'the message to arrive');
      controller.abort();
      const err = await rejectsWith(sending, ErrorCode.SMTP_CANCELLED);
      assert.strictEqual(err.extra.deliveryUnknown, true);
      assert.strictEqual((await outbox.get(err.extra.outboxEntryId!))?.status, 'unknown');
    });
  });

  it('keeps a cancelled send in the outbox', async () => {
    const server = await start({ delayRcptMs: 5000 });
    const msg = await buildTestMessage();
    const controller = new AbortController();
    const sending = deliver(toDeliver(msg), server.target(), outbox, { signal: controller.signal });
    // The server holds its answer to RCPT TO: abort once the envelope is on the wire.
    await server.waitFor(() => server.commands.some((c) => c.verb === 'RCPT'), 5000, 'RCPT TO at the server');
    controller.abort();
    const err = await rejectsWith(sending, ErrorCode.SMTP_CANCELLED);
    const entry = await outbox.get(err.extra.outboxEntryId!);
    assert.strictEqual(entry?.status, 'failed');
    assert.strictEqual(entry?.lastError?.code, ErrorCode.SMTP_CANCELLED);
  });

  it('queues nothing when the settings are unusable', async () => {
    const msg = await buildTestMessage();
    const server = await start();
    await rejectsWith(deliver(toDeliver(msg), server.target({ host: '' }), outbox), ErrorCode.SMTP_NOT_CONFIGURED);
    await rejectsWith(deliver(toDeliver(msg), server.target({ user: USER, password: undefined }), outbox), ErrorCode.SMTP_PASSWORD_MISSING);
    await rejectsWith(deliver(toDeliver(msg), server.target({ caFile: path.join(dir, 'missing.pem') }), outbox), ErrorCode.SETTINGS_INVALID);
    assert.deepStrictEqual(await outbox.pending(), []);
    assert.strictEqual(server.sessions.opened, 0);
  });

  it('never writes the password into errors, the log or the outbox', async () => {
    const logger = captureLogger();
    const errors: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        errors.push(e);
      }
    };
    const auth = { user: USER, password: PASSWORD };
    const plainServer = await start({ users: { [USER]: PASSWORD }, authMethods: ['PLAIN'] });
    const loginServer = await start({ security: 'tls', users: { [USER]: PASSWORD }, authMethods: ['LOGIN'] });
    const wrongServer = await start({ users: { [USER]: 'another-password' } });
    const selfSigned = await start({ cert: testPki().selfSigned, users: { [USER]: PASSWORD } });
    const noStarttls = await start({ security: 'none', users: { [USER]: PASSWORD }, allowInsecureAuth: true });
    const dropping = await start({ users: { [USER]: PASSWORD }, data: 'drop' });
    const refusing = await start({ users: { [USER]: PASSWORD }, rejectRecipients: ['bob@example.com'] });
    const msg = await buildTestMessage();
    const big = await buildTestMessage({ padBytes: 50_000 });

    await attempt(deliver(toDeliver(msg), plainServer.target(auth), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), loginServer.target(auth), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), wrongServer.target(auth), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), selfSigned.target({ ...auth, caFile: '' }), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), noStarttls.target({ ...auth, security: 'starttls' }), outbox, { logger }));
    await attempt(deliver(toDeliver(big), dropping.target(auth), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), refusing.target(auth), outbox, { logger }));
    await attempt(deliver(toDeliver(msg), { ...plainServer.target(auth), host: 'smtp.example.invalid', security: 'none' }, outbox, { logger }));

    assert.strictEqual(errors.length, 6, errors.map(String).join('\n'));
    assert.ok(plainServer.auths.some((a) => a.success) && loginServer.auths.some((a) => a.success), 'both logins really happened');
    const forms = [
      PASSWORD,
      Buffer.from(PASSWORD).toString('base64'),
      Buffer.from(`\u0000${USER}\u0000${PASSWORD}`).toString('base64'),
      Buffer.from(`${USER}\u0000${USER}\u0000${PASSWORD}`).toString('base64'),
    ];
    const haystacks: [string, string][] = [
      ['log', logger.lines.join('\n')],
      ...errors.map((e, i): [string, string] => [`error ${i}`, util.inspect(e, { depth: 6 }) + JSON.stringify(e)]),
    ];
    for (const sub of ['outbox', 'sent']) {
      const folder = path.join(dir, sub);
      for (const f of fs.existsSync(folder) ? fs.readdirSync(folder) : []) haystacks.push([`${sub}/${f}`, fs.readFileSync(path.join(folder, f), 'latin1')]);
    }
    assert.ok(haystacks.length > 12, 'the outbox was written to');
    assert.ok(logger.lines.some((l) => l.startsWith('C: AUTH PLAIN')), 'the AUTH line was logged (masked)');
    for (const [where, text] of haystacks) {
      for (const form of forms) assert.ok(!text.includes(form), `${where} contains the password (${form})`);
    }
  });

  it('repeated failed sends of one unchanged document leave one waiting entry, the newest; other content, partial and unknown entries stay', async () => {
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    const doc = { path: path.join(ws, 'doc.md'), text: '---\nto: bob@example.com\nsubject: Weekly\n---\n# Hi\n\nThe news.\n' };
    const settings = defaultSettings();
    settings.from = USER;
    const refused = { host: '127.0.0.1', port: await unusedPort(), security: 'none' as const, user: '', caFile: '', rejectUnauthorized: true, timeoutSeconds: 5 };
    const sendDoc = async (text = doc.text): Promise<string> => {
      const composed = await composeMessageStream({ ...doc, text }, { settings, workspaceFolders: [ws] });
      return (await rejectsWith(deliverComposed(composed, doc.path, refused, outbox), ErrorCode.SMTP_CONNECTION_REFUSED)).extra.outboxEntryId!;
    };
    const first = await sendDoc();
    const second = await sendDoc();
    assert.notStrictEqual(first, second);
    // deliverComposed recorded the document and the content key.
    assert.strictEqual((await outbox.get(second))!.source, doc.path);
    assert.match((await outbox.get(second))!.contentKey ?? '', /^[0-9a-f]{64}$/);
    assert.deepStrictEqual((await outbox.pending()).map((e) => e.id), [second], 'the older copy of the same message stayed');
    assert.ok(!fs.readdirSync(outbox.outboxDir).some((f) => f.startsWith(first)), 'files of the replaced entry were left');

    // Changed content: a different message, kept beside it.
    const changed = await sendDoc(doc.text.replace('The news.', 'Other news.'));
    // Entries of the same key that are partly delivered or may have been delivered are never replaced.
    const key = (await outbox.get(second))!.contentKey!;
    const msg = await buildTestMessage({ to: ['bob@example.com', 'carol@example.com'] });
    const meta = { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject, source: doc.path, contentKey: key };
    const partial = await outbox.add(msg.raw, meta);
    await outbox.markSent(partial.id, { messageId: msg.messageId, accepted: ['bob@example.com'], rejected: [], deferred: [{ address: 'carol@example.com', response: '451 4.2.0 later' }], response: '250 ok', size: msg.raw.length });
    const unknown = await outbox.add(msg.raw, meta);
    await outbox.markFailed(unknown.id, { code: ErrorCode.SMTP_DELIVERY_UNKNOWN, message: 'x.', deliveryUnknown: true });
    const third = await sendDoc();
    const left = await outbox.pending();
    assert.deepStrictEqual(
      left.map((e) => [e.id, e.status]).sort(),
      [[changed, 'failed'], [partial.id, 'partial'], [unknown.id, 'unknown'], [third, 'failed']].sort(),
    );
  });

  describe('deliverStream: a message that is never held whole', () => {
    /** The test message as a stream of small chunks, like a MIME stream. */
    const streamOf = (msg: TestMessage) => () => Readable.from(Array.from({ length: Math.ceil(msg.raw.length / 100) }, (_, i) => msg.raw.subarray(i * 100, (i + 1) * 100)));

    it('stores the stream in the outbox before MAIL FROM and sends exactly the stored bytes', async () => {
      const msg = await buildTestMessage({ subject: 'Grüße, 测试' });
      let atMailFrom: Buffer[] | undefined;
      const server = await start({
        users: { [USER]: PASSWORD },
        serverOptions: {
          onMailFrom(_address, _session, callback) {
            atMailFrom = fs.readdirSync(outbox.outboxDir).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(outbox.outboxDir, f)));
            callback();
          },
        },
      });
      const { result, entryId } = await deliverStream(
        { ...toDeliver(msg), chunks: streamOf(msg) },
        server.target({ user: USER, password: PASSWORD }),
        outbox,
      );
      assert.strictEqual(atMailFrom?.length, 1, 'not stored when MAIL FROM was sent');
      assert.ok(atMailFrom[0]!.equals(msg.raw));
      const got = await server.nextMessage();
      assert.ok(got.raw.equals(msg.raw), 'the server did not get the exact bytes');
      assert.strictEqual(result.size, msg.raw.length);
      assert.strictEqual(result.messageId, msg.messageId);
      const entry = await outbox.get(entryId);
      assert.strictEqual(entry?.status, 'sent');
      assert.strictEqual(entry?.size, msg.raw.length);
      assert.ok((await outbox.readRaw(entryId)).equals(msg.raw), 'the stored hash does not match the bytes');
    });

    it('keeps the stored bytes with the error when the send fails, for a retry of the same bytes', async () => {
      const msg = await buildTestMessage();
      const server = await start({ users: { [USER]: PASSWORD } });
      const err = await rejectsWith(
        deliverStream({ ...toDeliver(msg), chunks: streamOf(msg) }, server.target({ user: USER, password: 'wrong-pass' }), outbox),
        ErrorCode.SMTP_AUTH_FAILED,
      );
      const id = err.extra.outboxEntryId;
      assert.ok(id, 'the error does not name its outbox entry');
      assert.ok((await outbox.readRaw(id)).equals(msg.raw));
      await retry(outbox, id, server.target({ user: USER, password: PASSWORD }));
      assert.ok((await server.nextMessage()).raw.equals(msg.raw));
    });

    it('a stream that fails while being stored sends nothing (OUTBOX_WRITE_FAILED)', async () => {
      const server = await start({ users: { [USER]: PASSWORD } });
      const msg = await buildTestMessage();
      const broken = () =>
        new Readable({
          read() {
            this.destroy(new Error('disk image vanished'));
          },
        });
      await rejectsWith(deliverStream({ ...toDeliver(msg), chunks: broken }, server.target({ user: USER, password: PASSWORD }), outbox), ErrorCode.OUTBOX_WRITE_FAILED);
      assert.ok(!server.commands.some((c) => c.verb === 'MAIL'), 'MAIL FROM was sent');
      assert.deepStrictEqual(fs.readdirSync(outbox.outboxDir).filter((f) => f.endsWith('.eml')), []);
    });

    it('an image that changed after it was hashed stops the send before MAIL FROM (IMAGE_INVALID), storing nothing', async () => {
      const server = await start({ users: { [USER]: PASSWORD } });
      const ws = path.join(dir, 'ws');
      fs.mkdirSync(ws);
      const png = fs.readFileSync(path.join(COMPOSE_FIXTURE, 'img', 'bg.png'));
      fs.writeFileSync(path.join(ws, 'a.png'), png);
      const settings = defaultSettings();
      settings.from = USER;
      const doc = { path: path.join(ws, 'doc.md'), text: '---\nto: bob@example.com\n---\n# Hi\n\n![a](a.png)\n' };
      const composed = await composeMessageStream(doc, { settings, workspaceFolders: [ws] });
      // Same size, other bytes, a later modification time.
      const other = Buffer.from(png);
      other[other.length - 20] ^= 0xff;
      fs.writeFileSync(path.join(ws, 'a.png'), other);
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(ws, 'a.png'), later, later);
      const err = await rejectsWith(
        deliverComposed(composed, undefined, server.target({ user: USER, password: PASSWORD }), outbox),
        ErrorCode.IMAGE_INVALID,
      );
      assert.ok(err.message.includes('a.png'), err.message);
      assert.ok(!server.commands.some((c) => c.verb === 'MAIL'), 'MAIL FROM was sent');
      assert.deepStrictEqual(fs.readdirSync(outbox.outboxDir).filter((f) => f.endsWith('.eml') || f.endsWith('.json')), []);
    });
  });
});
