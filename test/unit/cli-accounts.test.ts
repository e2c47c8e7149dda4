// The command-line tool's accounts: `send-as-email accounts`, --account for send and retry, --auth, --token-command
// and SEND_AS_EMAIL_ACCESS_TOKEN, end to end against real SMTP servers (the tool run in-process, and once as the
// built npm bin).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/io';
import { assertNoLeak, credentialLeaks } from '../support/leaks';
import { parseMail } from '../support/mail';
import { projectRoot } from '../support/root';
import { startSmtpServer, unusedPort, type TestSmtpServer } from '../support/smtp';

const PASSWORD = 'cli-accounts-pa55word';
const SCRIPT = path.join(projectRoot(), 'test', 'fixtures', 'token command', 'print-token.js');

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every file below `dir`, as text. */
function allText(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'latin1'));
}

describe('command-line tool: accounts', function () {
  this.timeout(30000);
  let ws: string;
  const servers: TestSmtpServer[] = [];
  const counter = (): string => path.join(ws, 'runs.txt');
  /** The fixture as a shell command line (paths with spaces, quoted). */
  const shellCommand = (mode = 'plain'): string => `"${process.execPath}" "${SCRIPT}" "${counter()}" ${mode}`;

  function writeSettings(accounts: unknown[], extra: Record<string, unknown> = {}, name = 'settings.json'): string {
    const file = path.join(ws, name);
    fs.writeFileSync(file, JSON.stringify({ 'sendAsEmail.accounts': accounts, ...extra }, null, 2));
    return file;
  }
  const accountFor = (name: string, s: TestSmtpServer, more: Record<string, unknown> = {}) => ({
    name,
    host: s.host,
    port: s.port,
    security: s.security,
    user: `${name}@example.com`,
    from: `${name}@example.com`,
    caFile: s.caFile,
    ...more,
  });

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sae cli accounts '));
    fs.writeFileSync(path.join(ws, 'note.md'), '---\nsubject: Hello\nto: bob@example.com\n---\n\nHello.\n');
    fs.writeFileSync(path.join(ws, 'home.md'), '---\naccount: home\nsubject: From home\nto: bob@example.com\n---\n\nHello.\n');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('accounts lists name, server, security, user and login of each account, the default marked, and no secret (the built bin)', () => {
    const settings = writeSettings(
      [
        { name: 'work', provider: 'microsoft365', user: 'ada@work.example', oauth2: { tokenCommand: ['oama', 'access', 'ada@work.example', '--secret-file', '/home/ada/.oama-secret'] } },
        { name: 'home', provider: 'qq', user: '12345@qq.com' },
      ],
      { 'sendAsEmail.defaultAccount': 'home', 'sendAsEmail.smtp.host': 'mail.example.com', 'sendAsEmail.smtp.user': 'legacy@example.com' },
    );
    const bin = path.join(projectRoot(), 'bin', 'send-as-email.js');
    const out = execFileSync(process.execPath, [bin, 'accounts', '--settings', settings], { encoding: 'utf8', env: { ...process.env, LANG: 'C', LC_ALL: 'C' } });
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0], /^ +work\s+smtp\.office365\.com:587\s+starttls\s+ada@work\.example\s+oauth2 \(token command\)\s+microsoft365$/);
    assert.match(lines[1], /^\* +home\s+smtp\.qq\.com:465\s+tls\s+12345@qq\.com\s+password\s+qq$/);
    assert.match(lines[2], /^ +\(smtp settings\)\s+mail\.example\.com:587\s+starttls\s+legacy@example\.com\s+password$/);
    assert.match(lines[3], /^\* the account a document that names none is sent with/);
    assert.ok(!out.includes('oama') && !out.includes('secret-file'), out);
  });

  it("send picks the document's account: and --account picks another; each message goes to its account's server", async () => {
    const work = await startSmtpServer({ security: 'starttls', users: { 'work@example.com': PASSWORD } });
    const home = await startSmtpServer({ security: 'starttls', users: { 'home@example.com': PASSWORD } });
    servers.push(work, home);
    const settings = writeSettings([accountFor('work', work), accountFor('home', home)], { 'sendAsEmail.defaultAccount': 'work' });
    const env = { SEND_AS_EMAIL_PASSWORD: PASSWORD };

    const byDocument = await run(['send', 'home.md', '--settings', settings], ws, env);
    assert.strictEqual(byDocument.code, 0, byDocument.err);
    const atHome = await home.nextMessage();
    assert.strictEqual(atHome.user, 'home@example.com');
    assert.strictEqual((await parseMail(atHome.raw)).from?.text, 'home@example.com');

    const byDefault = await run(['send', 'note.md', '--settings', settings], ws, env);
    assert.strictEqual(byDefault.code, 0, byDefault.err);
    assert.strictEqual((await work.nextMessage()).user, 'work@example.com');

    const byFlag = await run(['send', 'home.md', '--settings', settings, '--account', 'work'], ws, env);
    assert.strictEqual(byFlag.code, 0, byFlag.err);
    const atWork = await work.nextMessage();
    assert.strictEqual((await parseMail(atWork.raw)).from?.text, 'work@example.com');
    assert.strictEqual(home.messages.length, 1);
  });

  it('the SMTP flags win over the account\'s own server, as they win over the settings file', async () => {
    const port = await unusedPort();
    const live = await startSmtpServer({ security: 'starttls', users: { 'work@example.com': PASSWORD } });
    servers.push(live);
    const settings = writeSettings([{ ...accountFor('work', live), port, security: 'none' }], { 'sendAsEmail.defaultAccount': 'work' });
    const r = await run(['send', 'note.md', '--settings', settings, '--port', String(live.port), '--security', 'starttls'], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
    assert.strictEqual(r.code, 0, r.err);
    const got = await live.nextMessage();
    assert.deepStrictEqual([got.user, got.secure], ['work@example.com', true]);
  });

  it('an unknown --account exits 2 naming the accounts there are, before anything is sent', async () => {
    const settings = writeSettings([{ name: 'work', host: 'smtp.example.com' }, { name: 'home', host: 'smtp.example.org' }]);
    const r = await run(['send', 'note.md', '--settings', settings, '--account', 'personal'], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /No account named "personal": sendAsEmail\.accounts has "work", "home"\./);
    assert.ok(allText(path.join(ws, '.send-as-email')).length === 0);
  });

  it('--auth oauth2 --token-command signs in with XOAUTH2; the token is in no output, log or outbox file', async () => {
    const server = await startSmtpServer({ security: 'tls', tokens: { 'work@example.com': 'token-1' }, authMethods: ['XOAUTH2'] });
    servers.push(server);
    const settings = writeSettings([accountFor('work', server)]);
    const r = await run(['send', 'note.md', '--settings', settings, '--auth', 'oauth2', '--token-command', shellCommand(), '--verbose'], ws);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(server.auths.map((a) => [a.method, a.success]), [['XOAUTH2', true]]);
    assert.match(r.err, /C: AUTH XOAUTH2/, 'the verbose transcript shows the method');
    const leaks = credentialLeaks('work@example.com', undefined, 'token-1');
    assertNoLeak('stdout', r.out, leaks);
    assertNoLeak('stderr', r.err, leaks);
    for (const text of allText(path.join(ws, '.send-as-email'))) assertNoLeak('an outbox file', text, leaks);
  });

  it("SEND_AS_EMAIL_ACCESS_TOKEN is used, and refreshed once through the account's oauth2.tokenCommand when refused", async () => {
    const server = await startSmtpServer({ security: 'tls', tokens: { 'work@example.com': 'token-1' }, authMethods: ['XOAUTH2'] });
    servers.push(server);
    const plain = writeSettings([accountFor('work', server, { auth: 'oauth2' })]);
    const ok = await run(['send', 'note.md', '--settings', plain], ws, { SEND_AS_EMAIL_ACCESS_TOKEN: 'token-1' });
    assert.strictEqual(ok.code, 0, ok.err);

    const withCommand = writeSettings([accountFor('work', server, { auth: 'oauth2', oauth2: { tokenCommand: [process.execPath, SCRIPT, counter()] } })], {}, 'with-command.json');
    const refreshed = await run(['send', 'note.md', '--settings', withCommand], ws, { SEND_AS_EMAIL_ACCESS_TOKEN: 'stale-token' });
    assert.strictEqual(refreshed.code, 0, refreshed.err);
    assert.strictEqual(fs.readFileSync(counter(), 'utf8'), '1', 'the command ran once, for the fresh token');
    assert.deepStrictEqual(server.auths.map((a) => a.success), [true, false, true]);
    await server.nextMessage();
    await server.nextMessage();

    const none = await run(['send', 'note.md', '--settings', plain], ws, {});
    assert.strictEqual(none.code, 2, none.err);
    assert.match(none.err, /No access token for work@example\.com at 127\.0\.0\.1:\d+: use --token-command.*SEND_AS_EMAIL_ACCESS_TOKEN/);
  });

  it('a failing --token-command exits 1 naming the command and quoting its stderr; nothing is sent', async () => {
    const server = await startSmtpServer({ security: 'tls', tokens: { 'work@example.com': 'token-1' }, authMethods: ['XOAUTH2'] });
    servers.push(server);
    const settings = writeSettings([accountFor('work', server, { auth: 'oauth2' })]);
    const r = await run(['send', 'note.md', '--settings', settings, '--token-command', shellCommand('fail')], ws);
    assert.strictEqual(r.code, 1);
    assert.ok(r.err.includes(`The token command "${shellCommand('fail')}" failed with exit code 3: ERROR: no refresh token`), r.err);
    assert.strictEqual(server.messages.length, 0);
    assert.strictEqual(server.auths.length, 0);
  });

  it('retry --account sends a kept message through the account named', async () => {
    const port = await unusedPort();
    const server = await startSmtpServer({ security: 'starttls', users: { 'work@example.com': PASSWORD } });
    servers.push(server);
    const settings = writeSettings([{ name: 'down', host: '127.0.0.1', port, security: 'none' }, accountFor('work', server)], { 'sendAsEmail.from': 'ada@example.com' });
    const failed = await run(['send', 'note.md', '--settings', settings, '--account', 'down'], ws);
    assert.strictEqual(failed.code, 1);
    const id = /send-as-email retry (\S+)/.exec(failed.err)?.[1];
    assert.ok(id, failed.err);
    const again = await run(['retry', id, '--settings', settings, '--account', 'work'], ws, { SEND_AS_EMAIL_PASSWORD: PASSWORD });
    assert.strictEqual(again.code, 0, again.err);
    assert.strictEqual((await server.nextMessage()).user, 'work@example.com');
  });

  it('retry without --account uses the account the message was sent with, recorded (and hashed) in the outbox entry', async () => {
    const work = await startSmtpServer({ security: 'starttls', users: { 'work@example.com': PASSWORD },  });
    const home = await startSmtpServer({ security: 'starttls', users: { 'home@example.com': PASSWORD }, deferRecipients: ['bob@example.com', 'carol@example.com'], deferTimes: 1 });
    servers.push(work, home);
    const settings = writeSettings([accountFor('work', work), accountFor('home', home)], { 'sendAsEmail.defaultAccount': 'work' });
    const env = { SEND_AS_EMAIL_PASSWORD: PASSWORD };
    const first = await run(['send', 'home.md', '--settings', settings], ws, env);
    assert.strictEqual(first.code, 1, first.err);
    const id = /send-as-email retry (\S+)/.exec(first.out + first.err)?.[1];
    assert.ok(id, first.out + first.err);
    const record = JSON.parse(fs.readFileSync(path.join(ws, '.send-as-email', 'outbox', `${id}.json`), 'utf8')) as { account?: string };
    assert.strictEqual(record.account, 'home');
    const again = await run(['retry', id, '--settings', settings], ws, env);
    assert.strictEqual(again.code, 0, again.err);
    assert.strictEqual((await home.nextMessage()).user, 'home@example.com');
    assert.strictEqual(work.messages.length, 0, 'the retry went to the default account');
    // The account is covered by the record's hash: an edited one is refused, not routed elsewhere.
    const second = await run(['send', 'home.md', '--settings', settings, '--to', 'carol@example.com'], ws, env);
    const id2 = /send-as-email retry (\S+)/.exec(second.out + second.err)?.[1];
    assert.ok(id2, second.out + second.err);
    const file = path.join(ws, '.send-as-email', 'outbox', `${id2}.json`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"account": "home"', '"account": "work"'));
    const edited = await run(['retry', id2, '--settings', settings], ws, env);
    assert.strictEqual(edited.code, 2, edited.err);
    assert.match(edited.err, /was changed after it was written/);
    assert.strictEqual(work.messages.length, 0);
  });

  it('--help names the accounts command and the account, auth and token flags', async () => {
    const r = await run(['--help'], ws);
    for (const flag of ['accounts', '--account NAME', '--auth password|oauth2', '--token-command CMD', 'SEND_AS_EMAIL_ACCESS_TOKEN']) assert.ok(r.out.includes(flag), flag);
    const bad = await run(['send', 'note.md', '--auth', 'token'], ws);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /--auth must be "password" or "oauth2", got "token"/);
  });
});
