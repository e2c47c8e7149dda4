/**
 * The record of an outbox entry (`<id>.json`) as it is written and read back: the entry's types, and a record
 * format that makes changes evident. Each record carries `recordSha256`, a SHA-256 over what decides what is sent to
 * whom and whether (id, Message-ID, the message file's size and hash, envelope sender and recipients, pending
 * recipients, status, the recipients that already have it, source and content key). A record whose envelope was
 * edited, or that was cut short or is not an outbox record at all, is read as a problem naming the file, never as an
 * entry to send. Records written before the hash (version 1) are read as they are, and sealed when next written.
 *
 * The hash makes edits and damage evident; it is not a signature: whoever can write the outbox folder (mode 0700,
 * the user's own) could compute it too.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import type { ClaimOwner } from './outboxClaim';
import type { SendResult } from '../types';

export type OutboxStatus =
  /** Queued, no attempt finished yet (or the process stopped during the attempt). */
  | 'pending'
  /** The last attempt failed; `lastError` says why. */
  | 'failed'
  /**
   * The last attempt sent the whole message but got no reply to it (connection lost, timeout, cancel after the final
   * dot): it may have been delivered. Retrying may deliver it twice; check first.
   */
  | 'unknown'
  /**
   * Accepted for some recipients, refused for now (4xx) for others: `pendingRecipients` are still to be sent to
   * (a retry sends to them alone), `result.accepted` have it. Stays partial when a later attempt fails.
   */
  | 'partial'
  /**
   * Accepted by the server, but the record in sent/ could not be written (disk full, permissions): "accepted, record
   * incomplete". Never sent again; `pending()` finishes the record once sent/ can be written.
   */
  | 'accepted'
  /** Accepted by the server for every recipient it did not refuse for good (`result.rejected`). */
  | 'sent'
  /**
   * Listing only: the entry's record is missing, cut short, not an outbox record, or changed after it was written
   * (`problem` says which, naming the file). Never sent; the message file, if any, is `file`.
   */
  | 'unreadable';

export interface OutboxError {
  code: string;
  message: string;
  serverResponse?: string;
  /** ISO time of the failure. */
  at: string;
}

export interface OutboxMeta {
  messageId: string;
  envelope: { from: string; to: string[] };
  subject: string;
  /** The source document the message was composed from, when there is one. */
  source?: string;
  /**
   * What the message says and carries, without what each compose makes anew (see `contentKey` in outbox.ts): a newer
   * entry of the same source and key replaces older waiting ones (`Outbox.supersede`).
   */
  contentKey?: string;
  /** The named account the message was sent with (absent: the smtp.* keys, or a record older than accounts). */
  account?: string;
  /**
   * The merge row this message is (core/merge): the merge's record, not this entry, decides whether it is sent
   * again, so a listing may leave it to the merge (Resume) instead of offering a Retry of its own.
   */
  merge?: { id: string; row: number };
}

export interface OutboxEntry extends OutboxMeta {
  id: string;
  status: OutboxStatus;
  /** Size of the .eml in bytes. */
  size: number;
  /** SHA-256 (hex) of the .eml, checked when the bytes are read back. */
  sha256: string;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  /** Finished send attempts (failed or accepted). */
  attempts: number;
  lastError?: OutboxError;
  /** ISO time the server accepted the message. */
  sentAt?: string;
  /**
   * The server's answers so far, for sent and partial entries: every recipient accepted or refused for good in any
   * attempt; `deferred`, `response` and `size` are the last attempt's.
   */
  result?: SendResult;
  /** Partial entries: the recipients still to be sent to (refused for now). Absent: the whole envelope. */
  pendingRecipients?: string[];
  /** Unreadable entries: what is wrong, naming the file. */
  problem?: string;
  /** Absolute path of the entry's .eml file (where it is now). */
  file: string;
}


/**
 * What is stored in `<id>.json`: the entry without its computed `file`, with the record's version and hash, and
 * while its first send runs, the process sending it (see outbox-claim.ts).
 */
export type StoredEntry = Omit<OutboxEntry, 'file' | 'problem'> & { version: 1 | 2; recordSha256?: string; sendingBy?: ClaimOwner };

const STATUSES: readonly string[] = ['pending', 'failed', 'unknown', 'partial', 'accepted', 'sent'];
const HEX64 = /^[0-9a-f]{64}$/;

