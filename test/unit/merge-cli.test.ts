import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planMerge } from '../../src/core/merge/plan';
import { MergeStore } from '../../src/core/merge/record';
import { Outbox } from '../../src/core/send/outbox';
import { defaultSettings } from '../../src/core/settings';
import type { Io } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { testPki } from '../support/certs';
import { parseMail } from '../support/mail';
import { projectRoot } from '../support/root';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

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

/** Every file under `dir`, relative. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('merge: the command line', function () {
  this.timeout(60000);
  let dir: string;
  const servers: TestSmtpServer[] = [];
  before(() => testPki());
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae merge cli ')));
    fs.writeFileSync(path.join(dir, 'doc.md'), DOC);
    fs.writeFileSync(path.join(dir, 'people.csv'), people(50));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env: { LANG: 'en_US.UTF-8' }, cwd: dir, stdin: stdin === undefined ? undefined : async () => stdin };
    const code = await main(args, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const smtpArgs = (server: TestSmtpServer): string[] => ['--host', server.host, '--port', String(server.port), '--security', 'none'];

  it('a dry run lists every row (recipient, subject, size) with the totals, and writes nothing', async () => {
    const before = tree(dir);
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com']);
    assert.strictEqual(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.strictEqual(lines.length, 51);
    assert.match(lines[0], /^row 1 {2}reader1@example\.com {2}"Hello Reader 1" {2}[\d.]+ KB {2}not sent$/);
    assert.match(lines[49], /^row 50 {2}reader50@example\.com {2}"Hello Reader 50"/);
    assert.match(lines[50], /^50 messages, [\d.]+ KB in all; 50 to send\. Dry run: nothing was sent or written/);
    assert.deepStrictEqual(tree(dir), before, 'nothing written');
  });

  it('--preview N writes row N\'s .eml', async () => {
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com', '--preview', '7']);
    assert.strictEqual(r.code, 0, r.err);
    const mail = await parseMail(fs.readFileSync(path.join(dir, 'doc-row7.eml')));
    assert.strictEqual(mail.subject, 'Hello Reader 7');
    assert.match(mail.text ?? '', /Your number is 7\./);
  });

  it('a missing field is an error naming the row, its line and the field; exit 2, nothing sent', async () => {
    fs.writeFileSync(path.join(dir, 'people.csv'), 'name,email,n\nAda,ada@example.com,1\nBob,,2\n');
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com', '--send', ...smtpArgs(server)]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /1 row of 2 cannot be sent; nothing was sent/);
    assert.match(r.err, /Row 2 \(people\.csv line 3\): To is empty|Row 2 \(people\.csv line 3\): Invalid address/);
    assert.strictEqual(server.sessions.opened, 0);
  });

  it('send and build refuse a merge template (placeholders and all), naming the merge command; nothing sent or written', async () => {
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    const before = tree(dir);
    for (const args of [['send', 'doc.md', '--from', 'news@example.com', '--to', 'ada@example.com', ...smtpArgs(server)], ['build', 'doc.md', '--from', 'news@example.com', '-o', 'doc.eml']]) {
      const r = await cli(args);
      assert.strictEqual(r.code, 2, `${args[0]}: ${r.err}`);
      assert.match(r.err, /doc\.md is a mail merge template \(data: people\.csv\): it is sent as one message per row/, args[0]);
      assert.match(r.err, /send-as-email merge doc\.md/, args[0]);
    }
    assert.strictEqual(server.sessions.opened, 0);
    assert.deepStrictEqual(tree(dir), before, 'nothing written');
  });

  it('--send sends; --log writes the CSV log; a second run sends nothing again', async () => {
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    fs.writeFileSync(path.join(dir, 'people.csv'), people(4));
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com', '--send', '--log', 'log.csv', ...smtpArgs(server)]);
    assert.strictEqual(r.code, 0, r.err);
    assert.strictEqual(server.messages.length, 4);
    const log = fs.readFileSync(path.join(dir, 'log.csv'), 'utf8').split('\r\n');
    assert.strictEqual(log[0], 'row,recipient,state,message_id,server_reply');
    assert.match(log[1], /^1,reader1@example\.com,accepted,<[^>]+>,250 /);
    assert.strictEqual(log.length, 6);
    const again = await cli(['merge', 'doc.md', '--from', 'news@example.com', '--send', ...smtpArgs(server)]);
    assert.strictEqual(again.code, 0, again.err);
    assert.strictEqual(server.messages.length, 4);
    assert.match(again.out, /0 accepted in this run; in all 4 of 4 accepted/);
    // The dry run now shows them as accepted.
    assert.match((await cli(['merge', 'doc.md', '--from', 'news@example.com'])).out, /row 1 .* accepted\n/);
  });

  it('a changed data file is a new merge, and the tool says so, naming the earlier one', async () => {
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    fs.writeFileSync(path.join(dir, 'people.csv'), people(2));
    await cli(['merge', 'doc.md', '--from', 'news@example.com', '--send', ...smtpArgs(server)]);
    const first = fs.readdirSync(path.join(dir, '.send-as-email', 'merges'))[0];
    fs.writeFileSync(path.join(dir, 'people.csv'), people(3));
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com']);
    assert.match(r.err, new RegExp(`This is a new merge \\([0-9a-f]+\\): the document or the data changed since merge ${first} \\(2 of 2 rows accepted\\)`));
  });

  it('--data - reads JSON from standard input (one object: a single message)', async () => {
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    fs.writeFileSync(path.join(dir, 'alert.md'), '---\nto: "{{to}}"\nsubject: "ATECenter预警{{id}}"\n---\nValue: {{value}}\n');
    const r = await cli(['merge', 'alert.md', '--data', '-', '--from', 'alerts@example.com', '--send', ...smtpArgs(server)], '{"to": "ops@example.com", "id": 12345, "value": "97.5%"}');
    assert.strictEqual(r.code, 0, r.err);
    assert.strictEqual(server.messages.length, 1);
    const mail = await parseMail(server.messages[0].raw);
    assert.strictEqual(mail.subject, 'ATECenter预警12345');
    assert.match(mail.text ?? '', /Value: 97\.5%/);
  });

  it('kill -9 after 20 accepted, then run again: the server sees each of the 50 exactly once', async () => {
    let hold: (() => void) | undefined;
    const server = await startSmtpServer({
      security: 'none',
      serverOptions: {
        // Row 21's RCPT TO is never answered: the first run is killed while it waits for it.
        onRcptTo(address, _session, callback) {
          if (address.address === 'reader21@example.com' && !hold) {
            hold = () => callback();
            return;
          }
          callback();
        },
      },
    });
    servers.push(server);
    const bin = path.join(projectRoot(), 'bin', 'send-as-email.js');
    const args = [bin, 'merge', 'doc.md', '--from', 'news@example.com', '--send', ...smtpArgs(server)];
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await server.waitFor(() => server.messages.length >= 20 && hold !== undefined, 30000, '20 accepted and row 21 waiting');
    child.kill('SIGKILL');
    assert.strictEqual(await exited, 'SIGKILL');
    assert.strictEqual(server.messages.length, 20);
    const second = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    assert.strictEqual(code, 0);
    const recipients = server.messages.map((m) => m.envelope.to.join(','));
    assert.strictEqual(recipients.length, 50);
    assert.strictEqual(new Set(recipients).size, 50, 'no row twice');
    for (let i = 1; i <= 50; i++) assert.ok(recipients.includes(`reader${i}@example.com`), `row ${i}`);
    // No row the server accepted is left waiting in the outbox (a retry from there would send it twice).
    const outbox = new Outbox(path.join(dir, '.send-as-email'));
    assert.deepStrictEqual((await outbox.pending()).map((e) => `row ${e.merge?.row}: ${e.status}`), []);
    assert.strictEqual((await outbox.sent()).length, 50);
  });

  it('a server that is down stops the run naming it; the advice is to run the merge again, not to retry an entry', async () => {
    // A port nothing listens on: a server started and closed.
    const closed = await startSmtpServer({ security: 'none' });
    const port = closed.port;
    await closed.close();
    fs.writeFileSync(path.join(dir, 'people.csv'), people(2));
    const r = await cli(['merge', 'doc.md', '--from', 'news@example.com', '--send', '--host', '127.0.0.1', '--port', String(port), '--security', 'none']);
    assert.strictEqual(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`Connection to 127\\.0\\.0\\.1:${port} was refused`));
    assert.match(r.err, /The same command sends the rows not sent yet/);
    assert.doesNotMatch(r.err, /send-as-email retry/);
    // Nothing lost: both rows are still to be sent.
    const dry = await cli(['merge', 'doc.md', '--from', 'news@example.com']);
    assert.match(dry.out, /2 to send\./);
  });

  it('retry of a merge row\'s outbox entry that the merge\'s record has as accepted refuses it as sent; nothing is sent', async () => {
    const server = await startSmtpServer({ security: 'none' });
    servers.push(server);
    fs.writeFileSync(path.join(dir, 'people.csv'), people(3));
    const settings = defaultSettings();
    settings.from = 'news@example.com';
    const p = await planMerge({ documentPath: path.join(dir, 'doc.md'), text: DOC, compose: { settings, workspaceFolders: [dir] } });
    // What a run killed right after the server accepted row 2 leaves: the journal says accepted, the entry waits.
    const row2 = await p.renderRow(2);
    const outboxDir = path.join(dir, '.send-as-email');
    const outbox = new Outbox(outboxDir);
    const entry = await outbox.add(row2.raw, { messageId: row2.messageId, envelope: row2.envelope, subject: row2.headers.subject, merge: { id: p.mergeId, row: 2 } });
    const store = await MergeStore.open(outboxDir, p);
    store.set(2, 'accepted', { entryId: entry.id, messageId: row2.messageId, reply: '250 2.0.0 queued' });
    await store.close();
    const r = await cli(['retry', entry.id, ...smtpArgs(server)]);
    assert.strictEqual(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`Outbox entry ${entry.id} \\("Hello Reader 2"\\) was already`));
    assert.strictEqual(server.sessions.opened, 0, 'nothing was sent');
    const now = await outbox.get(entry.id);
    assert.strictEqual(now?.status, 'sent');
    assert.strictEqual(now?.result?.response, '250 2.0.0 queued');
  });

  it('the built tool speaks Chinese with LANG=zh_CN: --help and a row\'s error', () => {
    const env = { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8', NODE_DISABLE_COMPILE_CACHE: '1' };
    const bin = path.join(projectRoot(), 'bin', 'send-as-email.js');
    const help = spawnSync(process.execPath, [bin, '--help'], { cwd: dir, env, encoding: 'utf8' });
    assert.match(help.stdout, /merge FILE +群发/);
    assert.match(help.stdout, /--rate N +每分钟最多 N 封/);
    fs.writeFileSync(path.join(dir, 'people.csv'), 'name,email\nAda,ada@example.com\n');
    const r = spawnSync(process.execPath, [bin, 'merge', 'doc.md', '--from', 'news@example.com'], { cwd: dir, env, encoding: 'utf8' });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /第 1 行（people\.csv 第 2 行）：body 中使用的字段“n”没有值。/);
  });

  it('--help names the merge command and its flags', async () => {
    const r = await cli(['--help']);
    assert.match(r.out, /merge FILE/);
    for (const flag of ['--data FILE', '--preview N', '--send', '--limit N', '--rate N', '--log FILE', '--keep-sent']) assert.ok(r.out.includes(flag), flag);
  });
});
