/**
 * The SMTP client: test a connection (`verifySmtp`) and send exact message bytes (`sendRaw`).
 * Built directly on nodemailer's SMTPConnection so the session can be inspected (TLS version, AUTH
 * methods, SIZE limit) and cancelled by closing the socket. Every failure becomes a
 * SendAsEmailError through `toSmtpError` (smtpErrors.ts).
 *
 * Security, from the settings:
 * - `starttls`: STARTTLS is required (nodemailer `requireTLS`); if the server does not offer it the
 *   session ends before AUTH or MAIL are sent (SMTP_STARTTLS_UNAVAILABLE).
 * - `tls`: implicit TLS from the first byte.
 * - `none`: plaintext; logging in is refused unless the server is this machine: before connecting unless the host
 *   name or address is loopback, and after connecting (before AUTH) unless the address connected to is loopback.
 * Certificates are verified against the default CA store plus `caFile` when set.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import * as util from 'util';
import { isAscii } from 'buffer';
import { EventEmitter } from 'events';
import { Readable, type Writable } from 'stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionOptions, SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { Logger, SendResult, SmtpTarget, VerifyResult } from '../types';
import { releasesWhenWritten, useFastDataEscaping } from './dataEscaping';
import { sendFailure, splitRefusals } from './sendOutcome';
import {
  cancelled,
  endpoint,
  loginSecrets,
  messageTooLarge,
  scrubSecrets,
  secretScrubber,
  toSmtpError,
  type SmtpErrorContext,
} from './smtpErrors';

export interface SmtpOptions {
  /** Receives the SMTP transcript (debug), without credentials or message content. */
  logger?: Logger;
  /** Aborting closes the connection at once; the call rejects with SMTP_CANCELLED. */
  signal?: AbortSignal;
  /**
   * sendRaw only: awaited after connecting, TLS and login, before MAIL FROM. The outbox write runs
   * while the connection is set up, and no message byte leaves before it is done; a rejection aborts
   * the send (the connection is closed, nothing was sent).
   */
  beforeMail?: () => Promise<void>;
  /**
   * Which connected addresses count as this machine, the only place a plaintext login (security "none") may go.
   * Default `isLoopbackAddress`. Tests narrow it to reach the refusal on a machine with loopback only; never widen it.
   */
  isLoopbackAddress?: (address: string) => boolean;
  /**
   * Called with `host:port` for every connection whose server certificate is not checked (TLS with
   * sendAsEmail.smtp.rejectUnauthorized false), as it is opened; the same warning goes to `logger.warn` each time.
   * Lets the extension tell the user once per session.
   */
  onInsecureTls?: (endpoint: string) => void;
}

/** The parts of SMTPConnection's state that its type declarations keep private. */
interface ConnectionInternals {
  _supportedAuth?: string[];
  _maxAllowedSize?: number;
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** True for an IP address of this machine's loopback: 127.0.0.0/8, ::1, and 127.x as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (net.isIPv4(a)) return LOOPBACK.check(a, 'ipv4');
  if (net.isIPv6(a)) return LOOPBACK.check(a, 'ipv6');
  return false;
}

/**
 * True for names and addresses that may stay on this machine: localhost, *.localhost, loopback addresses. Only the
 * early check: a name says nothing about where it resolves to (see `checkPlaintextPeer`).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLoopbackAddress(h);
}

function settingsError(message: string, hint: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.SETTINGS_INVALID, message, { hint });
}

/** Checks what can be checked without a connection. Throws SendAsEmailError. */
function checkTarget(target: SmtpTarget): void {
  if (!target.host || !target.host.trim()) {
    throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, 'No SMTP server is configured: sendAsEmail.smtp.host is empty.', {
      hint: 'Set sendAsEmail.smtp.host (and port, security, user) in the settings.',
    });
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw settingsError(
      `SMTP port ${String(target.port)} for ${target.host} is not a valid port number.`,
      'Set sendAsEmail.smtp.port to 587 ("starttls") or 465 ("tls").',
    );
  }
  if (!['starttls', 'tls', 'none'].includes(target.security)) {
    throw settingsError(
      `SMTP security "${String(target.security)}" is not one of "starttls", "tls" or "none".`,
      'Set sendAsEmail.smtp.security to "starttls", "tls" or "none".',
    );
  }
  const where = endpoint(target.host, target.port);
  if (target.user && target.security === 'none' && !isLoopbackHost(target.host)) {
    throw new SendAsEmailError(
      ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
      `Refusing to send the password for "${target.user}" to ${where} unencrypted: security is "none" and the host is not this machine.`,
      { hint: 'Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).' },
    );
  }
  if (target.user && !target.password) {
    throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, `No SMTP password is set for "${target.user}" at ${where}.`, {
      hint: 'Set it with Email: Set SMTP Password.',
    });
  }
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') || file.startsWith('~\\') ? path.join(os.homedir(), file.slice(1)) : file;
}

