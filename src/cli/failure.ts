/** How a failed command is reported: the error, its problems and hint, what the outbox kept, and the exit code. */
import * as l10n from '@vscode/l10n';
import { ErrorCode, ExitCode, SendAsEmailError } from '../core/errors';
import type { Io } from './io';
import { deferredNote, printRecipients } from './print';

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
  ErrorCode.ACCOUNT_NOT_FOUND,
  ErrorCode.SMTP_PASSWORD_MISSING,
  ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
  ErrorCode.OUTBOX_ENTRY_NOT_FOUND,
  ErrorCode.OUTBOX_ALREADY_SENT,
  ErrorCode.OUTBOX_ENTRY_INVALID,
  ErrorCode.MERGE_DATA_INVALID,
  ErrorCode.MERGE_ROW_INVALID,
  ErrorCode.MERGE_TEMPLATE,
]);

export function reportError(e: unknown, io: Io): number {
  if (e instanceof SendAsEmailError) {
    io.err(l10n.t('error: {0}', e.message));
    for (const p of e.problems) if (!e.message.includes(p.message)) io.err(`  - ${p.message}`);
    if (e.extra.hint && !e.message.includes(e.extra.hint)) io.err(`  ${e.extra.hint}`);
    // A refused login's fix, where it is a page (an app password, the 授权码, Microsoft's sign-in setup).
    if (e.extra.fix?.url) io.err(`  ${l10n.t('See {0}', e.extra.fix.url)}`);
    printRecipients(e.extra.accepted ?? [], e.extra.rejected ?? [], io, '', e.extra.deferred);
    const kept = e.extra.outboxEntryId;
    const deferred = deferredNote(e.extra.deferred ?? [], kept);
    if (deferred) io.err(`  ${deferred}`);
    else if (kept && e.extra.deliveryUnknown) {
      io.err(`  ${l10n.t('The message is kept in the outbox as {0}; if it did not arrive, send-as-email retry {1} resends the same bytes.', kept, kept)}`);
    } else if (kept) {
      io.err(`  ${l10n.t('The message is kept in the outbox: send-as-email retry {0} (with the same SMTP options) resends the same bytes.', kept)}`);
    }
    if (INPUT_CODES.has(e.code)) return ExitCode.USAGE;
    return ExitCode.FAILED;
  }
  io.err(l10n.t('error: {0}', e instanceof Error ? e.message : String(e)));
  return ExitCode.FAILED;
}
