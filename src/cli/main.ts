/**
 * send-as-email: the command-line adapter over the same core the extension uses.
 * build | send | outbox | retry | demo — see USAGE.
 */
import * as os from 'os';
import * as path from 'path';
import { ErrorCode, ExitCode, SendAsEmailError } from '../core/errors';
import { formatBytes } from '../core/format';
import type { Attachment, ComposeOptions, InlineImage, Logger, SendResult, SmtpTarget, SourceDocument } from '../core/types';
import type { OutboxEntry } from '../core/send/outbox';
import { checkBuildOutput, documentWorkspace, parseCli, PASSWORD_ENV, readSource, usage, USAGE, type CliOptions } from './options';

/** Input problems: nothing was sent, exit 2. Everything else that fails is exit 1. */
const INPUT_CODES = new Set<string>([
  ErrorCode.USAGE,
  ErrorCode.SETTINGS_INVALID,
  ErrorCode.IMAGE_NOT_FOUND,
  ErrorCode.IMAGE_OUTSIDE_WORKSPACE,
  ErrorCode.IMAGE_INVALID,
  ErrorCode.IMAGE_REMOTE_FAILED,
  ErrorCode.CID_NOT_FOUND,
  ErrorCode.ATTACHMENT_NOT_FOUND,
  ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE,
  ErrorCode.FRONT_MATTER_INVALID,
  ErrorCode.DOCUMENT_NOT_TEXT,
  ErrorCode.STYLESHEET_NOT_FOUND,
  ErrorCode.INVALID_ADDRESS,
  ErrorCode.HEADER_INJECTION,
  ErrorCode.NO_RECIPIENTS,
  ErrorCode.NO_FROM,
  ErrorCode.SMTP_NOT_CONFIGURED,
  ErrorCode.SMTP_PASSWORD_MISSING,
  ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
  ErrorCode.OUTBOX_ENTRY_NOT_FOUND,
  ErrorCode.OUTBOX_ALREADY_SENT,
  ErrorCode.OUTBOX_ENTRY_INVALID,
]);

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  cwd: process.cwd(),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv, io.cwd);
    if (opts.help || opts.command === '' || opts.command === 'help') {
      io.out(USAGE);
      return opts.help || opts.command === 'help' ? ExitCode.OK : ExitCode.USAGE;
    }
    switch (opts.command) {
      case 'build':
        return await build(opts, io);
      case 'send':
        return await send(opts, io);
      case 'outbox':
        return await listOutbox(opts, io);
      case 'retry':
        return await retryEntry(opts, io);
      case 'demo': {
        const { runDemo } = await import('./demo');
        return await runDemo(opts, io);
      }
      default:
        throw usage(`Unknown command "${opts.command}".`);
    }
  } catch (e) {
    // A failed send or retry names the outbox entry that keeps its message (extra.outboxEntryId).
    return reportError(e, io);
  }
}

export function cliLogger(io: Io, verbose: boolean): Logger {
  return {
    info: (m) => verbose && io.err(m),
    warn: (m) => io.err(`warning: ${m}`),
    error: (m) => io.err(`error: ${m}`),
    debug: (m) => verbose && io.err(m),
  };
}

/**
 * The document named on the command line and how to compose it. Its local files must be inside --workspace, else
 * inside its repository or its own folder: never the current folder (run from the home folder, a cloned
 * repository's `attachments: [../../.ssh/id_rsa]` was inside that).
 */
function documentOf(opts: CliOptions, io: Io): { doc: SourceDocument; options: ComposeOptions } {
  const doc = readSource(opts.positionals[0], io.cwd, opts.encoding);
  const workspace = opts.workspace ?? documentWorkspace(doc.path, io.env.HOME || os.homedir());
  return { doc, options: { settings: opts.settings, workspaceFolders: [workspace], overrides: opts.overrides } };
}

/** `1 inline image, 2 attachments` */
function partCounts(m: { inlineImages: readonly unknown[]; attachments: readonly unknown[] }): string {
  const n = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
  return `${n(m.inlineImages.length, 'inline image')}, ${n(m.attachments.length, 'attachment')}`;
}

