/**
 * The outbox's refusals: an entry not found, its message file missing or changed, its record unusable, or already
 * accepted by the server.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { OutboxEntry } from './outboxRecord';

/** OUTBOX_ENTRY_NOT_FOUND: the message file of the entry is gone. */
export function missingFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, l10n.t('The message file of outbox entry {0} is missing: {1}.', entry.id, entry.file));
}

/** OUTBOX_ENTRY_NOT_FOUND: the message file of the entry no longer matches its recorded size and hash. */
export function changedFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, l10n.t('The message file of outbox entry {0} was changed after it was queued: {1}.', entry.id, entry.file), {
    hint: l10n.t('Send the document again instead of retrying this entry.'),
  });
}

/** OUTBOX_ENTRY_NOT_FOUND naming the id and the outbox folder. */
export function entryNotFound(id: string, dir: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, l10n.t('Outbox entry "{0}" was not found in {1}.', id, dir), {
    hint: l10n.t('Open the outbox to see the entries that are waiting.'),
  });
}

/** OUTBOX_ENTRY_INVALID: the entry's record cannot be used (`problem` names the file); nothing is sent. */
export function invalidEntry(problem: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_INVALID, problem, {
    hint: l10n.t("Nothing was sent. Restore the file if you have it; otherwise send the document again and delete this entry's files."),
  });
}

/** OUTBOX_ALREADY_SENT for a sent entry, or an accepted one whose record in sent/ is incomplete. */
export function alreadySent(entry: Pick<OutboxEntry, 'id' | 'subject' | 'sentAt' | 'status'>): SendAsEmailError {
  const { id, subject, sentAt } = entry;
  if (entry.status === 'accepted') {
    const message = sentAt
      ? l10n.t('Outbox entry {0} ("{1}") was already accepted by the server at {2}, but its record in sent/ could not be written; it is not sent again.', id, subject, sentAt)
      : l10n.t('Outbox entry {0} ("{1}") was already accepted by the server, but its record in sent/ could not be written; it is not sent again.', id, subject);
    return new SendAsEmailError(ErrorCode.OUTBOX_ALREADY_SENT, message, {
      hint: l10n.t("Free some disk space or fix the folder's permissions: listing the outbox then completes the record."),
    });
  }
  const message = sentAt
    ? l10n.t('Outbox entry {0} ("{1}") was already accepted by the server at {2}, so it is not sent again.', id, subject, sentAt)
    : l10n.t('Outbox entry {0} ("{1}") was already accepted by the server, so it is not sent again.', id, subject);
  return new SendAsEmailError(ErrorCode.OUTBOX_ALREADY_SENT, message, { hint: l10n.t('Send the document again if you really want a second copy.') });
}