/** The hash over what decides what is sent to whom and whether. */
function recordHash(r: StoredEntry): string {
  const covered = [
    2,
    r.id,
    r.messageId,
    r.size,
    r.sha256,
    r.envelope.from,
    r.envelope.to,
    r.pendingRecipients ?? null,
    r.status,
    r.result?.accepted ?? [],
    r.source ?? null,
    r.contentKey ?? null,
    // The account decides which server and credential a retry uses; records without one hash as before.
    ...(r.account !== undefined ? [r.account] : []),
  ];
  return crypto.createHash('sha256').update(JSON.stringify(covered)).digest('hex');
}

/** The text of `<id>.json` for `entry`: version 2, with its hash. */
export function encodeRecord(entry: Omit<StoredEntry, 'version' | 'recordSha256'> & { version?: unknown; recordSha256?: unknown }): string {
  const { version: _version, recordSha256: _hash, ...fields } = entry;
  const record: StoredEntry = { version: 2, ...fields };
  return JSON.stringify({ ...record, recordSha256: recordHash(record) }, null, 2) + '\n';
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The first field (or fields, `a/b`) that makes `r` no outbox record, or undefined. */
function shapeProblem(r: Record<string, unknown>): string | undefined {
  const envelope = r.envelope as { from?: unknown; to?: unknown } | undefined;
  const result = r.result as { accepted?: unknown; rejected?: unknown } | undefined;
  if (r.version !== 1 && r.version !== 2) return 'version';
  if (typeof r.messageId !== 'string') return 'messageId';
  if (!envelope || typeof envelope.from !== 'string' || !isStrings(envelope.to) || envelope.to.length === 0) return 'envelope';
  if (typeof r.status !== 'string' || !STATUSES.includes(r.status)) return 'status';
  if (typeof r.size !== 'number' || typeof r.sha256 !== 'string' || !HEX64.test(r.sha256)) return 'size/sha256';
  if (typeof r.createdAt !== 'string' || typeof r.attempts !== 'number') return 'createdAt/attempts';
  if (r.pendingRecipients !== undefined && !isStrings(r.pendingRecipients)) return 'pendingRecipients';
  if ((r.source !== undefined && typeof r.source !== 'string') || (r.contentKey !== undefined && typeof r.contentKey !== 'string')) return 'source/contentKey';
  if (r.account !== undefined && typeof r.account !== 'string') return 'account';
  const merge = r.merge as { id?: unknown; row?: unknown } | undefined;
  if (merge !== undefined && (typeof merge !== 'object' || merge === null || typeof merge.id !== 'string' || typeof merge.row !== 'number')) return 'merge';
  if (result !== undefined && (typeof result !== 'object' || !isStrings(result.accepted) || !Array.isArray(result.rejected))) return 'result';
  return undefined;
}

/**
 * Reads the text of the record `file` of entry `id`: the record, or the problem with it (one sentence naming the
 * file): not JSON (cut short), another entry's, not an outbox record, or changed after it was written.
 */
export function decodeRecord(text: string, id: string, file: string): { record: StoredEntry } | { problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const problem =
      text.trim() === ''
        ? l10n.t('The record {0} of outbox entry {1} cannot be read: it is empty; it may have been cut short.', file, id)
        : l10n.t('The record {0} of outbox entry {1} cannot be read: it is not valid JSON ({2}); it may have been cut short.', file, id, e instanceof Error ? e.message : String(e));
    return { problem };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { problem: l10n.t('The record {0} of outbox entry {1} is not an outbox record.', file, id) };
  const r = data as Record<string, unknown>;
  if (r.id !== id) return { problem: l10n.t('The record {0} belongs to outbox entry {1}, not {2}.', file, JSON.stringify(r.id) ?? String(r.id), id) };
  const wrong = shapeProblem(r);
  if (wrong) return { problem: l10n.t('The record {0} of outbox entry {1} is not a valid outbox record ({2} is missing or wrong).', file, id, wrong) };
  const record = r as unknown as StoredEntry;
  if (record.version === 2 && record.recordSha256 !== recordHash(record)) {
    return {
      problem: l10n.t('The record {0} of outbox entry {1} was changed after it was written: its envelope, recipients or status do not match its recorded hash.', file, id),
    };
  }
  return { record };
}

/** The `result` of a record, with `deferred` (records written before deferred recipients were told apart lack it). */
export function normalizedResult(result: SendResult | undefined): SendResult | undefined {
  return result ? { ...result, deferred: result.deferred ?? [] } : undefined;
}