/** Every file that travels with the message, one line each: how it travels, its name, its size, where it is read from. */
function printParts(m: { inlineImages: readonly InlineImage[]; attachments: readonly Attachment[] }, io: Io): void {
  const from = (source: string): string => {
    if (!path.isAbsolute(source)) return source;
    const rel = path.relative(io.cwd, source);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : source;
  };
  for (const i of m.inlineImages) io.out(`  inline      ${i.filename}  ${formatBytes(i.size)}  ${from(i.source)}`);
  for (const a of m.attachments) io.out(`  attachment  ${a.filename}  ${formatBytes(a.size)}  ${from(a.path)}`);
}

function reportWarnings<T extends { warnings: { message: string }[] }>(composed: T, io: Io): T {
  for (const w of composed.warnings) io.err(`warning: ${w.message}`);
  return composed;
}

async function build(opts: CliOptions, io: Io): Promise<number> {
  const { doc, options } = documentOf(opts, io);
  const out = opts.out ?? doc.path.replace(/\.(md|markdown|html?)$/i, '') + '.eml';
  checkBuildOutput(out, doc.path, opts.force);
  const { composeMessage } = await import('../core/message/compose');
  const composed = reportWarnings(await composeMessage(doc, options), io);
  const { writeEml } = await import('../core/message/eml');
  await writeEml(out, composed.raw);
  io.out(`Wrote ${out} (${composed.raw.length} bytes, ${partCounts(composed)})${composed.inlineImages.length + composed.attachments.length > 0 ? ':' : '.'}`);
  printParts(composed, io);
  return ExitCode.OK;
}

export function smtpTarget(opts: CliOptions, env: NodeJS.ProcessEnv): SmtpTarget {
  const s = opts.settings.smtp;
  if (!s.host) {
    throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, 'No SMTP server given: use --host (or sendAsEmail.smtp.host in --settings).');
  }
  const password = env[PASSWORD_ENV];
  if (s.user && !password) {
    throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, `No password for ${s.user} at ${s.host}:${s.port}: set the environment variable ${PASSWORD_ENV}; nothing was sent.`);
  }
  return { ...s, password: s.user ? password : undefined };
}

async function send(opts: CliOptions, io: Io): Promise<number> {
  // The server and password first: a missing one stops the command before any image is read.
  const target = smtpTarget(opts, io.env);
  const { doc, options } = documentOf(opts, io);
  const { composeMessageStream } = await import('../core/message/compose');
  // A stream: the message is stored in the outbox and sent without being held in memory whole.
  const composed = reportWarnings(await composeMessageStream(doc, options), io);
  if (composed.envelope.to.length === 0) {
    throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, `"${composed.headers.subject}" has no recipients: add "to:" to the front matter or use --to.`);
  }
  // What is about to leave, before it does.
  io.out(`Sending "${composed.headers.subject}" (${formatBytes(composed.size)}, ${partCounts(composed)})${composed.inlineImages.length + composed.attachments.length > 0 ? ':' : '.'}`);
  printParts(composed, io);
  const { contentKey, Outbox } = await import('../core/send/outbox');
  const { deliverStream } = await import('../core/send/deliver');
  const outbox = new Outbox(opts.outboxDir);
  const { result, entryId } = await untilInterrupted((signal) =>
    deliverStream(
      {
        chunks: () => composed.chunks(),
        messageId: composed.messageId,
        envelope: composed.envelope,
        subject: composed.headers.subject,
        // The same document sent again unchanged replaces its older waiting entries (no pile of copies).
        source: doc.path,
        contentKey: contentKey(composed),
      },
      target,
      outbox,
      { logger: cliLogger(io, opts.verbose), signal },
    ),
  );
  return printResult(result, io, entryId);
}

/** Runs `work` with a signal that Ctrl-C aborts (the send stops cleanly; the outbox keeps the message). */
async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

type Refusal = { address: string; response: string };

/** One line per recipient: accepted, refused (for good) or deferred (refused for now), with the server's answer. */
export function printRecipients(accepted: readonly string[], rejected: readonly Refusal[], io: Io, indent = '', deferred: readonly Refusal[] = []): void {
  for (const a of accepted) io.out(`${indent}accepted  ${a}`);
  for (const r of rejected) io.out(`${indent}refused   ${r.address}  ${r.response}`);
  for (const r of deferred) io.out(`${indent}deferred  ${r.address}  ${r.response}`);
}

