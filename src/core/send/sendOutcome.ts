/**
 * What a send's refusals and failures mean for the message, beyond what the SMTP error table says:
 * - a refusal of a recipient is final when the server said 5xx, and only for now when it said 4xx (greylisting's
 *   `451 4.2.0 Try again later`): the outbox keeps deferred recipients pending, and a retry reaches them;
 * - a connection lost (or silent) after the final dot, before the server's reply, leaves the outcome unknown: the
 *   server may have delivered the message, so a retry could deliver it twice (SMTP_DELIVERY_UNKNOWN, and
 *   `extra.deliveryUnknown` on it and on a cancel at that point).
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import { endpoint, type SmtpErrorContext } from './smtpErrorContext';

export interface Refusal {
  address: string;
  response: string;
}

/** A refusal is temporary when the server's reply is a 4xx code. */
export function isTemporary(refusal: Refusal): boolean {
  return /^4\d\d/.test(refusal.response.trim());
}

/** Splits refused recipients into those refused for good (5xx, or no code) and those refused for now (4xx). */
export function splitRefusals(refused: readonly Refusal[]): { rejected: Refusal[]; deferred: Refusal[] } {
  return { rejected: refused.filter((r) => !isTemporary(r)), deferred: refused.filter(isTemporary) };
}

const list = (refusals: readonly Refusal[]): string => refusals.map((r) => `${r.address} (${r.response})`).join(', ');

/**
 * The error a failed send reports, given where the session was (`ctx`, when the session got that far): refusals of
 * every recipient split into rejected and deferred, a lost connection or a timeout after the final dot as
 * SMTP_DELIVERY_UNKNOWN, a cancel after the final dot flagged `deliveryUnknown`. Anything else as it is.
 */
export function sendFailure(e: unknown, ctx: SmtpErrorContext | undefined): unknown {
  if (!(e instanceof SendAsEmailError) || !ctx) return e;
  const where = endpoint(ctx.host, ctx.port);
  if (e.code === ErrorCode.SMTP_RECIPIENTS_REJECTED && e.extra.rejected?.some(isTemporary)) {
    const { rejected, deferred } = splitRefusals(e.extra.rejected);
    const message =
      rejected.length > 0
        ? l10n.t('{0} refused every recipient, for now: {1}, and for good: {2}; nothing was sent.', where, list(deferred), list(rejected))
        : l10n.t('{0} refused every recipient, for now: {1}; nothing was sent.', where, list(deferred));
    return new SendAsEmailError(ErrorCode.SMTP_RECIPIENTS_REJECTED, message, {
      ...e.extra,
      accepted: [],
      rejected,
      deferred,
      hint: l10n.t('A refusal "for now" (4xx) is often greylisting: retry the message from the outbox in a few minutes.'),
    });
  }
  if (ctx.phase !== 'sent') return e;
  if (e.code === ErrorCode.SMTP_CANCELLED) return new SendAsEmailError(e.code, e.message, { ...e.extra, deliveryUnknown: true });
  // A reply (even 421) means the server decided; only silence after the final dot leaves the outcome open.
  if ((e.code === ErrorCode.SMTP_CONNECTION_DROPPED || e.code === ErrorCode.SMTP_TIMEOUT) && !e.extra.serverResponse) {
    const message =
      e.code === ErrorCode.SMTP_TIMEOUT
        ? l10n.t(
            "The whole message was sent, but {0} did not confirm it within {1} s, so it may have been delivered: check whether it arrived (a recipient's mailbox, your Sent folder) before retrying it from the outbox.",
            where,
            ctx.timeoutSeconds,
          )
        : l10n.t(
            "The whole message was sent, but the connection to {0} was lost before the server confirmed it, so it may have been delivered: check whether it arrived (a recipient's mailbox, your Sent folder) before retrying it from the outbox.",
            where,
          );
    return new SendAsEmailError(ErrorCode.SMTP_DELIVERY_UNKNOWN, message, {
      ...e.extra,
      deliveryUnknown: true,
      hint: l10n.t('If it did arrive, a retry would deliver it a second time.'),
      cause: e,
    });
  }
  return e;
}