/** The default trust store: Node's `getCACertificates('default')` where available, else its bundled roots. */
function defaultCas(): string[] {
  const get = (tls as unknown as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : [...tls.rootCertificates];
}

function readCaFile(file: string): string {
  const resolved = path.resolve(expandHome(file));
  let pem: string;
  try {
    pem = fs.readFileSync(resolved, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw settingsError(
      code === 'ENOENT'
        ? `CA file ${resolved} (sendAsEmail.smtp.caFile) does not exist.`
        : `CA file ${resolved} (sendAsEmail.smtp.caFile) cannot be read (${code ?? String(e)}).`,
      'Point sendAsEmail.smtp.caFile to the PEM file of the CA that signed the server certificate, or clear it.',
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw settingsError(
      `CA file ${resolved} (sendAsEmail.smtp.caFile) holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`,
      'Export the CA certificate in PEM (Base64) format and point sendAsEmail.smtp.caFile to it.',
    );
  }
  return pem;
}

/**
 * The SMTPConnection options for a target (no logger). Validates the target first: throws
 * SMTP_NOT_CONFIGURED, SETTINGS_INVALID (port, security, caFile), SMTP_PLAINTEXT_AUTH_REFUSED or
 * SMTP_PASSWORD_MISSING before anything touches the network. Exported for tests.
 */
export function transportOptions(target: SmtpTarget): SMTPConnectionOptions {
  checkTarget(target);
  const host = target.host.trim();
  const ms = Math.max(1, Number(target.timeoutSeconds) || 30) * 1000;
  const tlsOptions: tls.ConnectionOptions = { rejectUnauthorized: target.rejectUnauthorized !== false };
  // SNI and the identity check use the host name; an IP literal is checked against the IP SANs.
  if (!net.isIP(host)) tlsOptions.servername = host;
  if (target.caFile && target.caFile.trim()) tlsOptions.ca = [...defaultCas(), readCaFile(target.caFile.trim())];
  const common: SMTPConnectionOptions = {
    host,
    port: target.port,
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    dnsTimeout: ms,
    // close() destroys the socket at once: cancel means cancel.
    socketCloseTimeout: 0,
    tls: tlsOptions,
  };
  switch (target.security) {
    case 'tls':
      return { ...common, secure: true, requireTLS: false, ignoreTLS: false };
    case 'none':
      return { ...common, secure: false, requireTLS: false, ignoreTLS: true, opportunisticTLS: false };
    case 'starttls':
    default:
      return { ...common, secure: false, requireTLS: true, ignoreTLS: false, opportunisticTLS: false };
  }
}

type NodemailerLogFn = (entry: unknown, ...args: unknown[]) => void;

/**
 * A bunyan-style logger for nodemailer that forwards the SMTP transcript to `logger.debug` as
 * `C: ...` / `S: ...` lines. Whatever the client sends after an AUTH command is replaced until the
 * server answers with something other than 334; message content is never logged (nodemailer only
 * logs it with `debug: true`, which is not used, and such lines are dropped here too); every line is
 * scrubbed of the secrets (every form: `secretForms`) as a last line of defence. Exported for tests.
 */
export function transcriptLogger(logger: Logger | undefined, secrets: readonly string[], onServerLine: (line: string) => void = () => {}) {
  let inAuth = false;
  const scrub = secretScrubber(secrets);
  const emit = (line: string): void => logger?.debug(scrub(line));
  const at =
    (level: string): NodemailerLogFn =>
    (entry, ...args) => {
      const tnx = (entry as { tnx?: string } | undefined)?.tnx;
      if (tnx === 'message' && level === 'debug') return; // message content
      const text = util.format(...args).replace(/\r?\n$/, '');
      if (tnx === 'client') {
        const auth = /^AUTH\s+(\S+)/i.exec(text);
        if (auth) {
          inAuth = true;
          emit(`C: AUTH ${auth[1].toUpperCase()}${text.trim().length > auth[0].length ? ' [credentials hidden]' : ''}`);
        } else if (inAuth) {
          emit('C: [credentials hidden]');
        } else {
          emit(`C: ${text}`);
        }
        return;
      }
      if (tnx === 'server') {
        onServerLine(text);
        if (inAuth && !/^334[ -]/.test(text)) inAuth = false;
        for (const line of text.split(/\r?\n/)) emit(`S: ${line}`);
        return;
      }
      emit(`* ${text}`);
    };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}

interface Session {
  conn: SMTPConnection;
  ctx: SmtpErrorContext;
  /** Races a step against connection errors and cancellation. */
  step<R>(work: (done: (err: Error | null | undefined, value?: R) => void) => void): Promise<R>;
  greeting(): string | undefined;
  /** Rejects when the connection fails or the send is cancelled (never resolves). */
  failure(): Promise<never>;
}

const closedUnexpectedly = (): Error => Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' });

/** Opens a session, runs `body`, quits (or closes on failure); maps every failure. */
async function withSession<T>(
  target: SmtpTarget,
  operation: 'send' | 'verify',
  opts: SmtpOptions,
  body: (s: Session) => Promise<T>,
): Promise<T> {
  const options = transportOptions(target);
  const secrets = loginSecrets({ user: target.user, password: target.password });
  const ctx: SmtpErrorContext = {
    host: options.host as string,
    port: target.port,
    security: target.security,
    timeoutSeconds: Math.max(1, Number(target.timeoutSeconds) || 30),
    phase: 'connect',
    operation,
    user: target.user || undefined,
    secrets,
  };
  if (opts.signal?.aborted) throw cancelled(ctx);
  if (target.security !== 'none' && target.rejectUnauthorized === false) {
    const where = endpoint(ctx.host, ctx.port);
    opts.logger?.warn(
      `Certificates are not checked for ${where} (sendAsEmail.smtp.rejectUnauthorized is false): the connection is encrypted, but anyone on the way could pose as the server and read the password and the message.`,
    );
    opts.onInsecureTls?.(where);
  }

  let greeting: string | undefined;
  ctx.greeted = false;
  const conn = new SMTPConnection({
    ...options,
    logger: transcriptLogger(opts.logger, secrets, (line) => {
      greeting ??= line;
      ctx.greeted = true;
    }),
    transactionLog: true,
    debug: false,
  });
  useFastDataEscaping(conn);

  let finished = false;
  let wasCancelled = false;
  let rejectFailure: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  failure.catch(() => {});
  // Stays attached for the life of the connection: a late 'error' without a listener would throw.
  conn.on('error', (err) => rejectFailure(err));
  conn.on('end', () => {
    if (!finished) rejectFailure(closedUnexpectedly());
  });
  const onAbort = (): void => {
    if (finished) return;
    wasCancelled = true;
    // Bytes still queued on our side mean the final dot never left: nothing can have been delivered.
    const socket = conn._socket;
    if (ctx.phase === 'sent' && socket && socket.writableLength > 0) ctx.phase = 'data';
    conn.close();
    rejectFailure(new Error('cancelled'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const session: Session = {
    conn,
    ctx,
    step<R>(work: (done: (err: Error | null | undefined, value?: R) => void) => void): Promise<R> {
      const p = new Promise<R>((resolve, reject) => work((err, value) => (err ? reject(err) : resolve(value as R))));
      return Promise.race([p, failure]);
    },
    greeting: () => greeting,
    failure: () => failure,
  };

  let ok = false;
  try {
    await session.step<void>((done) => conn.connect((err) => done(err)));
    if (target.user && target.security === 'none') checkPlaintextPeer(conn, ctx, target.user, opts.isLoopbackAddress ?? isLoopbackAddress);
    const result = await body(session);
    ok = true;
    return result;
  } catch (e) {
    if (wasCancelled) throw cancelled(ctx);
    throw toSmtpError(e, ctx);
  } finally {
    finished = true;
    opts.signal?.removeEventListener('abort', onAbort);
    if (ok) {
      conn.quit();
      // A server that never answers QUIT must not hold the socket (and a CLI process) open.
      setTimeout(() => conn.close(), 2000).unref();
    } else {
      conn.close();
    }
  }
}

/**
 * The decisive check before a plaintext login: the socket must be connected to this machine. A name that looks local
 * (`evil.localhost`) can resolve to any address. Throws SMTP_PLAINTEXT_AUTH_REFUSED naming the host and the address
 * it resolved to; nothing but EHLO has been sent.
 */
function checkPlaintextPeer(conn: SMTPConnection, ctx: SmtpErrorContext, user: string, isLocal: (address: string) => boolean): void {
  const address = conn._socket ? conn._socket.remoteAddress : undefined;
  if (address && isLocal(address)) return;
  const where = endpoint(ctx.host, ctx.port);
  throw new SendAsEmailError(
    ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
    `Refusing to send the password for "${user}" to ${where} unencrypted: security is "none" and ${
      address ? `${ctx.host} resolved to ${address}, which is not this machine` : `the address ${ctx.host} resolved to is unknown`
    }.`,
    { hint: 'Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).' },
  );
}

async function login(s: Session, target: SmtpTarget): Promise<void> {
  if (!target.user) return;
  s.ctx.phase = 'auth';
  if (!s.conn.allowsAuth) {
    const where = endpoint(s.ctx.host, s.ctx.port);
    throw new SendAsEmailError(
      ErrorCode.SMTP_AUTH_FAILED,
      `${where} does not offer a login (no AUTH in its EHLO reply), but sendAsEmail.smtp.user is set to "${target.user}".`,
      { hint: 'Clear sendAsEmail.smtp.user if this server needs no login, or check the host and port.' },
    );
  }
  await s.step<boolean | undefined>((done) =>
    s.conn.login({ user: target.user, pass: target.password ?? '' }, (err, result) => done(err, result)),
  );
}

/** Message bytes as a stream that reports when the server starts and finishes receiving them. */
class TrackedBody extends Readable {
  /** Slices of this size keep the socket's buffer small (backpressure) instead of queueing the whole message. */
  static readonly CHUNK = 64 * 1024;
  private offset = 0;
  constructor(
    private readonly raw: Buffer,
    private readonly onStart: () => void,
    onEnd: () => void,
  ) {
    super({ highWaterMark: TrackedBody.CHUNK });
    this.once('end', onEnd);
  }
  override _read(): void {
    if (this.offset === 0) this.onStart();
    while (this.offset < this.raw.length) {
      const end = Math.min(this.offset + TrackedBody.CHUNK, this.raw.length);
      const more = this.push(this.raw.subarray(this.offset, end));
      this.offset = end;
      if (!more) return;
    }
    this.push(null);
  }
}

/**
 * A message sent from a file (the outbox entry) instead of a buffer. `size`, `eightBit` and `file` may be filled in
 * by `beforeMail` (once the message is stored); the file is read after that.
 */
export interface StreamedMessage {
  messageId: string;
  size: number;
  eightBit: boolean;
  /** The file holding exactly `size` bytes of the message. */
  file: string;
}

/**
 * The body of a StreamedMessage as SMTPConnection takes it (it calls `pipe(dataStream)`, listens for 'error' and
 * may call `destroy()`). The file is read in 256 KB slices, the next one while the last is being written. When the
 * DataStream's write callback means "in the socket" (releasesWhenWritten), the slices go through a few reused
 * buffers; otherwise each slice is a fresh buffer. Reports when the first slice goes out and when the last one did.
 */
class FileBody extends EventEmitter {
  static readonly SLICE = 256 * 1024;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly message: StreamedMessage,
    private readonly onStart: () => void,
    private readonly onEnd: () => void,
  ) {
    super();
  }

  pipe<T extends Writable>(dest: T): T {
    this.run(dest).catch((e: unknown) => {
      if (!this.stopped) this.emit('error', e);
    });
    return dest;
  }

  /** Stops reading (the send is over, or failed); the file is closed. */
  destroy(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async run(dest: Writable): Promise<void> {
    const { file, size } = this.message;
    const reuse = releasesWhenWritten(dest);
    const free: Buffer[] = [];
    const take = (): Buffer => free.pop() ?? Buffer.allocUnsafe(FileBody.SLICE);
    const handle = await fs.promises.open(file, 'r');
    try {
      /** The next slice: `buffer` (from the pool) holds `length` bytes from `position`. */
      const read = async (position: number): Promise<{ buffer: Buffer; length: number }> => {
        const buffer = take();
        const want = Math.min(buffer.length, size - position);
        let length = 0;
        while (length < want) {
          const { bytesRead } = await handle.read(buffer, length, want - length, position + length);
          if (bytesRead === 0) throw new Error(`${file} is shorter than the ${size} bytes stored`);
          length += bytesRead;
        }
        return { buffer, length };
      };
      /** Starts reading a slice; its failure is taken up where it is awaited. */
      const prefetch = (position: number): Promise<{ buffer: Buffer; length: number }> => {
        const slice = read(position);
        slice.catch(() => {});
        return slice;
      };
      let position = 0;
      let next = size > 0 ? prefetch(0) : undefined;
      while (next && !this.stopped) {
        const { buffer, length } = await next;
        if (this.stopped) break;
        if (position === 0) this.onStart();
        position += length;
        const more = dest.write(buffer.subarray(0, length), () => {
          if (reuse) free.push(buffer);
        });
        // Read the next slice while this one is being written.
        next = position < size ? prefetch(position) : undefined;
        if (!more) await this.drained(dest);
      }
      if (next) await next.catch(() => undefined); // stopped with a read in flight
      if (this.stopped) return;
      dest.end();
      this.onEnd();
    } finally {
      await handle.close();
    }
  }

  /** Resolves on 'drain', or when the destination closes or fails, or when the body is destroyed. */
  private drained(dest: Writable): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        dest.off('drain', done);
        dest.off('close', done);
        dest.off('error', done);
        this.wake = undefined;
        resolve();
      };
      dest.once('drain', done);
      dest.once('close', done);
      dest.once('error', done);
      this.wake = done;
    });
  }
}

/** The Message-ID header of raw MIME bytes (as written, with angle brackets), or '' when there is none. */
export function readMessageId(raw: Buffer): string {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 256 * 1024) : end).toString('latin1');
  const match = /^message-id:[ \t]*(.*)$/im.exec(head.replace(/\r?\n[ \t]+/g, ' '));
  return match ? match[1].trim() : '';
}

