/**
 * One SMTP session: connect (TLS as the settings say), check where a plaintext login would go, run the caller's
 * steps (which log in: login.ts), quit; cancellable by closing the socket. Every failure becomes a SendAsEmailError through
 * `toSmtpError` (smtpErrors.ts).
 */
import * as l10n from '@vscode/l10n';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { Logger, SmtpTarget } from '../types';
import { transportOptions } from './connectionOptions';
import { isLoopbackAddress } from './loopback';
import { socketOf, useFastDataEscaping } from './nodemailerInternals';
import { loginSecrets } from './secrets';
import { endpoint, type SmtpErrorContext } from './smtpErrorContext';
import { cancelled, toSmtpError } from './smtpErrors';
import { transcriptLogger } from './transcript';

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

export interface Session {
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
export async function withSession<T>(
  target: SmtpTarget,
  operation: 'send' | 'verify',
  opts: SmtpOptions,
  body: (s: Session) => Promise<T>,
): Promise<T> {
  const options = transportOptions(target);
  // Grows when a fresh token is fetched during the login (login.ts): everything scrubs with the array as it is then.
  const secrets = loginSecrets({ user: target.user, password: target.oauth2 ? undefined : target.password, token: target.oauth2?.accessToken });
  const ctx: SmtpErrorContext = {
    host: options.host as string,
    port: target.port,
    security: target.security,
    timeoutSeconds: Math.max(1, Number(target.timeoutSeconds) || 30),
    phase: 'connect',
    operation,
    user: target.user || undefined,
    auth: target.oauth2 ? 'oauth2' : 'password',
    provider: target.provider,
    secrets,
  };
  if (opts.signal?.aborted) throw cancelled(ctx);
  if (target.security !== 'none' && target.rejectUnauthorized === false) {
    const where = endpoint(ctx.host, ctx.port);
    opts.logger?.warn(
      l10n.t(
        'Certificates are not checked for {0} (sendAsEmail.smtp.rejectUnauthorized is false): the connection is encrypted, but anyone on the way could pose as the server and read the password and the message.',
        where,
      ),
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
    const socket = socketOf(conn);
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
  const address = socketOf(conn)?.remoteAddress;
  if (address && isLocal(address)) return;
  const where = endpoint(ctx.host, ctx.port);
  let message: string;
  if (ctx.auth === 'oauth2') {
    message = address
      ? l10n.t('Refusing to send the access token for "{0}" to {1} unencrypted: security is "none" and {2} resolved to {3}, which is not this machine.', user, where, ctx.host, address)
      : l10n.t('Refusing to send the access token for "{0}" to {1} unencrypted: security is "none" and the address {2} resolved to is unknown.', user, where, ctx.host);
  } else {
    message = address
      ? l10n.t('Refusing to send the password for "{0}" to {1} unencrypted: security is "none" and {2} resolved to {3}, which is not this machine.', user, where, ctx.host, address)
      : l10n.t('Refusing to send the password for "{0}" to {1} unencrypted: security is "none" and the address {2} resolved to is unknown.', user, where, ctx.host);
  }
  throw new SendAsEmailError(
    ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
    message,
    { hint: l10n.t('Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).') },
  );
}
