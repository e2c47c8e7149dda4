/**
 * The outbox: the exact bytes of every message are kept on disk from before the first byte goes
 * to the server until the server accepted them, so nothing is lost and a retry resends the very
 * same message (same Message-ID).
 *
 * Layout under `dir` (outboxFiles.ts knows where each file is; outboxMessageFile.ts writes and checks the bytes):
 *   outbox/<id>.eml   the message bytes          outbox/<id>.json  meta, status, last error
 *   sent/<id>.eml     moved here on acceptance   sent/<id>.json    meta plus the server's result
 *
 * A recipient the server refused for now (4xx, greylisting) keeps the entry in outbox/ as 'partial': the
 * recipients it accepted are recorded as done, `pendingRecipients` are the ones a retry sends to.
 *
 * An entry is claimed while it is sent (its first record names the sending process; a retry takes outbox/<id>.lock:
 * see outboxClaim.ts), so two sends of one entry (two windows, two terminals) never both deliver it.
 *
 * Every write is atomic (temporary file, fsync, rename, fsync of the folder). The password never
 * reaches this module. A crash while moving an entry to sent/ leaves it counted as sent (the
 * sent/ record is written first), never as pending, so an accepted message is not resent.
 *
 * Accepted means recorded, even when sent/ cannot be written (disk full, permissions, a file in its place): the first
 * step after the server's acceptance is the one least likely to fail, a rename of outbox/<id>.json to
 * outbox/<id>.accepted.json (no new space, no new folder). An entry with that marker is 'accepted' ("accepted, record
 * incomplete") until sent/ has its record: never sent again, and moved to sent/ by a later listing once sent/ can be
 * written.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { fsyncDir, writeAtomic } from '../atomicFile';
import { ErrorCode } from '../errors';
import { checkNotSending, claimEntry, isClaimed, isLiveSender, thisProcess, type OutboxClaim } from './outboxClaim';
import { alreadySent, entryNotFound, invalidEntry } from './outboxErrors';
import { exists, ID_PATTERN, OutboxFiles } from './outboxFiles';
import { checkMessageFile, readMessageFile, writeMessageBytes, writeMessageChunks, type StreamedBytes } from './outboxMessageFile';
import { encodeRecord, type OutboxEntry, type OutboxError, type OutboxMeta, type StoredEntry } from './outboxRecord';
import type { Refusal } from './sendOutcome';
import type { SendResult } from '../types';

export type { OutboxEntry, OutboxError, OutboxMeta, OutboxStatus } from './outboxRecord';

function now(): string {
  return new Date().toISOString();
}

/** Sortable, unique: `20250102T030405123Z-1a2b3c4d`. A caller may choose an entry's id first (see `add`). */
export function newEntryId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '')}-${crypto.randomBytes(4).toString('hex')}`;
}

/** The message file of a new entry: its record, written next into the same folder, fsyncs the folder for both. */
const QUEUED = { syncFolder: false };

export class Outbox {
  readonly outboxDir: string;
  readonly sentDir: string;
  private readonly files: OutboxFiles;
  /** Folders this instance created or found (a merge stores a thousand messages: one mkdir each is measurable). */
  private readonly made = new Set<string>();

  /** `dir` holds `outbox/` and `sent/`; both are created on first write. */
  constructor(readonly dir: string) {
    this.files = new OutboxFiles(dir);
    this.outboxDir = this.files.outboxDir;
    this.sentDir = this.files.sentDir;
  }

  /**
   * Stores the exact bytes (the .eml first, then its record) and returns the new pending entry.
   * Call this before anything is sent. With `sending`, the record says this process is sending it: a retry is
   * refused (OUTBOX_ENTRY_BUSY) until the outcome is recorded (markSent, markFailed) or this process is gone.
   */
  async add(raw: Buffer, meta: OutboxMeta, options: { sending?: boolean; id?: string } = {}): Promise<OutboxEntry> {
    // The write and the hash both run on libuv's threads, leaving the event loop free (the SMTP connection is being
    // set up meanwhile: see deliver).
    return this.queue(meta, options.sending === true, (file) => writeMessageBytes(file, raw, QUEUED), options.id);
  }

  /**
   * Like `add`, for a message that arrives in chunks (never held in memory whole; see writeMessageChunks): the .eml
   * is written, hashed and fsynced in one pass, then its record. Also says whether the bytes need 8BITMIME.
   */
  addStream(source: AsyncIterable<Buffer>, meta: OutboxMeta, options: { sending?: boolean } = {}): Promise<OutboxEntry & { eightBit: boolean }> {
    return this.queue(meta, options.sending === true, (file) => writeMessageChunks(file, source, QUEUED));
  }

  /**
   * Claims the entry for a retry (outbox/<id>.lock): throws OUTBOX_ENTRY_BUSY naming the process that is sending it
   * now, also when that is its first send (see `add`'s `sending`). Release the claim when the outcome is recorded
   * (also after a failure).
   */
  async claim(id: string): Promise<OutboxClaim> {
    if (!ID_PATTERN.test(id)) throw entryNotFound(id, this.dir);
    const claim = await claimEntry(id, this.files.lock(id));
    try {
      checkNotSending(id, (await this.files.readStored('outbox', id))?.sendingBy);
    } catch (e) {
      await claim.release();
      throw e;
    }
    return claim;
  }

  /**
   * Stores a new pending entry: `writeEml` puts the exact bytes in its .eml, then the record is written (nothing can
   * find the entry before that). With `sending`, the record names this process as its sender.
   */
  private async queue(meta: OutboxMeta, sending: boolean, writeEml: (file: string) => Promise<StreamedBytes>, chosenId?: string): Promise<OutboxEntry & { eightBit: boolean }> {
    if (chosenId !== undefined && !ID_PATTERN.test(chosenId)) throw new Error(`outbox: "${chosenId}" is not an entry id`);
    await this.mkdir(this.outboxDir);
    const id = chosenId ?? newEntryId();
    try {
      return await this.write(id, meta, await writeEml(this.files.eml('outbox', id)), sending);
    } catch (e) {
      // Nothing was sent; without its record the message would be listed as unreadable.
      await fs.promises.rm(this.files.eml('outbox', id), { force: true });
      throw e;
    }
  }

  /** Writes the record of a new entry whose .eml holds `bytes`. */
  private async write(id: string, meta: OutboxMeta, bytes: StreamedBytes, sending: boolean): Promise<OutboxEntry & { eightBit: boolean }> {
    const time = now();
    const stored: StoredEntry = {
      version: 2,
      id,
      status: 'pending',
      messageId: meta.messageId,
      envelope: { from: meta.envelope.from, to: [...meta.envelope.to] },
      subject: meta.subject,
      ...(meta.source !== undefined ? { source: meta.source } : {}),
      ...(meta.contentKey !== undefined ? { contentKey: meta.contentKey } : {}),
      ...(meta.account !== undefined ? { account: meta.account } : {}),
      ...(meta.merge !== undefined ? { merge: { id: meta.merge.id, row: meta.merge.row } } : {}),
      size: bytes.size,
      sha256: bytes.sha256,
      createdAt: time,
      updatedAt: time,
      attempts: 0,
      ...(sending ? { sendingBy: thisProcess() } : {}),
    };
    await writeAtomic(this.files.json('outbox', id), encodeRecord(stored));
    return { ...this.files.toEntry(stored, 'outbox'), eightBit: bytes.eightBit };
  }

  /**
   * Records the server's acceptance: the entry moves to sent/ with the result, or, when some recipients were refused
   * for now (`result.deferred`), stays in outbox/ as 'partial' with those as its `pendingRecipients`. When that
   * record cannot be written, the entry is kept as 'accepted' (record incomplete, `recordError` says why), never sent
   * again. Returns the new status. Throws OUTBOX_ENTRY_NOT_FOUND / OUTBOX_ALREADY_SENT, and the write error when not
   * even the marker could be recorded. `dropBytes`: sent/ keeps the record and not the message bytes (a merge's row).
   */
  async markSent(id: string, result: SendResult, { dropBytes = false } = {}): Promise<{ status: 'sent' | 'partial' | 'accepted'; recordError?: unknown }> {
    const stored = await this.readPending(id);
    const time = now();
    const done: StoredEntry = { ...stored, attempts: stored.attempts + 1, updatedAt: time, result: mergeResults(stored.result, result) };
    delete done.lastError;
    delete done.sendingBy; // the send is over
    // First the step least likely to fail (a rename: no new space, no new folder): from here on the entry is
    // accepted and never sent again, whatever happens next.
    const marked = await fs.promises.rename(this.files.json('outbox', id), this.files.acceptedMarker(id)).then(
      () => true,
      () => false,
    );
    try {
      if (result.deferred.length > 0) {
        await writeAtomic(this.files.json('outbox', id), encodeRecord({ ...done, status: 'partial', pendingRecipients: result.deferred.map((r) => r.address) }));
        if (marked) await fs.promises.rm(this.files.acceptedMarker(id), { force: true });
        return { status: 'partial' };
      }
      const sent: StoredEntry = { ...done, status: 'sent', sentAt: time };
      delete sent.pendingRecipients;
      await this.mkdir(this.sentDir);
      // The sent record: from here on the entry counts as sent.
      await writeAtomic(this.files.json('sent', id), encodeRecord(sent));
    } catch (e) {
      return { status: 'accepted', recordError: await this.keepAccepted(done, marked, e) };
    }
    await this.files.finishMove(id, marked ? 'marker' : 'record', dropBytes);
    return { status: 'sent' };
  }

  /**
   * The server accepted the entry but its new record (`done`) could not be written (`e`): the answer is kept with the
   * accepted marker if there is room (or, without a marker, in the record itself). Returns `e`; throws it when the
   * acceptance could not be recorded at all.
   */
  private async keepAccepted(done: StoredEntry, marked: boolean, e: unknown): Promise<unknown> {
    // The error says it in every listing that shows errors.
    const lastError: OutboxError = {
      code: ErrorCode.OUTBOX_WRITE_FAILED,
      message: l10n.t('Accepted by the server, but its record in {0} could not be written ({1}); it is never sent again.', this.sentDir, (e as NodeJS.ErrnoException).code ?? String(e)),
      at: done.updatedAt,
    };
    const accepted = encodeRecord({ ...done, status: 'accepted', sentAt: done.updatedAt, lastError });
    const kept = await writeAtomic(marked ? this.files.acceptedMarker(done.id) : this.files.json('outbox', done.id), accepted).then(
      () => true,
      () => false,
    );
    if (!marked && !kept) throw e;
    return e;
  }

  /**
   * Records a failed attempt; the entry stays in outbox/ with its bytes (a partial entry stays partial). When the
   * server refused every recipient, some only for now (`error.deferred`), the next attempt sends to those alone.
   * When the message may have been delivered all the same (`error.deliveryUnknown`: no reply to the final dot), the
   * entry is 'unknown'.
   */
  async markFailed(
    id: string,
    error: { code: string; message: string; serverResponse?: string; rejected?: Refusal[]; deferred?: Refusal[]; deliveryUnknown?: boolean },
  ): Promise<void> {
    const stored = await this.readPending(id);
    const time = now();
    const someAccepted = (stored.result?.accepted.length ?? 0) > 0;
    if (someAccepted && error.rejected?.length && !error.deferred?.length) {
      // The last pending recipients were refused for good: nobody is left to send to.
      await this.markSent(id, { messageId: stored.messageId, accepted: [], rejected: error.rejected, deferred: [], response: error.serverResponse ?? '', size: stored.size });
      return;
    }
    const updated: StoredEntry = {
      ...stored,
      ...(error.deferred?.length ? { pendingRecipients: error.deferred.map((r) => r.address) } : {}),
      status: error.deliveryUnknown ? 'unknown' : someAccepted ? 'partial' : 'failed',
      attempts: stored.attempts + 1,
      updatedAt: time,
      lastError: {
        code: error.code,
        message: error.message,
        ...(error.serverResponse ? { serverResponse: error.serverResponse } : {}),
        at: time,
      },
    };
    delete updated.sendingBy; // the send is over
    await writeAtomic(this.files.json('outbox', id), encodeRecord(updated));
  }

  /**
   * Entries still in outbox/, oldest first: waiting (never tried, failed, partial, delivery unknown), accepted ones
   * whose record in sent/ could not be written (status 'accepted', never sent again), and unreadable ones (a record
   * missing, cut short, not an outbox record or changed, or a message file missing: `problem` names the file), so
   * no message file is ever hidden. Finishes interrupted moves to sent/ meanwhile.
   */
  async pending(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const id of await this.files.ids('outbox')) {
      if (await exists(this.files.json('sent', id))) {
        // Interrupted move to sent/: finish it.
        await this.files.finishMove(id).catch(() => {});
        continue;
      }
      const entry = await this.files.outboxEntry(id);
      if (entry?.status === 'accepted' && (await this.finishAccepted(id))) continue;
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Removes the older entries that entry `newer` replaces: of the same `source` and `contentKey` (the same document,
   * unchanged), created before it, waiting with nothing delivered ('pending' or 'failed') and not being sent. Never
   * a partial, delivery-unknown or accepted entry. So repeated failed sends of one document leave one entry, the
   * newest. Returns the ids removed.
   */
  async supersede(newer: Pick<OutboxEntry, 'id' | 'source' | 'contentKey' | 'createdAt'>): Promise<string[]> {
    if (newer.source === undefined || newer.contentKey === undefined) return [];
    const others = (await this.files.ids('outbox')).filter((other) => other !== newer.id);
    const replaceable = (s: StoredEntry | undefined): boolean =>
      !!s &&
      s.id !== newer.id &&
      s.source === newer.source &&
      s.contentKey === newer.contentKey &&
      (s.status === 'pending' || s.status === 'failed') &&
      !s.result?.accepted.length &&
      !isLiveSender(s.sendingBy) &&
      s.createdAt <= newer.createdAt;
    const removed: string[] = [];
    for (const other of others) {
      if (!replaceable(await this.files.readStored('outbox', other))) continue;
      // Claimed, so a send of it cannot start meanwhile; one being sent now is left alone.
      const claim = await claimEntry(other, this.files.lock(other)).catch(() => undefined);
      if (!claim) continue;
      try {
        if (!replaceable(await this.files.readStored('outbox', other))) continue;
        await fs.promises.rm(this.files.json('outbox', other), { force: true });
        await fs.promises.rm(this.files.eml('outbox', other), { force: true });
        removed.push(other);
      } finally {
        await claim.release();
      }
    }
    if (removed.length > 0) await fsyncDir(this.outboxDir);
    return removed;
  }

  private async mkdir(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    this.made.add(dir);
  }

  /**
   * Removes the message file of an entry whose record was never written (a run killed while storing it): such bytes
   * never left, as nothing is sent before its record exists. False when the entry has a record, or no file.
   */
  async discardUnrecorded(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id) || (await exists(this.files.json('outbox', id))) || (await exists(this.files.acceptedMarker(id)))) return false;
    if (!(await exists(this.files.eml('outbox', id)))) return false;
    await fs.promises.rm(this.files.eml('outbox', id), { force: true });
    return true;
  }

  /** Entries the server accepted, oldest first. */
  async sent(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const id of await this.files.ids('sent')) {
      const stored = await this.files.readStored('sent', id);
      if (stored) entries.push(this.files.toEntry(stored, (await exists(this.files.eml('sent', id))) ? 'sent' : 'outbox'));
    }
    return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** The entry, wherever it is (status 'unreadable' when its record cannot be used), or undefined. */
  async get(id: string): Promise<OutboxEntry | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const sent = await this.files.load('sent', id);
    if (sent && 'record' in sent) return this.files.toEntry(sent.record, (await exists(this.files.eml('sent', id))) ? 'sent' : 'outbox');
    if (sent) return this.files.unreadable(id, sent.problem);
    return this.files.outboxEntry(id);
  }

  /** The entry, or OUTBOX_ENTRY_NOT_FOUND naming the id and the folder, or OUTBOX_ENTRY_INVALID saying what is wrong. */
  async require(id: string): Promise<OutboxEntry> {
    const entry = await this.get(id);
    if (!entry) throw entryNotFound(id, this.dir);
    if (entry.status === 'unreadable') throw invalidEntry(entry.problem ?? l10n.t('Outbox entry {0} cannot be read.', id));
    return entry;
  }

  /**
   * Reads the entry's message file once through one reused buffer and checks it against the recorded size and
   * SHA-256, without holding the message in memory (a retry then sends it from `entry.file`).
   */
  checkedFile(entry: OutboxEntry): Promise<{ size: number; eightBit: boolean }> {
    return checkMessageFile(entry);
  }

  /** The exact bytes of the entry, checked against the recorded SHA-256. */
  async readRaw(id: string): Promise<Buffer> {
    return readMessageFile(await this.require(id));
  }

  /**
   * Writes the sent/ record of an accepted entry whose record could not be written then, and moves it; false when
   * sent/ still cannot be written, or when a send holds the entry (it is recording the outcome right now).
   */
  private async finishAccepted(id: string): Promise<boolean> {
    if (await isClaimed(this.files.lock(id))) return false;
    const stored = await this.files.readStored('outbox', id);
    if (!stored || isLiveSender(stored.sendingBy)) return false;
    try {
      await fs.promises.mkdir(this.sentDir, { recursive: true, mode: 0o700 });
      const { lastError: _recordError, sendingBy: _sender, ...sent } = stored;
      await writeAtomic(this.files.json('sent', stored.id), encodeRecord({ ...sent, status: 'sent' }));
      await this.files.finishMove(stored.id);
      return true;
    } catch {
      return false;
    }
  }

  /** The outbox/ record of an entry that is not sent yet; throws NOT_FOUND, ALREADY_SENT or ENTRY_INVALID. */
  private async readPending(id: string): Promise<StoredEntry> {
    if (!ID_PATTERN.test(id)) throw entryNotFound(id, this.dir);
    const [sent, stored] = await Promise.all([this.files.load('sent', id), this.files.load('outbox', id)]);
    if (sent && 'record' in sent) throw alreadySent(sent.record);
    if (sent) throw invalidEntry(sent.problem);
    if (!stored) throw entryNotFound(id, this.dir);
    if ('problem' in stored) throw invalidEntry(stored.problem);
    if (stored.record.status === 'accepted') throw alreadySent(stored.record);
    return stored.record;
  }
}

/** An earlier record's answers with a new attempt's: accepted and refused for good add up, the rest is the new one's. */
function mergeResults(earlier: SendResult | undefined, latest: SendResult): SendResult {
  if (!earlier) return latest;
  return { ...latest, accepted: [...earlier.accepted, ...latest.accepted], rejected: [...earlier.rejected, ...latest.rejected] };
}
