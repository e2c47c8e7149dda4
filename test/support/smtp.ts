/**
 * Real SMTP servers for tests, on 127.0.0.1 and an ephemeral port. Built on `smtp-server` (no mock
 * transport): every message that arrives is recorded with its exact raw bytes, its envelope and the
 * login that sent it, and every command the client sent is recorded with whether it came over TLS.
 *
 *   const server = await startSmtpServer({ security: 'starttls', users: { ada: 'pw' } });
 *   try {
 *     await sendRaw(server.target({ user: 'ada', password: 'pw' }), envelope, { messageId, raw });
 *     const got = await server.nextMessage();   // got.raw: Buffer, got.envelope.to: string[]
 *   } finally {
 *     await server.close();
 *   }
 *
 * Also here: `startSilentServer()` (accepts TCP connections and never greets), `unusedPort()`
 * (a loopback port nobody listens on, for "connection refused") and `resolveNameTo()` (a host name for a loopback server).
 */
import * as net from 'net';
import * as util from 'util';
import { dnsCache } from 'nodemailer/lib/shared';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection';
import type {
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import type { SmtpTarget } from '../../src/core/types';
import { testPki, type CertAndKey } from './certs';
import { waitFor } from './wait';

export const LOOPBACK = '127.0.0.1';

export interface SmtpServerOptions {
  /**
   * - `starttls` (default): plaintext greeting, STARTTLS offered (AUTH only after it, as real servers do).
   * - `tls`: implicit TLS from the first byte (like port 465).
   * - `none`: plaintext, STARTTLS disabled entirely (the command is refused).
   */
  security?: 'starttls' | 'tls' | 'none';
  /** Server certificate; default: `testPki().server` (signed by the test CA, for localhost/127.0.0.1). */
  cert?: CertAndKey;
  /** When set (or `tokens`), AUTH is offered and required, with these user → password pairs. Otherwise AUTH is off. */
  users?: Record<string, string>;
  /** SASL methods offered (default `['PLAIN', 'LOGIN']`). */
  authMethods?: ('PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2')[];
  /** XOAUTH2 logins: user → the access token that is accepted for it. */
  tokens?: Record<string, string>;
  /**
   * The text of the `535` reply to a failed login (default `Authentication credentials invalid`), from what the
   * client sent: lets a test play a server that echoes the credentials back.
   */
  authFailure?: (auth: { method: string; username: string; password?: string; accessToken?: string }) => string;
  /** The code of that reply (default 535): `534`, `550`... as real providers answer some refusals. */
  authFailureCode?: number;
  /**
   * A refused XOAUTH2 token is answered as Gmail does: `334` with a base64 JSON error (`{"status":"401"}`), and
   * `535` after the client's empty line. Default: `535` at once, as Microsoft does.
   */
  xoauth2Challenge?: boolean;
  /** Accept AUTH over a plaintext connection (only meaningful with `security: 'none'`). */
  allowInsecureAuth?: boolean;
  /** SIZE limit in bytes; bigger messages get `552` after DATA (and at MAIL FROM when the client declares SIZE). */
  size?: number;
  /** Do not announce the SIZE value in EHLO (the limit still applies), so the client cannot check it first. */
  hideSize?: boolean;
  /** Recipients refused with `550 5.1.1 <address>: Recipient address rejected` (compared case-insensitively). */
  rejectRecipients?: string[];
  /** Recipients refused for now with `451 4.2.0 <address>: Try again later` (greylisting), `deferTimes` times each. */
  deferRecipients?: string[];
  /** How many RCPT TO of each `deferRecipients` address are deferred before it is accepted (default: all of them). */
  deferTimes?: number;
  /** Milliseconds to wait before answering each RCPT TO (to cancel a send while the envelope is in flight). */
  delayRcptMs?: number;
  /**
   * What happens to the message after DATA:
   * - `accept` (default): record it and answer `250`.
   * - `drop`: destroy the connection as soon as the first message bytes arrive (nothing recorded).
   * - `stall`: read the whole message, record it under `stalled`, and never answer.
   * - `hangup`: read the whole message (the final dot included), record it under `stalled`, and destroy the
   *   connection without answering.
   */
  data?: 'accept' | 'drop' | 'stall' | 'hangup';
  /** Extra smtp-server options, applied last. */
  serverOptions?: Partial<SMTPServerOptions>;
}

export interface ReceivedMessage {
  /** The exact bytes of the message as received (dot-unstuffed by smtp-server, CRLF line ends). */
  raw: Buffer;
  envelope: { from: string; to: string[] };
  /** The user that logged in on that session, if any. */
  user?: string;
  /** Whether the session was on TLS (implicit or after STARTTLS) when the message arrived. */
  secure: boolean;
  sessionId: string;
}

export interface AuthAttempt {
  method: string;
  username: string;
  success: boolean;
  /** Whether the attempt came over TLS. */
  secure: boolean;
}

export interface CommandRecord {
  sessionId: string;
  /** Command verb in upper case: `EHLO`, `STARTTLS`, `AUTH`, `MAIL`, `RCPT`, `DATA`, `QUIT`... */
  verb: string;
  /** The line as smtp-server logs it (AUTH credentials already redacted by smtp-server). */
  line: string;
  /** Whether the command arrived over TLS. */
  secure: boolean;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'tls' | 'none';
  /** The test CA file that makes the default certificate trusted (see `testPki`). */
  readonly caFile: string;
  /** Messages accepted so far, in order. */
  readonly messages: ReceivedMessage[];
  /** Messages read completely but never answered (`data: 'stall'` or `'hangup'`). */
  readonly stalled: ReceivedMessage[];
  readonly auths: AuthAttempt[];
  /** Every command received, in order, across all sessions. */
  readonly commands: CommandRecord[];
  /** Sessions opened and closed so far (a cancelled send shows up as a closed session). */
  readonly sessions: { opened: number; closed: number };
  /** Resolves with the next accepted message not yet returned by an earlier call. */
  nextMessage(timeoutMs?: number): Promise<ReceivedMessage>;
  /** Polls until `predicate()` is true (every 10 ms), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /**
   * An SmtpTarget for this server: host, port and matching security, the test CA as caFile,
   * rejectUnauthorized on, a 5 s timeout, no user. Override anything.
   */
  target(overrides?: Partial<SmtpTarget>): SmtpTarget;
  /** Stops listening and destroys open connections at once. */
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * smtp-server waits a fixed 100 ms before its greeting to catch clients that talk too early (an anti-spam measure).
 * On loopback that pause would be most of a small send, for both sides alike, and hide the client's own cost; the
 * benchmark's server greets at once, and so do the test servers (the pause is in every session of every test).
 * Patches smtp-server's connection class for the whole process. Returns false when the internals have changed
 * and the pause stays.
 */
export function skipGreetingPause(): boolean {
  const proto = SMTPConnection.prototype as {
    init?: () => void;
    _setListeners?: (ready: () => void) => void;
    connectionReady?: () => void;
  };
  if (typeof proto.init !== 'function' || typeof proto._setListeners !== 'function' || typeof proto.connectionReady !== 'function') return false;
  proto.init = function (this: typeof proto): void {
    this._setListeners!(() => this.connectionReady!());
  };
  return true;
}

/** Starts a real SMTP server on 127.0.0.1 and a free port. Always `close()` it (in `finally`/`after`). */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  skipGreetingPause();
  const security = options.security ?? 'starttls';
  const pki = testPki();
  const cert = options.cert ?? pki.server;
  const users = options.users;
  const rejected = new Set((options.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  /** Deferrals left per address (greylisting). */
  const deferrals = new Map((options.deferRecipients ?? []).map((a) => [a.toLowerCase(), options.deferTimes ?? Infinity]));
  const dataMode = options.data ?? 'accept';

  const messages: ReceivedMessage[] = [];
  const stalled: ReceivedMessage[] = [];
  const auths: AuthAttempt[] = [];
  const commands: CommandRecord[] = [];
  const sessions = { opened: 0, closed: 0 };
  let delivered = 0;
  const timers = new Set<NodeJS.Timeout>();

  const disabledCommands: string[] = [];
  if (!users && !options.tokens) disabledCommands.push('AUTH');
  if (security === 'none') disabledCommands.push('STARTTLS');

  // smtp-server logs each client command at debug level as (entry{tnx:'command', cid}, 'C:', line).
  const connectionSecure = (cid: string): boolean => {
    for (const c of server.connections) if (c.id === cid) return c.secure;
    return false;
  };
  const logger = {
    debug(entry: { tnx?: string; cid?: string; command?: string }, ...args: unknown[]): void {
      if (entry?.tnx !== 'command' || !entry.cid) return;
      const line = util.format(...args).replace(/^C:\s?/, '');
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      commands.push({ sessionId: entry.cid, verb, line, secure: connectionSecure(entry.cid) });
    },
    info(): void {},
    warn(): void {},
    error(): void {},
    trace(): void {},
    fatal(): void {},
  };

  const server: SMTPServer = new SMTPServer({
    secure: security === 'tls',
    key: cert.key,
    cert: cert.cert,
    name: 'test.smtp.local',
    logger,
    disabledCommands,
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    authOptional: !users && !options.tokens,
    size: options.size,
    hideSize: options.hideSize ?? false,
    rejectOversized: options.size !== undefined,
    disableReverseLookup: true,
    closeTimeout: 100,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      sessions.opened++;
      callback();
    },
    onClose() {
      sessions.closed++;
    },
    onAuth(
      auth: SMTPServerAuthentication,
      session: SMTPServerSession,
      callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
    ) {
      const username = auth.username ?? '';
      let ok: boolean;
      if (auth.method === 'CRAM-MD5') ok = !!users && username in users && auth.validatePassword(users[username]);
      else if (auth.method === 'XOAUTH2') ok = !!options.tokens && username in options.tokens && options.tokens[username] === auth.accessToken;
      else ok = !!users && username in users && users[username] === auth.password;
      auths.push({ method: auth.method, username, success: ok, secure: session.secure });
      if (!ok && auth.method === 'XOAUTH2' && options.xoauth2Challenge) {
        return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } } as unknown as SMTPServerAuthenticationResponse);
      }
      if (!ok) {
        const text =
          options.authFailure?.({ method: auth.method, username, password: auth.password ?? undefined, accessToken: auth.accessToken ?? undefined }) ??
          'Authentication credentials invalid';
        return callback(smtpError(options.authFailureCode ?? 535, text));
      }
      callback(null, { user: username });
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const answer = (): void => {
        const key = address.address.toLowerCase();
        const deferralsLeft = deferrals.get(key) ?? 0;
        if (rejected.has(key)) {
          callback(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
        } else if (deferralsLeft > 0) {
          deferrals.set(key, deferralsLeft - 1);
          callback(smtpError(451, `4.2.0 <${address.address}>: Try again later`));
        } else callback();
      };
      if (options.delayRcptMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, options.delayRcptMs);
        timers.add(timer);
      } else answer();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      if (dataMode === 'drop') {
        stream.on('error', () => {});
        stream.once('data', () => {
          for (const c of server.connections) if (c.id === session.id) c._socket.destroy();
        });
        stream.resume();
        return;
      }
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const record: ReceivedMessage = {
          raw: Buffer.concat(chunks),
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          user: session.user as string | undefined,
          secure: session.secure,
          sessionId: session.id,
        };
        if (dataMode === 'stall') {
          stalled.push(record);
          return; // never answer
        }
        if (dataMode === 'hangup') {
          stalled.push(record);
          for (const c of server.connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        if (stream.sizeExceeded) return callback(smtpError(552, 'Error: message exceeds fixed maximum message size'));
        messages.push(record);
        callback();
      });
    },
    ...options.serverOptions,
  });
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;

  return {
    host: LOOPBACK,
    port,
    security,
    caFile: pki.caFile,
    messages,
    stalled,
    auths,
    commands,
    sessions,
    async nextMessage(timeoutMs = 5000) {
      const want = delivered + 1;
      await waitFor(() => messages.length >= want, timeoutMs, `message #${want} at the test SMTP server`);
      delivered = want;
      return messages[want - 1];
    },
    waitFor,
    target(overrides: Partial<SmtpTarget> = {}): SmtpTarget {
      return {
        host: LOOPBACK,
        port,
        security,
        user: '',
        caFile: pki.caFile,
        rejectUnauthorized: true,
        timeoutSeconds: 5,
        ...overrides,
      };
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of server.connections) c._socket.destroy();
      });
    },
  };
}

export interface SilentServer {
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Connections the client closed. */
  readonly closed: number;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that accepts connections and never says anything (no SMTP greeting). */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const counts = { connections: 0, closed: 0 };
  const srv = net.createServer((socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      counts.closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, LOOPBACK, () => resolve()));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return counts.connections;
    },
    get closed() {
      return counts.closed;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      });
    },
  };
}

/**
 * Makes nodemailer's SMTP client resolve `name` to `addresses`: the entry goes into its DNS cache, which it reads
 * before asking any DNS server, so a test reaches a loopback server by a host name with no real DNS query. The
 * connection itself is real. Returns the undo (call it in `finally`).
 */
export function resolveNameTo(name: string, ...addresses: string[]): () => void {
  dnsCache.set(name, { value: { addresses }, expires: Date.now() + 60_000 });
  return () => void dnsCache.delete(name);
}

/** A loopback port with no listener (bound once, then released): connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, LOOPBACK, () => resolve()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
