/**
 * The outbox's refusals: an entry not found, its message file missing or changed, its record unusable, or already
 * accepted by the server.
 */
import { ErrorCode, SendAsEmailError } from '../errors';
import type { OutboxEntry } from './outboxRecord';

/** OUTBOX_ENTRY_NOT_FOUND: the message file of the entry is gone. */
export function missingFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `The message file of outbox entry ${entry.id} is missing: ${entry.file}.`);
}

/** OUTBOX_ENTRY_NOT_FOUND: the message file of the entry no longer matches its recorded size and hash. */
export function changedFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `The message file of outbox entry ${entry.id} was changed after it was queued: ${entry.file}.`, {
    hint: 'Send the document again instead of retrying this entry.',
  });
}

/** OUTBOX_ENTRY_NOT_FOUND naming the id and the outbox folder. */
export function entryNotFound(id: string, dir: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `Outbox entry "${id}" was not found in ${dir}.`, {
    hint: 'Open the outbox to see the entries that are waiting.',
  });
}

/** OUTBOX_ENTRY_INVALID: the entry's record cannot be used (`problem` names the file); nothing is sent. */
export function invalidEntry(problem: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_INVALID, problem, {
    hint: 'Nothing was sent. Restore the file if you have it; otherwise send the document again and delete this entry\'s files.',
  });
}

/** OUTBOX_ALREADY_SENT for a sent entry, or an accepted one whose record in sent/ is incomplete. */
export function alreadySent(entry: Pick<OutboxEntry, 'id' | 'subject' | 'sentAt' | 'status'>): SendAsEmailError {
  const at = entry.sentAt ? ` at ${entry.sentAt}` : '';
  if (entry.status === 'accepted') {
    return new SendAsEmailError(
      ErrorCode.OUTBOX_ALREADY_SENT,
      `Outbox entry ${entry.id} ("${entry.subject}") was already accepted by the server${at}, but its record in sent/ could not be written; it is not sent again.`,
      { hint: 'Free some disk space or fix the folder\'s permissions: listing the outbox then completes the record.' },
    );
  }
  return new SendAsEmailError(
    ErrorCode.OUTBOX_ALREADY_SENT,
    `Outbox entry ${entry.id} ("${entry.subject}") was already accepted by the server${at}, so it is not sent again.`,
    { hint: 'Send the document again if you really want a second copy.' },
  );
}