/** How to reach the recipients the server refused for now, kept pending in outbox entry `entryId`. */
function deferredNote(deferred: readonly Refusal[], entryId: string | undefined): string | undefined {
  if (deferred.length === 0 || !entryId) return undefined;
  const who = deferred.map((r) => r.address).join(', ');
  return `The server refused ${who} for now; send-as-email retry ${entryId} (with the same SMTP options) sends the same message to ${deferred.length === 1 ? 'that recipient' : 'them'} alone.`;
}

export function printResult(result: SendResult, io: Io, entryId?: string): number {
  printRecipients(result.accepted, result.rejected, io, '', result.deferred);
  io.out(`${result.messageId}: ${result.response} (${result.size} bytes)`);
  const note = deferredNote(result.deferred, entryId);
  if (note) io.out(note);
  if (result.rejected.length === 0 && result.deferred.length === 0) return ExitCode.OK;
  return result.accepted.length > 0 ? ExitCode.PARTIAL : ExitCode.FAILED;
}

async function listOutbox(opts: CliOptions, io: Io): Promise<number> {
  const { Outbox } = await import('../core/send/outbox');
  const outbox = new Outbox(opts.outboxDir);
  const pending = await outbox.pending();
  if (pending.length === 0) io.out(`Nothing waiting in ${opts.outboxDir}.`);
  for (const e of pending) {
    if (e.status === 'unreadable') io.out(`${e.id}  (unreadable: ${e.problem})`);
    else io.out(`${e.id}  ${e.subject}  to ${e.envelope.to.join(', ')}  (${entryState(e)})${e.lastError ? `  [${e.lastError.code}: ${e.lastError.message}]` : ''}`);
  }
  return ExitCode.OK;
}

/** What an outbox entry is waiting for, in the `outbox` listing. */
function entryState(e: OutboxEntry): string {
  switch (e.status) {
    case 'partial':
      return `partly delivered, waiting for ${(e.pendingRecipients ?? []).join(', ')}`;
    case 'accepted':
      return 'accepted, record incomplete: never sent again';
    case 'unknown':
      return 'delivery unknown: the server may have it, check before retrying';
    default:
      return 'waiting';
  }
}

async function retryEntry(opts: CliOptions, io: Io): Promise<number> {
  const id = opts.positionals[0];
  if (!id) throw usage('Name the outbox entry to retry (send-as-email outbox lists them).');
  const target = smtpTarget(opts, io.env);
  const { Outbox } = await import('../core/send/outbox');
  const { retry } = await import('../core/send/deliver');
  const outbox = new Outbox(opts.outboxDir);
  const result = await untilInterrupted((signal) => retry(outbox, id, target, { logger: cliLogger(io, opts.verbose), signal }));
  return printResult(result, io, id);
}

export function reportError(e: unknown, io: Io): number {
  if (e instanceof SendAsEmailError) {
    io.err(`error: ${e.message}`);
    for (const p of e.problems) if (!e.message.includes(p.message)) io.err(`  - ${p.message}`);
    if (e.extra.hint && !e.message.includes(e.extra.hint)) io.err(`  ${e.extra.hint}`);
    printRecipients(e.extra.accepted ?? [], e.extra.rejected ?? [], io, '', e.extra.deferred);
    const kept = e.extra.outboxEntryId;
    const deferred = deferredNote(e.extra.deferred ?? [], kept);
    if (deferred) io.err(`  ${deferred}`);
    else if (kept && e.extra.deliveryUnknown) io.err(`  The message is kept in the outbox as ${kept}; if it did not arrive, send-as-email retry ${kept} resends the same bytes.`);
    else if (kept) io.err(`  The message is kept in the outbox: send-as-email retry ${kept} (with the same SMTP options) resends the same bytes.`);
    if (INPUT_CODES.has(e.code)) return ExitCode.USAGE;
    return ExitCode.FAILED;
  }
  io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
  return ExitCode.FAILED;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
