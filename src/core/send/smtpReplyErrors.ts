/**
 * The second half of the SMTP error table (the first is smtpErrors.ts): what the server answered, once the session
 * was set up, and how it ended: a refused login, a message too large, refused recipients or sender, a connection
 * dropped or closed by the server, any other refusal. Each becomes one sentence quoting the server's reply.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import { loginAdvice } from './loginErrors';
import { bytes, endpoint, implicitTlsHint, make, withDeliveryNote, type Failure, type SmtpErrorContext } from './smtpErrorContext';

const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/** The sentence for a message too large: its size and the server's limit when known, the server's reply when given. */
function tooLargeMessage(where: string, size: string | undefined, limit: string | undefined, said: string | undefined): string {
  if (size !== undefined && limit !== undefined) {
    return said === undefined
      ? l10n.t('The message ({0}) is too large for {1}, its limit is {2}', size, where, limit)
      : l10n.t('The message ({0}) is too large for {1}, its limit is {2}: {3}', size, where, limit, said);
  }
  if (size !== undefined) {
    return said === undefined
      ? l10n.t('The message ({0}) is too large for {1}, it did not announce its limit', size, where)
      : l10n.t('The message ({0}) is too large for {1}, it did not announce its limit: {2}', size, where, said);
  }
  if (limit !== undefined) {
    return said === undefined
      ? l10n.t('The message is too large for {0}, its limit is {1}', where, limit)
      : l10n.t('The message is too large for {0}, its limit is {1}: {2}', where, limit, said);
  }
  return said === undefined
    ? l10n.t('The message is too large for {0}, it did not announce its limit', where)
    : l10n.t('The message is too large for {0}, it did not announce its limit: {1}', where, said);
}

/** SMTP_MESSAGE_TOO_LARGE naming the message size and, when known, the server's limit. */
export function messageTooLarge(ctx: SmtpErrorContext, serverResponse?: string, cause?: unknown): SendAsEmailError {
  const where = endpoint(ctx.host, ctx.port);
  const size = ctx.messageSize !== undefined ? bytes(ctx.messageSize) : undefined;
  const limit = ctx.sizeLimit ? bytes(ctx.sizeLimit) : undefined;
  return make(ErrorCode.SMTP_MESSAGE_TOO_LARGE, tooLargeMessage(where, size, limit, serverResponse), ctx, {
    hint: l10n.t('Make the message smaller (fewer or smaller images and attachments) and send it again.'),
    serverResponse,
    cause,
  });
}

/** A refused login (EAUTH, 534, 535; 530 asks for one, or for TLS), or undefined. */
function authError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError | undefined {
  const { e, code, where, serverResponse, detail, base } = f;
  if (code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) {
    const message = ctx.user
      ? serverResponse
        ? l10n.t('{0} refused the login for user "{1}": {2}', where, ctx.user, serverResponse)
        : l10n.t('{0} refused the login for user "{1}" ({2})', where, ctx.user, detail)
      : serverResponse
        ? l10n.t('{0} refused the login: {1}', where, serverResponse)
        : l10n.t('{0} refused the login ({1})', where, detail);
    // The login-error table first (Microsoft, Gmail, the 授权码 providers...), then the generic advice.
    const advice = loginAdvice(serverResponse, ctx);
    const hint =
      advice?.hint ??
      (ctx.auth === 'oauth2'
        ? l10n.t('The server refused the access token: sign in again, or check the token command and the account\'s user.')
        : l10n.t('Re-enter the password (Email: Set SMTP Password) and check sendAsEmail.smtp.user; some providers need an app password.'));
    return make(ErrorCode.SMTP_AUTH_FAILED, message, ctx, { ...base, hint, fix: advice?.fix });
  }
  if (e.responseCode === 530) {
    if (serverResponse && /starttls|tls/i.test(serverResponse)) {
      return make(ErrorCode.SMTP_TLS_FAILED, l10n.t('{0} requires TLS: {1}', where, serverResponse), ctx, {
        ...base,
        hint: l10n.t('Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).'),
      });
    }
    return make(ErrorCode.SMTP_AUTH_FAILED, l10n.t('{0} requires a login: {1}', where, serverResponse ?? detail), ctx, {
      ...base,
      hint: l10n.t('Set sendAsEmail.smtp.user and the password (Email: Set SMTP Password).'),
    });
  }
  return undefined;
}

/** Every recipient refused, or the sender refused (EENVELOPE), or undefined. */
function envelopeError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError | undefined {
  const { e, code, where, serverResponse, detail, base } = f;
  if (code === 'EENVELOPE' && e.rejected && e.rejected.length > 0) {
    const rejected = e.rejected.map((address) => {
      const match = e.rejectedErrors?.find((r) => r.recipient === address);
      return { address, response: (match?.response ?? serverResponse ?? '').trim() };
    });
    const list = rejected.map((r) => `${r.address} (${r.response})`).join(', ');
    return make(ErrorCode.SMTP_RECIPIENTS_REJECTED, l10n.t('{0} refused every recipient: {1}; nothing was sent.', where, list), ctx, {
      ...base,
      accepted: [],
      rejected,
      hint: l10n.t('Check the recipient addresses and send again.'),
    });
  }
  if (code === 'EENVELOPE' && e.command === 'MAIL FROM') {
    const said = serverResponse ?? detail;
    const clause = ctx.from ? l10n.t('{0} refused the sender <{1}>: {2}', where, ctx.from, said) : l10n.t('{0} refused the sender: {1}', where, said);
    return make(ErrorCode.SMTP_REJECTED, withDeliveryNote(ctx, clause), ctx, {
      ...base,
      hint: l10n.t('Check sendAsEmail.from: many servers only accept the address of the account you log in with.'),
    });
  }
  return undefined;
}