function checkEnvelope(envelope: { from: string; to: string[] }): void {
  if (!envelope.to || envelope.to.length === 0) {
    throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, 'The message has no recipients; nothing was sent.', {
      hint: 'Add a To, Cc or Bcc address.',
    });
  }
  for (const address of [envelope.from, ...envelope.to]) {
    if (typeof address !== 'string' || /[\r\n<>\s]/.test(address) || (address !== envelope.from && !address)) {
      throw new SendAsEmailError(ErrorCode.INVALID_ADDRESS, `Envelope address ${JSON.stringify(address)} is not a valid address.`, {
        hint: 'Use a plain address such as ada@example.com.',
      });
    }
  }
}

/**
 * Connects, negotiates TLS, logs in when a user is set, and reports what the server offers.
 * Sends no message.
 */
export async function verifySmtp(target: SmtpTarget, opts: SmtpOptions = {}): Promise<VerifyResult> {
  return withSession(target, 'verify', opts, async (s) => {
    const internals = s.conn as unknown as ConnectionInternals;
    const authMethods = [...(internals._supportedAuth ?? [])];
    const sizeLimit = internals._maxAllowedSize || undefined;
    await login(s, target);
    const socket = s.conn._socket;
    const tlsVersion = socket instanceof tls.TLSSocket ? (socket.getProtocol() ?? undefined) : undefined;
    return {
      host: s.ctx.host,
      port: s.ctx.port,
      secure: s.conn.secure,
      tlsVersion,
      authMethods,
      sizeLimit,
      authenticated: s.conn.authenticated,
      greeting: s.greeting(),
    };
  });
}

