/**
 * The SMTP client: test a connection (`verifySmtp`) and send exact message bytes (`sendRaw`).
 * Built directly on nodemailer's SMTPConnection so the session can be inspected (TLS version, AUTH
 * methods, SIZE limit) and cancelled by closing the socket (session.ts). Every failure becomes a
 * SendAsEmailError through `toSmtpError` (smtpErrors.ts).
 *
 * Where the rest lives: the settings checked and turned into connection options (connectionOptions.ts, security
 * rules there), the session (session.ts), the login by password or OAuth 2.0 token (login.ts), the body streamed to
 * the server (smtpBody.ts), the transcript (transcript.ts), the reply-to-error table (smtpErrors.ts, with the
 * login-error table in loginErrors.ts), credentials scrubbed (secrets.ts).
 */
import * as l10n from '@vscode/l10n';
import * as tls from 'tls';
import { isAscii } from 'buffer';
import type { Readable } from 'stream';
import type { SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { SendResult, SmtpTarget, VerifyResult } from '../types';
import { announcedSizeLimit, offeredAuthMethods, socketOf } from './nodemailerInternals';
import { sendFailure, splitRefusals } from './sendOutcome';
import { scrubSecrets } from './secrets';
import { login } from './login';
import { withSession, type Session, type SmtpOptions } from './session';
import { FileBody, TrackedBody, type BufferedMessage, type StreamedMessage } from './smtpBody';
import type { SmtpErrorContext } from './smtpErrorContext';
import { messageTooLarge } from './smtpReplyErrors';

export type { SmtpOptions } from './session';
export type { BufferedMessage, StreamedMessage } from './smtpBody';

export function checkEnvelope(envelope: { from: string; to: string[] }): void {
  if (!envelope.to || envelope.to.length === 0) {
    throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, l10n.t('The message has no recipients; nothing was sent.'), {
      hint: l10n.t('Add a To, Cc or Bcc address.'),
    });
  }
  for (const address of [envelope.from, ...envelope.to]) {
    if (typeof address !== 'string' || /[\r\n<>\s]/.test(address) || (address !== envelope.from && !address)) {
      throw new SendAsEmailError(ErrorCode.INVALID_ADDRESS, l10n.t('Envelope address {0} is not a valid address.', JSON.stringify(address)), {
        hint: l10n.t('Use a plain address such as ada@example.com.'),
      });
    }
  }
}

/**
 * Connects, negotiates TLS, logs in when a user is set, and reports what the server offers (its AUTH methods) and
 * which one the login used. Sends no message.
 */
export async function verifySmtp(target: SmtpTarget, opts: SmtpOptions = {}): Promise<VerifyResult> {
  return withSession(target, 'verify', opts, async (s) => {
    const authMethods = offeredAuthMethods(s.conn);
    const sizeLimit = announcedSizeLimit(s.conn);
    const authMethod = await login(s, target);
    const socket = socketOf(s.conn);
    const tlsVersion = socket instanceof tls.TLSSocket ? (socket.getProtocol() ?? undefined) : undefined;
    return {
      host: s.ctx.host,
      port: s.ctx.port,
      secure: s.conn.secure,
      tlsVersion,
      authMethods,
      authMethod,
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
 * Sends the message's bytes exactly as given to `envelope.to`; the result names the `messageId` given with them
 * (the bytes are not read for it). Resolves once the server accepted the message for at
 * least one recipient; refused recipients are listed in `rejected` (5xx, for good) and `deferred` (4xx, for now).
 * Throws SMTP_RECIPIENTS_REJECTED (extra.rejected, extra.deferred) when every recipient was refused, and a mapped
 * SendAsEmailError for anything else.
 */
export async function sendRaw(
  target: SmtpTarget,
  envelope: { from: string; to: string[] },
  message: BufferedMessage | StreamedMessage,
  opts: SmtpOptions = {},
): Promise<SendResult> {
  checkEnvelope(envelope);
  let ctx: SmtpErrorContext | undefined;
  return withSession(target, 'send', opts, async (s) => {
    ctx = s.ctx;
    s.ctx.from = envelope.from;
    s.ctx.messageSize = 'raw' in message ? message.raw.length : message.size;
    s.ctx.sizeLimit = announcedSizeLimit(s.conn);
    await login(s, target);
    return sendOnSession(s, envelope, message, opts);
  }).catch((e: unknown) => {
    throw sendFailure(e, ctx);
  });
}

/**
 * One message over a session that is logged in (sendRaw's, or a merge's connection that carries many): waits for
 * `opts.beforeMail`, then MAIL FROM, RCPT TO, DATA. `opts.onData` is called, synchronously, as the server takes the
 * message's first bytes (after its 354): from then on the message may be delivered.
 */
export async function sendOnSession(
  s: Session,
  envelope: { from: string; to: string[] },
  message: BufferedMessage | StreamedMessage,
  opts: Pick<SmtpOptions, 'beforeMail'> & { onData?: () => void } = {},
): Promise<SendResult> {
  const { messageId } = message;
  const streamed = 'raw' in message ? undefined : message;
  const raw = 'raw' in message ? message.raw : undefined;
  const size = (): number => (streamed ? streamed.size : (raw as Buffer).length);
  s.ctx.from = envelope.from;
  s.ctx.messageSize = size();
  if (opts.beforeMail) await Promise.race([opts.beforeMail(), s.failure()]);
  // A streamed message's size is known once it is stored (beforeMail).
  s.ctx.messageSize = size();
  s.ctx.phase = 'envelope';
  if (s.ctx.sizeLimit && size() > s.ctx.sizeLimit) throw messageTooLarge(s.ctx);
  const onStart = (): void => {
    s.ctx.phase = 'data';
    opts.onData?.();
  };
  const onEnd = (): void => void (s.ctx.phase = 'sent');
  if (streamed && !streamed.file) throw new Error('sendRaw: the streamed message has no file yet');
  const body = streamed ? new FileBody(streamed, onStart, onEnd) : new TrackedBody(raw as Buffer, onStart, onEnd);
  const eightBit = streamed ? streamed.eightBit : !isAscii(raw as Buffer);
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
}
