/**
 * `send-as-email demo`: the whole product on a machine without an SMTP account.
 * Starts an SMTP server (smtp-server, AUTH required) on a free loopback port, sends
 * examples/welcome.md through the real path (compose, settings, outbox, deliver, with the
 * password handed over in SEND_AS_EMAIL_PASSWORD as the CLI takes it), writes what arrived to
 * .demo/inbox/<id>.eml, parses it back with mailparser and reports. Exit 0 only if the message
 * arrived and every cid: in its HTML resolves to an inline part.
 */
import * as l10n from '@vscode/l10n';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { ExitCode } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { composeMessage } from '../../core/message/compose';
import { deliver } from '../../core/send/deliver';
import { Outbox } from '../../core/send/outbox';
import { readSource } from '../document';
import { cliLogger, type Io } from '../io';
import { PASSWORD_ENV, type CliOptions } from '../options';
import { printRecipients } from '../print';
import { smtpTarget } from '../smtpTarget';

interface Received {
  raw: Buffer;
  from: string;
  to: string[];
  user?: string;
}

export async function runDemo(opts: CliOptions, io: Io): Promise<number> {
  const root = findProjectRoot(__dirname);
  // Read (and checked: exists, .md or .html) before the server starts, like every other command's input.
  const source = readSource(opts.positionals[0] ?? path.join(root, 'examples', 'welcome.md'), io.cwd);
  const example = source.path;
  const demoDir = path.join(io.cwd, '.demo');
  const inbox = path.join(demoDir, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });

  const { SMTPServer } = await import('./demoPackages');
  const user = 'demo';
  const password = randomBytes(12).toString('base64url');
  const received: Received[] = [];
  const server = new SMTPServer({
    name: 'demo.send-as-email.local',
    banner: 'Send as Email demo server',
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true, // loopback only: the client refuses plaintext AUTH anywhere else
    disabledCommands: ['STARTTLS'],
    size: 25 * 1024 * 1024,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) cb(null, { user });
      else cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
        });
        cb(null, `2.0.0 Ok: queued as demo-${received.length}`);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  try {
    io.out(l10n.t('Send as Email demo'));
    io.out(l10n.t('  SMTP server   127.0.0.1:{0} (AUTH PLAIN/LOGIN as "{1}", loopback only)', port, user));
    io.out(l10n.t('  document      {0}', path.relative(io.cwd, example) || example));
    // The demo's own loopback server, whatever accounts the settings name.
    const settings = { ...opts.settings, accounts: [], defaultAccount: '' };
    settings.smtp = { ...settings.smtp, host: '127.0.0.1', port, security: 'none', user, timeoutSeconds: 10 };
    const overrides = { ...opts.overrides, account: undefined };
    const composed = await composeMessage(source, { settings, workspaceFolders: [path.dirname(example)], overrides });
    const env = { ...io.env, [PASSWORD_ENV]: password };
    const target = await smtpTarget({ ...opts, settings, smtpFlags: {}, account: undefined, auth: 'password' }, { env, cwd: io.cwd });
    const outbox = new Outbox(path.join(demoDir, 'mail'));
    const t0 = process.hrtime.bigint();
    const { result, entryId } = await deliver(
      { raw: composed.raw, messageId: composed.messageId, envelope: composed.envelope, subject: composed.headers.subject, source: example },
      target,
      outbox,
      { logger: cliLogger(io, opts.verbose) },
    );
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;

    io.out(l10n.t('  subject       {0}', composed.headers.subject));
    io.out(l10n.t('  from          {0}', composed.headers.from));
    io.out('');
    io.out(l10n.t("Recipients (server's answer, {0} ms):", ms.toFixed(0)));
    printRecipients(result.accepted, result.rejected, io, '  ');
    io.out(`  ${result.response}`);

    const got = received[received.length - 1];
    if (!got) {
      io.err(l10n.t('error: the server accepted the message but nothing arrived.'));
      return ExitCode.FAILED;
    }
    const file = path.join(inbox, `${safeName(composed.messageId)}.eml`);
    fs.writeFileSync(file, got.raw);
    const sentRecord = (await outbox.sent()).some((e) => e.id === entryId);

    const check = await inspect(got.raw);
    io.out('');
    const [size, bytes] = [formatBytes(got.raw.length), got.raw.length];
    if (got.raw.equals(composed.raw)) io.out(l10n.t('Message: {0} ({1} bytes), byte-identical to the outbox copy: yes', size, bytes));
    else io.out(l10n.t('Message: {0} ({1} bytes), byte-identical to the outbox copy: NO', size, bytes));
    io.out(l10n.t('MIME tree:'));
    for (const line of check.tree) io.out(`  ${line}`);
    io.out('');
    io.out(l10n.t('Received file:  {0}', path.relative(io.cwd, file)));
    const outboxDir = path.relative(io.cwd, outbox.dir);
    io.out(sentRecord ? l10n.t('Outbox record:  moved to sent/ ({0})', outboxDir) : l10n.t('Outbox record:  NOT in sent/ ({0})', outboxDir));
    if (check.hasBcc) io.out(l10n.t('Bcc in headers: YES (wrong); subject decodes to "{0}"', check.subject));
    else io.out(l10n.t('Bcc in headers: no; subject decodes to "{0}"', check.subject));
    const unresolved = check.cids.filter((c) => !check.parts.has(c));
    const unreferenced = [...check.parts].filter((c) => !check.cids.includes(c));
    io.out(
      l10n.t('cid: references {0}, inline parts {1}, unresolved {2}, unreferenced {3}', check.cids.length, check.parts.size, unresolved.length, unreferenced.length),
    );
    const ok =
      unresolved.length === 0 &&
      unreferenced.length === 0 &&
      check.cids.length > 0 &&
      !check.hasBcc &&
      got.raw.equals(composed.raw) &&
      sentRecord &&
      result.accepted.length === composed.envelope.to.length;
    io.out(ok ? l10n.t('Demo OK: the message arrived and every cid: resolved.') : l10n.t('Demo FAILED: see above.'));
    return ok ? ExitCode.OK : ExitCode.FAILED;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Parses what arrived with mailparser (independent of our composer) and mailsplit for the tree. */
async function inspect(raw: Buffer): Promise<{ tree: string[]; cids: string[]; parts: Set<string>; hasBcc: boolean; subject: string }> {
  const { simpleParser } = await import('./demoPackages');
  const parsed = await simpleParser(raw, { keepCidLinks: true });
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  // cid: references where HTML and CSS load images (not the words "cid:" in the text)
  const refs = html.matchAll(/(?:\bsrc|\bbackground)\s*=\s*["']?cid:([^"'\s>]+)|url\(\s*["']?cid:([^"')\s]+)/gi);
  const cids = [...new Set([...refs].map((m) => decodeURIComponent((m[1] ?? m[2])!)))];
  const sizes = new Map<string, number>();
  for (const a of parsed.attachments) if (a.contentId) sizes.set(a.contentId.replace(/^<|>$/g, ''), a.size);
  const tree = await mimeTree(raw, sizes);
  return { tree, cids, parts: new Set(sizes.keys()), hasBcc: parsed.headers.has('bcc'), subject: parsed.subject ?? '' };
}

async function mimeTree(raw: Buffer, sizes: Map<string, number>): Promise<string[]> {
  const { Splitter } = await import('./demoPackages');
  const lines: string[] = [];
  const depth = new Map<unknown, number>();
  await new Promise<void>((resolve, reject) => {
    const splitter = new Splitter();
    splitter.on('data', (d) => {
      if (d.type !== 'node') return;
      const level = d.parentNode ? (depth.get(d.parentNode) ?? 0) + 1 : 0;
      depth.set(d, level);
      const headers = d.headers || undefined;
      const cid = headers?.getFirst('content-id')?.replace(/^<|>$/g, '');
      const disposition = headers?.getFirst('content-disposition')?.split(';')[0];
      let label = d.contentType || 'text/plain';
      if (cid) label += `  Content-ID <${cid}>  ${formatBytes(sizes.get(cid) ?? 0)}${disposition ? `  ${disposition}` : ''}`;
      lines.push(`${'  '.repeat(level)}${label}`);
    });
    (splitter as unknown as NodeJS.EventEmitter).on('end', () => resolve());
    (splitter as unknown as NodeJS.EventEmitter).on('error', reject);
    splitter.end(raw);
  });
  return lines;
}

function safeName(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_');
}

/** The folder holding package.json (dist/cli.js lives one level below it). */
function findProjectRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}