/** A socket error from writing (the connection refused bytes we sent), not from reading or a timeout. */
function isWriteError(e: unknown): boolean {
  const err = e as { syscall?: string; code?: string; originalCode?: string } | null;
  return !!err && (err.syscall === 'write' || err.code === 'EPIPE' || err.originalCode === 'EPIPE');
}

/**
 * Sends `raw` exactly as given to `envelope.to`. Resolves once the server accepted the message for at
 * least one recipient; refused recipients are listed in `rejected` (5xx, for good) and `deferred` (4xx, for now).
 * Throws SMTP_RECIPIENTS_REJECTED (extra.rejected, extra.deferred) when every recipient was refused, and a mapped
 * SendAsEmailError for anything else.
 */
export async function sendRaw(
  target: SmtpTarget,
  envelope: { from: string; to: string[] },
  message: Buffer | StreamedMessage,
  opts: SmtpOptions = {},
): Promise<SendResult> {
  checkEnvelope(envelope);
  const streamed = Buffer.isBuffer(message) ? undefined : message;
  const messageId = streamed ? streamed.messageId : readMessageId(message as Buffer);
  const size = (): number => (streamed ? streamed.size : (message as Buffer).length);
  let ctx: SmtpErrorContext | undefined;
  return withSession(target, 'send', opts, async (s) => {
    ctx = s.ctx;
    s.ctx.from = envelope.from;
    s.ctx.messageSize = size();
    s.ctx.sizeLimit = (s.conn as unknown as ConnectionInternals)._maxAllowedSize || undefined;
    await login(s, target);
    if (opts.beforeMail) await Promise.race([opts.beforeMail(), s.failure()]);
    // A streamed message's size is known once it is stored (beforeMail).
    s.ctx.messageSize = size();
    s.ctx.phase = 'envelope';
    if (s.ctx.sizeLimit && size() > s.ctx.sizeLimit) throw messageTooLarge(s.ctx);
    const onStart = (): void => void (s.ctx.phase = 'data');
    const onEnd = (): void => void (s.ctx.phase = 'sent');
    if (streamed && !streamed.file) throw new Error('sendRaw: the streamed message has no file yet');
    const body = streamed ? new FileBody(streamed, onStart, onEnd) : new TrackedBody(message as Buffer, onStart, onEnd);
    const eightBit = streamed ? streamed.eightBit : !isAscii(message as Buffer);
    let info: SMTPConnectionSendInfo;
    try {
      info = await s.step<SMTPConnectionSendInfo>((done) =>
        s.conn.send({ from: envelope.from, to: envelope.to, size: size(), use8BitMime: eightBit }, body as unknown as Readable, (err, result) =>
          done(err, result),
        ),
      );
    } catch (e) {
      // A write that failed means the end of the message (its final dot) never left: nothing can have been delivered.
      const ctxNow: SmtpErrorContext = s.ctx; // the phase moved on in the body's callbacks
      if (ctxNow.phase === 'sent' && isWriteError(e)) ctxNow.phase = 'data';
      throw e;
    } finally {
      if (body instanceof FileBody) body.destroy();
    }
    const refused = (info.rejected ?? []).map((address) => {
      const e = info.rejectedErrors?.find((r) => r.recipient === address);
      return { address, response: scrubSecrets((e?.response ?? e?.message ?? '').trim(), s.ctx.secrets) };
    });
    return {
      messageId,
      accepted: [...info.accepted],
      ...splitRefusals(refused),
      response: (info.response ?? '').trim(),
      size: size(),
    };
  }).catch((e: unknown) => {
    throw sendFailure(e, ctx);
  });
}
