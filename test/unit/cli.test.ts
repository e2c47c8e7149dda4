import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Io } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { Outbox } from '../../src/core/send/outbox';
import { parseMail } from '../support/mail';
import { projectRoot } from '../support/root';
import { startSmtpServer, unusedPort, type TestSmtpServer } from '../support/smtp';

const PASSWORD = 'cli-s3cret-Pa55';

/** Runs the CLI in-process and captures what it prints. */
async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAAhBAMBWN3kQQAAAABJRU5ErkJggg==',
  'base64',
);

describe('command-line tool', function () {
  this.timeout(30000);
  let ws: string;

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-'));
    fs.mkdirSync(path.join(ws, 'img'));
    fs.writeFileSync(path.join(ws, 'img', 'dot.png'), PNG);
    fs.writeFileSync(
      path.join(ws, 'note.md'),
      '---\nsubject: Status\nfrom: \'"Ada" <ada@example.com>\'\nto: [grace@example.com, bob@example.com]\n---\n\n# Status\n\n![dot](img/dot.png) and again ![dot](img/dot.png)\n',
    );
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('prints usage for --help (exit 0) and refuses an unknown command (exit 2)', async () => {
    const help = await run(['--help'], ws);
    assert.strictEqual(help.code, 0);
    assert.match(help.out, /send-as-email <command>/);
    const bad = await run(['frobnicate'], ws);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /Unknown command "frobnicate"/);
  });

  it('the npm bin runs: send-as-email --help', () => {
    const root = projectRoot();
    const out = execFileSync(process.execPath, [path.join(root, 'bin', 'send-as-email.js'), '--help'], { encoding: 'utf8' });
    assert.match(out, /Usage: send-as-email/);
  });

  it('build writes a CRLF .eml with one inline part for a twice-referenced image', async () => {
    const out = path.join(ws, 'out.eml');
    const r = await run(['build', 'note.md', '-o', out, '--cc', 'carol@example.com'], ws);
    assert.strictEqual(r.code, 0, r.err);
    const raw = fs.readFileSync(out);
    assert.ok(!/[^\r]\n/.test(raw.toString('latin1')), 'bare LF in the .eml');
    const mail = await parseMail(raw);
    assert.strictEqual(mail.subject, 'Status');
    assert.strictEqual(mail.attachments.filter((a) => a.contentId).length, 1);
    assert.match(String((mail.cc as { text: string }).text), /carol@example\.com/);
  });

  it('build with a missing image exits 2, names the file and line, and writes nothing', async () => {
    fs.appendFileSync(path.join(ws, 'note.md'), '\n![gone](img/gone.png)\n');
    const r = await run(['build', 'note.md'], ws);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /img\/gone\.png/);
    assert.match(r.err, /line 11/);
    assert.ok(!fs.existsSync(path.join(ws, 'note.eml')));
  });

  it('build --to keeps a display name with a comma whole ("Lovelace, Ada"), and a flag may hold several addresses', async () => {
    const out = path.join(ws, 'names.eml');
    const r = await run(['build', 'note.md', '-o', out, '--to', '"Lovelace, Ada" <ada@example.com>, bob@example.com', '--to', 'carol@example.com'], ws);
    assert.strictEqual(r.code, 0, r.err);
    const mail = await parseMail(fs.readFileSync(out));
    const to = (Array.isArray(mail.to) ? mail.to : [mail.to!]).flatMap((a) => a.value);
    assert.deepStrictEqual(to.map((a) => [a.name, a.address]), [['Lovelace, Ada', 'ada@example.com'], ['', 'bob@example.com'], ['', 'carol@example.com']]);
  });

  it('send checks the SMTP settings before composing: no --host is named even when an image is missing', async () => {
    fs.appendFileSync(path.join(ws, 'note.md'), '\n![gone](img/gone.png)\n');
    const r = await run(['send', 'note.md'], ws);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /No SMTP server given/);
    assert.doesNotMatch(r.err, /gone\.png/);
  });

  it('refuses SMTP flags outside what the settings allow, naming the flag, the setting and the allowed values', async () => {
    const cases: [string[], RegExp][] = [
      [['--port', '70000'], /--port: .*sendAsEmail\.smtp\.port.* from 1 to 65535, got 70000/],
      [['--port', 'abc'], /--port: .*sendAsEmail\.smtp\.port.*"abc"/],
      [['--security', 'ssl'], /--security: .*"starttls", "tls", "none".*"ssl"/],
      [['--timeout', '0'], /--timeout: .*sendAsEmail\.smtp\.timeoutSeconds.* from 1 to 3600, got 0/],
      [['--timeout', '3000000'], /--timeout: .*sendAsEmail\.smtp\.timeoutSeconds.* from 1 to 3600, got 3000000/],
    ];
    for (const [flags, message] of cases) {
      const r = await run(['send', 'note.md', '--host', '127.0.0.1', ...flags], ws);
      assert.strictEqual(r.code, 2, flags.join(' '));
      assert.match(r.err, message);
    }
  });

  it('demo with a file that does not exist exits 2 naming it, before any server starts', async () => {
    const r = await run(['demo', 'nosuch.md'], ws);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /Cannot read .*nosuch\.md/);
    assert.ok(!fs.existsSync(path.join(ws, '.demo')), 'the demo started although its file is missing');
  });

  it('refuses --password (shell history) and a user without SEND_AS_EMAIL_PASSWORD, before connecting', async () => {
    const r1 = await run(['send', 'note.md', '--host', '127.0.0.1', '--password', 'x'], ws);
    assert.strictEqual(r1.code, 2);
    assert.match(r1.err, /SEND_AS_EMAIL_PASSWORD/);
    const port = await unusedPort();
    const r2 = await run(['send', 'note.md', '--host', '127.0.0.1', '--port', String(port), '--user', 'ada'], ws);
    assert.strictEqual(r2.code, 2);
    assert.match(r2.err, /SEND_AS_EMAIL_PASSWORD/);
    assert.ok(!fs.existsSync(path.join(ws, '.send-as-email', 'outbox')) || fs.readdirSync(path.join(ws, '.send-as-email', 'outbox')).length === 0);
  });

  describe('send', () => {
    let server: TestSmtpServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    function smtpArgs(s: TestSmtpServer): string[] {
      return ['--host', s.host, '--port', String(s.port), '--security', s.security, '--ca-file', s.caFile, '--user', 'ada'];
    }

    it('delivers over STARTTLS with AUTH (exit 0): the bytes that arrive are the outbox bytes', async () => {
      server = await startSmtpServer({ security: 'starttls', users: { ada: PASSWORD } });
      const r = await run(['send', 'note.md', ...smtpArgs(server)], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
      assert.strictEqual(r.code, 0, r.err);
      assert.match(r.out, /accepted\s+grace@example\.com/);
      assert.match(r.out, /accepted\s+bob@example\.com/);
      const got = await server.nextMessage();
      assert.ok(got.secure, 'message did not travel over TLS');
      const outbox = new Outbox(path.join(ws, '.send-as-email'));
      const sent = await outbox.sent();
      assert.strictEqual(sent.length, 1);
      const kept = await outbox.readRaw(sent[0]!.id);
      assert.ok(got.raw.equals(kept), 'received bytes differ from the outbox copy');
      assert.ok(!r.out.includes(PASSWORD) && !r.err.includes(PASSWORD));
    });

    it('partial delivery exits 3 and names the refused address', async () => {
      server = await startSmtpServer({ security: 'starttls', users: { ada: PASSWORD }, rejectRecipients: ['bob@example.com'] });
      const r = await run(['send', 'note.md', ...smtpArgs(server)], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
      assert.strictEqual(r.code, 3, r.err);
      assert.match(r.out, /refused\s+bob@example\.com\s+550/);
      assert.match(r.out, /accepted\s+grace@example\.com/);
    });

    it('sending an unchanged document again after a failure leaves one waiting entry, not a pile of copies', async () => {
      const smtp = ['--host', '127.0.0.1', '--port', String(await unusedPort()), '--security', 'none'];
      assert.strictEqual((await run(['send', 'note.md', ...smtp], ws)).code, 1);
      assert.strictEqual((await run(['send', path.join(ws, 'note.md'), ...smtp], ws)).code, 1);
      const third = await run(['send', 'note.md', ...smtp], ws);
      const id = /send-as-email retry (\S+)/.exec(third.err)?.[1];
      const list = await run(['outbox'], ws);
      assert.deepStrictEqual(list.out.split('\n').map((l) => l.split(' ')[0]), [id], list.out);
      fs.appendFileSync(path.join(ws, 'note.md'), '\nOne more line.\n');
      assert.strictEqual((await run(['send', 'note.md', ...smtp], ws)).code, 1);
      assert.strictEqual((await run(['outbox'], ws)).out.split('\n').length, 2, 'a changed document replaced the older message');
    });

    it('a cut-short outbox record: outbox lists it as unreadable by file name, retry says what is wrong (exit 2)', async () => {
      const port = await unusedPort();
      await run(['send', 'note.md', '--host', '127.0.0.1', '--port', String(port), '--security', 'none'], ws);
      const dir = path.join(ws, '.send-as-email', 'outbox');
      const record = fs.readdirSync(dir).find((f) => f.endsWith('.json'))!;
      const id = record.slice(0, -'.json'.length);
      fs.writeFileSync(path.join(dir, record), fs.readFileSync(path.join(dir, record), 'utf8').slice(0, 40));
      const list = await run(['outbox'], ws);
      assert.strictEqual(list.code, 0, list.err);
      assert.ok(list.out.includes(`${id}  (unreadable: The record ${path.join(dir, record)} of outbox entry ${id} cannot be read`), list.out);
      server = await startSmtpServer({ security: 'none' });
      const again = await run(['retry', id, '--host', server.host, '--port', String(server.port), '--security', 'none'], ws);
      assert.strictEqual(again.code, 2, again.err);
      assert.match(again.err, /cannot be read: it is not valid JSON .*cut short/);
      assert.ok(again.err.includes(path.join(dir, record)), again.err);
      assert.strictEqual(server.sessions.opened, 0);
    });

    it('a recipient refused for now (451) exits 3, is named as deferred with how to retry, and retry reaches it alone', async () => {
      server = await startSmtpServer({ security: 'starttls', users: { ada: PASSWORD }, deferRecipients: ['bob@example.com'], deferTimes: 1 });
      const env = { SEND_AS_EMAIL_PASSWORD: PASSWORD };
      const r = await run(['send', 'note.md', ...smtpArgs(server)], ws, env);
      assert.strictEqual(r.code, 3, r.err);
      assert.match(r.out, /accepted\s+grace@example\.com/);
      assert.match(r.out, /deferred\s+bob@example\.com\s+451 4\.2\.0/);
      const entryId = /send-as-email retry (\S+)/.exec(r.out)?.[1];
      assert.ok(entryId, `the output does not say how to reach the deferred recipient: ${r.out}`);
      assert.match(r.out, /refused bob@example\.com for now/);
      const list = await run(['outbox'], ws);
      assert.match(list.out, new RegExp(`^${entryId}\\s+Status.*partly delivered, waiting for bob@example\\.com`, 'm'));

      const again = await run(['retry', entryId, ...smtpArgs(server)], ws, env);
      assert.strictEqual(again.code, 0, again.err);
      assert.match(again.out, /accepted\s+bob@example\.com/);
      assert.doesNotMatch(again.out, /grace@example\.com/);
      await server.waitFor(() => server!.messages.length === 2, 5000, 'the retried message');
      assert.deepStrictEqual(server.messages.map((m) => m.envelope.to), [['grace@example.com'], ['bob@example.com']]);
      assert.ok(server.messages[1]!.raw.equals(server.messages[0]!.raw), 'the retry sent other bytes');
    });

    it('a message accepted while sent/ cannot be written is listed as accepted, record incomplete, and retry refuses it', async () => {
      server = await startSmtpServer({ security: 'none' });
      const smtp = ['--host', server.host, '--port', String(server.port), '--security', 'none'];
      fs.mkdirSync(path.join(ws, '.send-as-email'));
      fs.writeFileSync(path.join(ws, '.send-as-email', 'sent'), 'not a folder');
      const r = await run(['send', 'note.md', ...smtp], ws);
      assert.strictEqual(r.code, 0, r.err);
      assert.match(r.err, /record in sent\/ could not be written/);
      const list = await run(['outbox'], ws);
      const id = /^(\S+)\s+Status.*accepted, record incomplete/m.exec(list.out)?.[1];
      assert.ok(id, `outbox does not list the entry as accepted: ${list.out}`);
      assert.doesNotMatch(list.out, /waiting/);
      const again = await run(['retry', id, ...smtp], ws);
      assert.strictEqual(again.code, 2, again.err);
      assert.match(again.err, /accepted by the server.*not sent again/);
      assert.strictEqual(server.messages.length, 1);
    });

    it('a connection lost after the final dot: the error says the message may have been delivered, outbox lists "delivery unknown"', async () => {
      server = await startSmtpServer({ security: 'none', data: 'hangup' });
      const r = await run(['send', 'note.md', '--host', server.host, '--port', String(server.port), '--security', 'none'], ws);
      assert.strictEqual(r.code, 1);
      assert.match(r.err, /may have been delivered: check whether it arrived/);
      assert.match(r.err, /if it did not arrive, send-as-email retry \S+ resends/);
      const list = await run(['outbox'], ws);
      assert.match(list.out, /^\S+\s+Status.*\(delivery unknown: the server may have it, check before retrying\)/m);
    });

    it('all recipients refused exits 1', async () => {
      server = await startSmtpServer({ security: 'starttls', users: { ada: PASSWORD }, rejectRecipients: ['bob@example.com', 'grace@example.com'] });
      const r = await run(['send', 'note.md', ...smtpArgs(server)], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
      assert.strictEqual(r.code, 1);
      assert.match(r.out + r.err, /bob@example\.com/);
    });

    it('a wrong password exits 1 with an authentication error that never shows the password', async () => {
      server = await startSmtpServer({ security: 'starttls', users: { ada: PASSWORD } });
      const r = await run(['send', 'note.md', ...smtpArgs(server)], ws, { SEND_AS_EMAIL_PASSWORD: 'wrong-one-123' });
      assert.strictEqual(r.code, 1);
      assert.match(r.err, /auth|password|535/i);
      assert.ok(!r.err.includes('wrong-one-123'));
      assert.strictEqual(server.messages.length, 0);
    });

    it('connection refused keeps the message in the outbox; outbox lists it and retry resends the same bytes', async () => {
      const port = await unusedPort();
      const r = await run(['send', 'note.md', '--host', '127.0.0.1', '--port', String(port), '--security', 'none'], ws);
      assert.strictEqual(r.code, 1);
      assert.match(r.err, new RegExp(`127\\.0\\.0\\.1:${port}`));
      const list = await run(['outbox'], ws);
      const id = /^(\S+)\s+Status/m.exec(list.out)?.[1];
      assert.ok(id, `outbox did not list the message: ${list.out}`);
      assert.ok(r.err.includes(`send-as-email retry ${id}`), `the failure does not say how to retry: ${r.err}`);
      const kept = await new Outbox(path.join(ws, '.send-as-email')).readRaw(id);

      server = await startSmtpServer({ security: 'none' });
      const again = await run(['retry', id, '--host', server.host, '--port', String(server.port), '--security', 'none'], ws);
      assert.strictEqual(again.code, 0, again.err);
      const got = await server.nextMessage();
      assert.ok(got.raw.equals(kept), 'retry did not resend the exact bytes');
      const twice = await run(['retry', id, '--host', server.host, '--port', String(server.port), '--security', 'none'], ws);
      assert.strictEqual(twice.code, 2, 'a sent message was accepted for a second send');
      assert.strictEqual(server.messages.length, 1);
    });
  });

  it('demo: sends the bundled example to its own loopback server and exits 0 with every cid resolved', async () => {
    const r = await run(['demo'], ws);
    assert.strictEqual(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /Demo OK/);
    assert.match(r.out, /multipart\/related/);
    const inbox = path.join(ws, '.demo', 'inbox');
    const files = fs.readdirSync(inbox);
    assert.strictEqual(files.length, 1);
    const mail = await parseMail(fs.readFileSync(path.join(inbox, files[0]!)));
    assert.strictEqual(mail.subject, '测试邮件 — Welcome to Send as Email');
    // logo, paper, chart and the SVG badge (sent as a PNG, issue 14).
    assert.strictEqual(mail.attachments.filter((a) => a.contentId).length, 4);
  });

  it('the built tool leaves the demo packages to dist/cli-demo.js: build loads dist/cli.js alone, demo loads both', () => {
    const dist = path.join(projectRoot(), 'dist');
    // A sentence of smtp-server's own: its code is in the demo's bundle, not in the one every command parses.
    const smtpServerText = 'Too many connected clients';
    assert.ok(!fs.readFileSync(path.join(dist, 'cli.js'), 'utf8').includes(smtpServerText), 'dist/cli.js carries smtp-server');
    assert.ok(fs.readFileSync(path.join(dist, 'cli-demo.js'), 'utf8').includes(smtpServerText), 'dist/cli-demo.js lacks smtp-server');
    const loaded = (args: string[]): { code: number; files: string[] } => {
      const script =
        `require(${JSON.stringify(path.join(dist, 'cli.js'))}).main(${JSON.stringify(args)}, { out() {}, err() {}, env: process.env, cwd: process.cwd() })` +
        '.then((code) => console.log(JSON.stringify({ code, files: Object.keys(require.cache) })))';
      return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ws, encoding: 'utf8', timeout: 30_000 })) as { code: number; files: string[] };
    };
    const build = loaded(['build', 'note.md']);
    assert.strictEqual(build.code, 0);
    assert.deepStrictEqual(build.files.map((f) => path.relative(dist, f)), ['cli.js']);
    const demo = loaded(['demo']);
    assert.strictEqual(demo.code, 0);
    // The example has a code block and an SVG: their renderers load then, and only then (build above did not).
    assert.deepStrictEqual(demo.files.map((f) => path.relative(dist, f)).sort(), ['cli-demo.js', 'cli.js', 'code-highlight.js', 'svg-render.js']);
  });

  it('demo from the built bundle, as npm run demo runs it: exit 0, the received .eml, no process left behind', () => {
    const root = projectRoot();
    const cli = path.join(root, 'dist', 'cli.js');
    // execFileSync returns only when the process has exited: a server left listening would hang it (and time out).
    const out = execFileSync(process.execPath, [cli, 'demo'], { cwd: ws, encoding: 'utf8', timeout: 30_000 });
    assert.match(out, /Demo OK/);
    assert.match(out, /Content-ID <[0-9a-f]{16}@example\.com>/);
    const files = fs.readdirSync(path.join(ws, '.demo', 'inbox'));
    assert.strictEqual(files.length, 1);
    assert.match(out, new RegExp(files[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