/** The connection closed or reset (or closed by the server with 421), or undefined. */
function droppedError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError | undefined {
  const { e, code, orig, where, serverResponse, detail, base } = f;
  const dropped = code === 'ECONNECTION' || DROP_CODES.has(orig) || (code === 'ESOCKET' && !e.responseCode) || code === 'ESTREAM';
  if (!dropped || (e.responseCode && e.responseCode !== 421)) return undefined;
  if (e.responseCode === 421) {
    return make(ErrorCode.SMTP_CONNECTION_DROPPED, withDeliveryNote(ctx, l10n.t('{0} closed the session: {1}', where, serverResponse ?? detail)), ctx, {
      ...base,
      hint: l10n.t('The server is busy or refusing connections for now; try again later.'),
    });
  }
  const clause =
    ctx.phase === 'connect'
      ? l10n.t('The connection to {0} dropped before the SMTP session was set up ({1})', where, detail)
      : ctx.phase === 'auth'
        ? l10n.t('The connection to {0} dropped during the login ({1})', where, detail)
        : ctx.phase === 'envelope'
          ? l10n.t('The connection to {0} dropped before the message was sent ({1})', where, detail)
          : ctx.phase === 'data'
            ? l10n.t('The connection to {0} dropped while the message was being sent ({1})', where, detail)
            : l10n.t('The connection to {0} dropped before confirming the message ({1})', where, detail);
  return make(ErrorCode.SMTP_CONNECTION_DROPPED, withDeliveryNote(ctx, clause), ctx, {
    ...base,
    hint:
      ctx.phase === 'connect'
        ? (implicitTlsHint(ctx) ?? l10n.t('Try again; check the host, port and security settings if it keeps happening.'))
        : ctx.operation === 'verify'
          ? l10n.t('Try again.')
          : l10n.t('Retry the message from the outbox.'),
  });
}

/** Any other refusal (4xx for now, 5xx for good) of the message, a recipient, a command or the request. */
function refusalClause(f: Failure, temporary: boolean): string {
  const { e, code, where } = f;
  const said = f.serverResponse ?? f.detail;
  if (e.command === 'DATA' || code === 'EMESSAGE') {
    return temporary ? l10n.t('{0} refused the message for now: {1}', where, said) : l10n.t('{0} refused the message: {1}', where, said);
  }
  if (e.command === 'RCPT TO') {
    return temporary ? l10n.t('{0} refused the recipient for now: {1}', where, said) : l10n.t('{0} refused the recipient: {1}', where, said);
  }
  if (e.command) {
    return temporary ? l10n.t('{0} refused {1} for now: {2}', where, e.command, said) : l10n.t('{0} refused {1}: {2}', where, e.command, said);
  }
  return temporary ? l10n.t('{0} refused the request for now: {1}', where, said) : l10n.t('{0} refused the request: {1}', where, said);
}

/**
 * What the server answered, or how the session ended after it was set up (see smtpErrors.ts `toSmtpError`, which
 * handles the connection, the TLS and the certificates first). Always an error: the last resort says what failed.
 */
export function replyError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError {
  const { e, where, serverResponse, detail, base } = f;
  const auth = authError(f, ctx);
  if (auth) return auth;
  // Size
  if (e.responseCode === 552 && e.command !== 'RCPT TO') return messageTooLarge(ctx, serverResponse, f.err);
  if (serverResponse && /^5\d\d 5\.3\.4/.test(serverResponse)) return messageTooLarge(ctx, serverResponse, f.err);
  const refusedOrDropped = envelopeError(f, ctx) ?? droppedError(f, ctx);
  if (refusedOrDropped) return refusedOrDropped;
  if (e.responseCode && e.responseCode >= 400) {
    const temporary = e.responseCode < 500;
    return make(ErrorCode.SMTP_REJECTED, withDeliveryNote(ctx, refusalClause(f, temporary)), ctx, {
      ...base,
      hint: temporary
        ? l10n.t('This is a temporary refusal: retry the message from the outbox later.')
        : l10n.t('The server gave the reason above; fix that and send again.'),
    });
  }
  if (e.responseCode) {
    return make(ErrorCode.SMTP_REJECTED, withDeliveryNote(ctx, l10n.t('{0} answered unexpectedly: {1}', where, serverResponse ?? detail)), ctx, base);
  }
  return make(ErrorCode.SMTP_CONNECTION_DROPPED, withDeliveryNote(ctx, l10n.t('Talking to {0} failed: {1}', where, detail)), ctx, {
    ...base,
    hint: l10n.t('Try again; check the SMTP settings if it keeps happening.'),
  });
}
