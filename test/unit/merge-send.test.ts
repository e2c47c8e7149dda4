import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '../../src/core/errors';
import { planMerge } from '../../src/core/merge/plan';
import { MergeStore, readMergeRecord } from '../../src/core/merge/record';
import { mergeRate, runMerge } from '../../src/core/merge/run';
import type { MergePlan } from '../../src/core/merge/types';
import { Outbox } from '../../src/core/send/outbox';
import { defaultSettings } from '../../src/core/settings';
import { testPki } from '../support/certs';
import { rejectsWith } from '../support/fixtures';
import { parseMail } from '../support/mail';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const FROM = 'Newsletter <news@example.com>';
const DOC = `---
to: "{{name}} <{{email}}>"
subject: "Hello {{name}}"
data: people.csv
---
# Dear {{name}}

Your number is {{n}}.
`;

function people(n: number): string {
  const lines = ['name,email,n'];
  for (let i = 1; i <= n; i++) lines.push(`Reader ${i},reader${i}@example.com,${i}`);
  return lines.join('\n') + '\n';
}

describe('merge: sending over SMTP', function () {
  this.timeout(30000);
  let dir: string;
  const servers: TestSmtpServer[] = [];
  const start = async (...args: Parameters<typeof startSmtpServer>): Promise<TestSmtpServer> => {
    const s = await startSmtpServer(...args);
    servers.push(s);
    return s;
  };
  before(() => testPki());
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-merge-')));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function plan(rows: number, doc = DOC, csv = people(rows)): Promise<MergePlan> {
    fs.writeFileSync(path.join(dir, 'doc.md'), doc);
    fs.writeFileSync(path.join(dir, 'people.csv'), csv);
    const settings = defaultSettings();
    settings.from = FROM;
    return planMerge({ documentPath: path.join(dir, 'doc.md'), text: doc, compose: { settings, workspaceFolders: [dir] } });
  }
  const outboxDir = (): string => path.join(dir, '.send-as-email');

  it('a refused login (535) leaves every row to be sent: the run with the right password delivers all of them', async () => {
    const server = await start({ security: 'none', users: { ada: 'right' } });
    const p = await plan(3);
    await rejectsWith(runMerge(p, { target: server.target({ user: 'ada', password: 'wrong' }), outboxDir: outboxDir() }), ErrorCode.SMTP_AUTH_FAILED);
    assert.strictEqual(server.messages.length, 0);
    const record = await readMergeRecord(outboxDir(), p.mergeId);
    assert.ok(record, 'no record of the merge');
    assert.deepStrictEqual({ refused: record.counts.refused, accepted: record.counts.accepted }, { refused: 0, accepted: 0 }, JSON.stringify(record.counts));
    const outcome = await runMerge(p, { target: server.target({ user: 'ada', password: 'right' }), outboxDir: outboxDir() });
    assert.strictEqual(outcome.accepted, 3);
    assert.deepStrictEqual(server.messages.map((m) => m.envelope.to.join(',')).sort(), ['reader1@example.com', 'reader2@example.com', 'reader3@example.com']);
  });

  it('delivers 50 rows over one connection, each to its own recipient only, with its own name in the subject and body', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(50);
    const outcome = await runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    assert.strictEqual(outcome.accepted, 50);
    assert.strictEqual(outcome.connections, 1);
    assert.strictEqual(server.messages.length, 50);
    assert.strictEqual(server.sessions.opened, 1, 'one SMTP connection carries all 50 messages');
    const ids = new Set<string>();
    for (let i = 1; i <= 50; i++) {
      const got = server.messages.find((m) => m.envelope.to.includes(`reader${i}@example.com`));
      assert.ok(got, `row ${i} arrived`);
      assert.deepStrictEqual(got.envelope.to, [`reader${i}@example.com`], 'RCPT TO names that row only');
      const mail = await parseMail(got.raw);
      assert.strictEqual(mail.subject, `Hello Reader ${i}`);
      assert.deepStrictEqual(
        (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((t) => t!.value.map((v) => v.address)),
        [`reader${i}@example.com`],
      );
      assert.ok(!mail.headers.has('bcc'));
      assert.match(mail.text ?? '', new RegExp(`Dear Reader ${i}\\b[\\s\\S]*Your number is ${i}\\.`));
      assert.match(String(mail.html), new RegExp(`Dear Reader ${i}<`));
      ids.add(String(mail.messageId));
    }
    assert.strictEqual(ids.size, 50, 'each message has its own Message-ID');
    const record = await readMergeRecord(outboxDir(), p.mergeId);
    assert.strictEqual(record?.counts.accepted, 50);
    assert.ok(record!.rows.every((r) => r.messageId && r.sha256 && /^250/.test(r.reply ?? '')));
    // Accepted messages keep their record, not their bytes.
    const outbox = new Outbox(outboxDir());
    const sentEntries = await outbox.sent();
    assert.strictEqual(sentEntries.length, 50);
    assert.deepStrictEqual(sentEntries.map((e) => e.merge?.id), Array(50).fill(p.mergeId), 'each outbox entry names its merge');
    assert.deepStrictEqual(new Set(sentEntries.map((e) => e.merge?.row)).size, 50);
    assert.strictEqual(fs.readdirSync(outbox.sentDir).filter((f) => f.endsWith('.eml')).length, 0);
    // Every acceptance is in the outbox's record by the time the run returns: nothing is left waiting in outbox/.
    assert.deepStrictEqual(await outbox.pending(), []);
    assert.deepStrictEqual(fs.readdirSync(outbox.outboxDir), []);
    // Run again: nothing left to send.
    const again = await runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    assert.strictEqual(again.accepted, 0);
    assert.strictEqual(server.messages.length, 50);
  });

  it('a row the record has as accepted whose outbox entry still waits (the run was stopped before the outbox recorded it) is recorded as sent, never sent again', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(3);
    // What a run killed right after the server accepted row 2 leaves: the journal says accepted, the entry waits in outbox/.
    const row2 = await p.renderRow(2);
    const outbox = new Outbox(outboxDir());
    const entry = await outbox.add(row2.raw, { messageId: row2.messageId, envelope: row2.envelope, subject: row2.headers.subject, merge: { id: p.mergeId, row: 2 } }, { sending: true });
    const store = await MergeStore.open(outboxDir(), p);
    store.set(2, 'accepted', { entryId: entry.id, messageId: row2.messageId, reply: '250 2.0.0 queued' });
    await store.close();
    const outcome = await runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    assert.strictEqual(outcome.accepted, 2);
    assert.deepStrictEqual(server.messages.map((m) => m.envelope.to.join(',')).sort(), ['reader1@example.com', 'reader3@example.com']);
    assert.deepStrictEqual(await outbox.pending(), [], 'row 2 no longer waits in the outbox');
    const sent = await outbox.sent();
    assert.deepStrictEqual(sent.map((e) => e.merge?.row).sort(), [1, 2, 3]);
    assert.strictEqual(sent.find((e) => e.merge?.row === 2)?.result?.response, '250 2.0.0 queued');
  });

  it('--keep-sent keeps the bytes of accepted messages', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(3);
    await runMerge(p, { target: server.target(), outboxDir: outboxDir(), keepSent: true });
    const sent = fs.readdirSync(new Outbox(outboxDir()).sentDir);
    assert.strictEqual(sent.filter((f) => f.endsWith('.eml')).length, 3);
  });

  it('a missing field stops everything before the first connection, naming the row, its line and the field', async () => {
    const server = await start({ security: 'none' });
    // No column "n": every row misses the field the body uses.
    const p = await plan(0, DOC, 'name,email\nAda,ada@example.com\nBob,bob@example.com\n');
    assert.strictEqual(p.errors.length, 2, 'both rows miss "n"');
    assert.match(p.errors[0].message, /Row 1 \(people\.csv line 2\): the field "n" used in body has no value/);
    assert.match(p.errors[1].message, /Row 2 \(people\.csv line 3\)/);
    const err = await rejectsWith(runMerge(p, { target: server.target(), outboxDir: outboxDir() }), ErrorCode.MERGE_ROW_INVALID);
    assert.match(err.message, /Nothing was sent/);
    assert.strictEqual(server.sessions.opened, 0, 'the server saw no connection');
    assert.ok(!fs.existsSync(outboxDir()), 'nothing was written');
  });

  it('an empty or bad address is an error of its row, naming the field', async () => {
    const p = await plan(0, DOC, 'name,email,n\nAda,,1\nBob,not an address,2\nCy,cy@example.com,3\n');
    assert.strictEqual(p.rows[2].errors.length, 0);
    assert.match(p.rows[0].errors[0].message, /Row 1 \(people\.csv line 2\): Invalid address|Row 1 \(people\.csv line 2\): To is empty/);
    assert.match(p.rows[1].errors[0].message, /Row 2 \(people\.csv line 3\): Invalid address "not an address" in To/);
  });

  it('a row refused for now (451) is sent again; the others are not re-sent', async () => {
    const server = await start({ security: 'none', deferRecipients: ['reader7@example.com'], deferTimes: 1 });
    const p = await plan(10);
    const outcome = await runMerge(p, { target: server.target(), outboxDir: outboxDir(), backoffMs: 50 });
    assert.strictEqual(outcome.accepted, 10);
    assert.strictEqual(server.messages.length, 10, 'each row arrived once');
    const rcpt7 = server.commands.filter((c) => c.verb === 'RCPT' && c.line.includes('reader7@'));
    assert.strictEqual(rcpt7.length, 2, 'row 7 was tried twice');
    for (const i of [1, 2, 3, 8, 10]) assert.strictEqual(server.commands.filter((c) => c.verb === 'RCPT' && c.line.includes(`reader${i}@`)).length, 1);
    const record = await readMergeRecord(outboxDir(), p.mergeId);
    assert.strictEqual(record?.rows[6].attempts, 2);
    assert.strictEqual(record?.rows[6].state, 'accepted');
    // Row 7 went again from its outbox entry: that one too keeps its record, not its bytes.
    const outbox = new Outbox(outboxDir());
    assert.deepStrictEqual(await outbox.pending(), []);
    assert.strictEqual((await outbox.sent()).length, 10);
    assert.deepStrictEqual(fs.readdirSync(outbox.sentDir).filter((f) => f.endsWith('.eml')), []);
  });

  it('a row still refused at the end of a run stays deferred; the next run sends that row alone', async () => {
    const server = await start({ security: 'none', deferRecipients: ['reader7@example.com'], deferTimes: 2 });
    const p = await plan(8);
    const first = await runMerge(p, { target: server.target(), outboxDir: outboxDir(), backoffMs: 20, maxAttempts: 2 });
    assert.strictEqual(first.accepted, 7);
    assert.strictEqual(first.deferred, 1);
    assert.strictEqual((await readMergeRecord(outboxDir(), p.mergeId))?.rows[6].state, 'deferred');
    const second = await runMerge(p, { target: server.target(), outboxDir: outboxDir(), backoffMs: 20 });
    assert.strictEqual(second.accepted, 1);
    assert.strictEqual(server.messages.length, 8);
    // The same message (its outbox entry, same Message-ID) went out again.
    const got = server.messages.find((m) => m.envelope.to[0] === 'reader7@example.com')!;
    const record = await readMergeRecord(outboxDir(), p.mergeId);
    assert.strictEqual((await parseMail(got.raw)).messageId, record?.rows[6].messageId);
  });

  it('a deferred row whose outbox entry is gone (the outbox was cleared) is composed anew on the next run', async () => {
    const server = await start({ security: 'none', deferRecipients: ['reader2@example.com'], deferTimes: 1 });
    const p = await plan(3);
    const first = await runMerge(p, { target: server.target(), outboxDir: outboxDir(), maxAttempts: 1 });
    assert.strictEqual(first.deferred, 1);
    fs.rmSync(path.join(outboxDir(), 'outbox'), { recursive: true, force: true });
    const second = await runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    assert.strictEqual(second.accepted, 1);
    assert.deepStrictEqual(server.messages.map((m) => m.envelope.to[0]).sort(), ['reader1@example.com', 'reader2@example.com', 'reader3@example.com']);
  });

  it('a value with a line break in the subject is an error of its row before anything is sent', async () => {
    const p = await plan(0, DOC, 'name,email,n\n"Ada\nBcc: x@evil.example",ada@example.com,1\n');
    assert.match(p.errors.map((e) => e.message).join('\n'), /Row 1 \(people\.csv line 2\): the subject holds a line break/);
  });

  it('a "too many messages" reply (421) slows the merge down and sends the row again without failing the merge', async () => {
    let refusals = 0;
    let mails = 0;
    const server = await start({
      security: 'none',
      serverOptions: {
        onMailFrom(_a, _session, callback) {
          if (++mails === 3 && refusals === 0) {
            refusals++;
            return callback(Object.assign(new Error('4.7.0 Too many messages, slow down'), { responseCode: 421 }));
          }
          callback();
        },
      },
    });
    const p = await plan(5);
    const logs: string[] = [];
    const outcome = await runMerge(p, {
      target: server.target(),
      outboxDir: outboxDir(),
      backoffMs: 50,
      logger: { info() {}, debug() {}, error() {}, warn: (m) => logs.push(m) },
    });
    assert.strictEqual(outcome.accepted, 5);
    assert.strictEqual(server.messages.length, 5);
    assert.strictEqual(refusals, 1);
    assert.ok(outcome.connections >= 2, `a new connection after the 421: ${JSON.stringify(outcome.record.rows[2])} ${logs.join("; ")}`);
    assert.ok(logs.some((l) => /slow down/.test(l)), logs.join('\n') + JSON.stringify(outcome.record.rows[2]));
  });

  it('two concurrent runs of the same merge never duplicate: the second is refused, naming the process', async () => {
    const server = await start({ security: 'none', delayRcptMs: 20 });
    const p = await plan(10);
    const a = runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    await server.waitFor(() => server.messages.length >= 1, 10000);
    const err = await rejectsWith(runMerge(p, { target: server.target(), outboxDir: outboxDir() }), ErrorCode.MERGE_BUSY);
    assert.match(err.message, new RegExp(`process ${process.pid}`));
    await a;
    assert.strictEqual(server.messages.length, 10);
    assert.strictEqual(new Set(server.messages.map((m) => m.envelope.to[0])).size, 10);
  });

  it('Cancel stops after the current message; resuming in the same process sends the rest, each row once', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(10);
    const controller = new AbortController();
    const first = await runMerge(p, {
      target: server.target(),
      outboxDir: outboxDir(),
      signal: controller.signal,
      onProgress: (progress) => progress.done === 3 && controller.abort(),
    });
    assert.strictEqual(first.cancelled, true);
    assert.strictEqual(first.accepted, 3);
    assert.strictEqual(server.messages.length, 3);
    // The row stored ahead of its turn is recorded as not sent, and no longer claimed by this process.
    const record = await readMergeRecord(outboxDir(), p.mergeId);
    assert.deepStrictEqual(record!.rows.slice(3).map((r) => r.state), Array(7).fill('pending'));
    assert.ok(record!.rows[3].entryId, 'row 4 was stored ahead of its turn, and keeps its entry');
    const second = await runMerge(p, { target: server.target(), outboxDir: outboxDir() });
    assert.strictEqual(second.accepted, 7);
    const recipients = server.messages.map((m) => m.envelope.to[0]);
    assert.strictEqual(recipients.length, 10);
    assert.strictEqual(new Set(recipients).size, 10);
  });

  it('--limit sends only the next N pending rows', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(5);
    await runMerge(p, { target: server.target(), outboxDir: outboxDir(), limit: 2 });
    assert.deepStrictEqual(server.messages.map((m) => m.envelope.to[0]), ['reader1@example.com', 'reader2@example.com']);
    await runMerge(p, { target: server.target(), outboxDir: outboxDir(), limit: 2 });
    assert.deepStrictEqual(server.messages.slice(2).map((m) => m.envelope.to[0]), ['reader3@example.com', 'reader4@example.com']);
  });

  it('--rate spaces the messages', async () => {
    const server = await start({ security: 'none' });
    const p = await plan(3);
    const t0 = Date.now();
    await runMerge(p, { target: server.target(), outboxDir: outboxDir(), rate: 600 });
    assert.ok(Date.now() - t0 >= 200, '3 messages at 600 per minute take at least 200 ms');
  });
});

describe('merge: the rate from the account', () => {
  it('takes the rate asked for, else the provider preset (by id or by its server), else none', () => {
    assert.strictEqual(mergeRate(undefined, { host: 'smtp.example.com', provider: 'microsoft365' }), 30);
    assert.strictEqual(mergeRate(undefined, { host: 'smtp.office365.com' }), 30);
    assert.strictEqual(mergeRate(undefined, { host: 'SMTP.Office365.com ' }), 30);
    assert.strictEqual(mergeRate(12, { host: 'smtp.office365.com', provider: 'microsoft365' }), 12);
    assert.strictEqual(mergeRate(0, { host: 'smtp.office365.com' }), 0, '--rate 0 asks for no limit');
    assert.strictEqual(mergeRate(undefined, { host: '127.0.0.1' }), undefined);
    // Gmail publishes a recipients-per-message limit, not a rate
    assert.strictEqual(mergeRate(undefined, { host: 'smtp.gmail.com', provider: 'gmail' }), undefined);
  });
});
