/**
 * The outbox: the exact bytes of every message are kept on disk from before the first byte goes
 * to the server until the server accepted them, so nothing is lost and a retry resends the very
 * same message (same Message-ID).
 *
 * Layout under `dir`:
 *   outbox/<id>.eml   the message bytes          outbox/<id>.json  meta, status, last error
 *   sent/<id>.eml     moved here on acceptance   sent/<id>.json    meta plus the server's result
 *
 * A recipient the server refused for now (4xx, greylisting) keeps the entry in outbox/ as 'partial': the
 * recipients it accepted are recorded as done, `pendingRecipients` are the ones a retry sends to.
 *
 * An entry is claimed while it is sent (its first record names the sending process; a retry takes outbox/<id>.lock:
 * see outbox-claim.ts), so two sends of one entry (two windows, two terminals) never both deliver it.
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
import { isAscii } from 'buffer';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, SendAsEmailError } from '../errors';
import { checkNotSending, claimEntry, isClaimed, isLiveSender, thisProcess, type OutboxClaim } from './outboxClaim';
import { decodeRecord, encodeRecord, normalizedResult, type OutboxEntry, type OutboxError, type OutboxMeta, type StoredEntry } from './outboxRecord';
import type { Refusal } from './sendOutcome';
import type { ComposedMessage, SendResult } from '../types';

export type { OutboxEntry, OutboxError, OutboxMeta, OutboxStatus } from './outboxRecord';

const ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_-]{0,120}$/;

function now(): string {
  return new Date().toISOString();
}

/** Sortable, unique: `20250102T030405123Z-1a2b3c4d`. */
function newId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '')}-${crypto.randomBytes(4).toString('hex')}`;
}

/** SHA-256 off the main thread (WebCrypto runs the digest on libuv's thread pool). */
async function sha256Async(data: Buffer): Promise<string> {
  return Buffer.from(await crypto.webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported for folders on some platforms (Windows); the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Writes `file` atomically: `write` fills a temporary file in the same folder, then fsync, rename, and
 * fsync of the folder. On failure the temporary file is removed and `file` is untouched.
 */
async function atomically<T>(file: string, write: (handle: fs.promises.FileHandle) => Promise<T>): Promise<T> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.promises.open(tmp, 'wx', 0o600);
  let result: T;
  try {
    result = await write(handle);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
  return result;
}

function writeAtomic(file: string, data: Buffer | string): Promise<void> {
  return atomically(file, (handle) => handle.writeFile(data));
}

/** What `writeAtomicChunks` learned about the bytes while writing them. */
export interface StreamedBytes {
  size: number;
  sha256: string;
  /** Some byte is over 0x7f (the send asks for 8BITMIME). */
  eightBit: boolean;
}

/** Writes all of `data` at the current position (a write to a file may be short, rarely). */
async function writeAll(handle: fs.promises.FileHandle, data: Buffer): Promise<void> {
  for (let rest = data; rest.length > 0; ) rest = rest.subarray((await handle.write(rest)).bytesWritten);
}

/**
 * Like `writeAtomic`, for bytes that arrive in chunks: hashes, counts and checks them on their way to the disk (one
 * pass). Each chunk is written (and hashed meanwhile) before the next is requested, so a source may reuse its buffer.
 */
function writeAtomicChunks(file: string, source: AsyncIterable<Buffer>): Promise<StreamedBytes> {
  return atomically(file, async (handle) => {
    const hash = crypto.createHash('sha256');
    let size = 0;
    let eightBit = false;
    for await (const chunk of source) {
      const written = writeAll(handle, chunk);
      written.catch(() => {}); // awaited below
      hash.update(chunk);
      if (!eightBit && !isAscii(chunk)) eightBit = true;
      await written;
      size += chunk.length;
    }
    return { size, sha256: hash.digest('hex'), eightBit };
  });
}

function missingFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `The message file of outbox entry ${entry.id} is missing: ${entry.file}.`);
}

function changedFile(entry: OutboxEntry): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `The message file of outbox entry ${entry.id} was changed after it was queued: ${entry.file}.`, {
    hint: 'Send the document again instead of retrying this entry.',
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}

export class Outbox {
  readonly outboxDir: string;
  readonly sentDir: string;

  /** `dir` holds `outbox/` and `sent/`; both are created on first write. */
  constructor(readonly dir: string) {
    this.outboxDir = path.join(dir, 'outbox');
    this.sentDir = path.join(dir, 'sent');
  }

  /**
   * Stores the exact bytes (the .eml first, then its record) and returns the new pending entry.
   * Call this before anything is sent. With `sending`, the record says this process is sending it: a retry is
   * refused (OUTBOX_ENTRY_BUSY) until the outcome is recorded (markSent, markFailed) or this process is gone.
   */
  async add(raw: Buffer, meta: OutboxMeta, options: { sending?: boolean } = {}): Promise<OutboxEntry> {
    return this.queue(meta, options.sending === true, async (file) => {
      // The write and the hash both run on libuv's threads, leaving the event loop free (the SMTP connection
      // is being set up meanwhile: see deliver).
      const written = writeAtomic(file, raw);
      written.catch(() => {}); // awaited below
      const sha256 = await sha256Async(raw);
      await written;
      return { size: raw.length, sha256, eightBit: !isAscii(raw) };
    });
  }

  /**
   * Like `add`, for a message that arrives in chunks (never held in memory whole; see writeAtomicChunks): the .eml
   * is written, hashed and fsynced in one pass, then its record. Also says whether the bytes need 8BITMIME.
   */
  addStream(source: AsyncIterable<Buffer>, meta: OutboxMeta, options: { sending?: boolean } = {}): Promise<OutboxEntry & { eightBit: boolean }> {
    return this.queue(meta, options.sending === true, (file) => writeAtomicChunks(file, source));
  }

  /**
   * Claims the entry for a retry (outbox/<id>.lock): throws OUTBOX_ENTRY_BUSY naming the process that is sending it
   * now, also when that is its first send (see `add`'s `sending`). Release the claim when the outcome is recorded
   * (also after a failure).
   */
  async claim(id: string): Promise<OutboxClaim> {
    if (!ID_PATTERN.test(id)) throw this.notFound(id);
    const claim = await claimEntry(id, this.lock(id));
    try {
      checkNotSending(id, (await this.readStored('outbox', id))?.sendingBy);
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
  private async queue(meta: OutboxMeta, sending: boolean, writeEml: (file: string) => Promise<StreamedBytes>): Promise<OutboxEntry & { eightBit: boolean }> {
    await fs.promises.mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
    const id = newId();
    try {
      return await this.write(id, meta, await writeEml(this.eml('outbox', id)), sending);
    } catch (e) {
      // Nothing was sent; without its record the message would be listed as unreadable.
      await fs.promises.rm(this.eml('outbox', id), { force: true });
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
      size: bytes.size,
      sha256: bytes.sha256,
      createdAt: time,
      updatedAt: time,
      attempts: 0,
      ...(sending ? { sendingBy: thisProcess() } : {}),
    };
    await writeAtomic(this.json('outbox', id), encodeRecord(stored));
    return { ...this.toEntry(stored, 'outbox'), eightBit: bytes.eightBit };
  }

  /**
   * Records the server's acceptance: the entry moves to sent/ with the result, or, when some recipients were refused
   * for now (`result.deferred`), stays in outbox/ as 'partial' with those as its `pendingRecipients`. When that
   * record cannot be written, the entry is kept as 'accepted' (record incomplete, `recordError` says why), never sent
   * again. Returns the new status. Throws OUTBOX_ENTRY_NOT_FOUND / OUTBOX_ALREADY_SENT, and the write error when not
   * even the marker could be recorded.
   */
  async markSent(id: string, result: SendResult): Promise<{ status: 'sent' | 'partial' | 'accepted'; recordError?: unknown }> {
    const stored = await this.readPending(id);
    const time = now();
    const done: StoredEntry = { ...stored, attempts: stored.attempts + 1, updatedAt: time, result: mergeResults(stored.result, result) };
    delete done.lastError;
    delete done.sendingBy; // the send is over
    // First the step least likely to fail (a rename: no new space, no new folder): from here on the entry is
    // accepted and never sent again, whatever happens next.
    const marked = await fs.promises.rename(this.json('outbox', id), this.acceptedMarker(id)).then(
      () => true,
      () => false,
    );
    try {
      if (result.deferred.length > 0) {
        await writeAtomic(this.json('outbox', id), encodeRecord({ ...done, status: 'partial', pendingRecipients: result.deferred.map((r) => r.address) }));
        if (marked) await fs.promises.rm(this.acceptedMarker(id), { force: true });
        return { status: 'partial' };
      }
      const sent: StoredEntry = { ...done, status: 'sent', sentAt: time };
      delete sent.pendingRecipients;
      await fs.promises.mkdir(this.sentDir, { recursive: true, mode: 0o700 });
      // The sent record: from here on the entry counts as sent.
      await writeAtomic(this.json('sent', id), encodeRecord(sent));
    } catch (e) {
      return { status: 'accepted', recordError: await this.keepAccepted(done, marked, e) };
    }
    await this.finishMove(id, marked ? 'marker' : 'record');
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
      message: `Accepted by the server, but its record in ${this.sentDir} could not be written (${(e as NodeJS.ErrnoException).code ?? String(e)}); it is never sent again.`,
      at: done.updatedAt,
    };
    const accepted = encodeRecord({ ...done, status: 'accepted', sentAt: done.updatedAt, lastError });
    const kept = await writeAtomic(marked ? this.acceptedMarker(done.id) : this.json('outbox', done.id), accepted).then(
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
    await writeAtomic(this.json('outbox', id), encodeRecord(updated));
  }

  /**
   * Entries still in outbox/, oldest first: waiting (never tried, failed, partial, delivery unknown), accepted ones
   * whose record in sent/ could not be written (status 'accepted', never sent again), and unreadable ones (a record
   * missing, cut short, not an outbox record or changed, or a message file missing: `problem` names the file), so
   * no message file is ever hidden. Finishes interrupted moves to sent/ meanwhile.
   */
  async pending(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const id of await this.ids('outbox')) {
      if (await exists(this.json('sent', id))) {
        // Interrupted move to sent/: finish it.
        await this.finishMove(id).catch(() => {});
        continue;
      }
      const entry = await this.outboxEntry(id);
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
    const others = (await this.ids('outbox')).filter((other) => other !== newer.id);
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
      if (!replaceable(await this.readStored('outbox', other))) continue;
      // Claimed, so a send of it cannot start meanwhile; one being sent now is left alone.
      const claim = await claimEntry(other, this.lock(other)).catch(() => undefined);
      if (!claim) continue;
      try {
        if (!replaceable(await this.readStored('outbox', other))) continue;
        await fs.promises.rm(this.json('outbox', other), { force: true });
        await fs.promises.rm(this.eml('outbox', other), { force: true });
        removed.push(other);
      } finally {
        await claim.release();
      }
    }
    if (removed.length > 0) await fsyncDir(this.outboxDir);
    return removed;
  }

  /** Entries the server accepted, oldest first. */
  async sent(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const id of await this.ids('sent')) {
      const stored = await this.readStored('sent', id);
      if (stored) entries.push(this.toEntry(stored, (await exists(this.eml('sent', id))) ? 'sent' : 'outbox'));
    }
    return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** The entry, wherever it is (status 'unreadable' when its record cannot be used), or undefined. */
  async get(id: string): Promise<OutboxEntry | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const sent = await this.load('sent', id);
    if (sent && 'record' in sent) return this.toEntry(sent.record, (await exists(this.eml('sent', id))) ? 'sent' : 'outbox');
    if (sent) return this.unreadable(id, sent.problem);
    return this.outboxEntry(id);
  }

  /** The entry, or OUTBOX_ENTRY_NOT_FOUND naming the id and the folder, or OUTBOX_ENTRY_INVALID saying what is wrong. */
  async require(id: string): Promise<OutboxEntry> {
    const entry = await this.get(id);
    if (!entry) throw this.notFound(id);
    if (entry.status === 'unreadable') throw invalidEntry(entry.problem ?? `Outbox entry ${id} cannot be read.`);
    return entry;
  }

  /** The entry in outbox/ with its problems: record unusable, message file or record missing. Undefined: none. */
  private async outboxEntry(id: string): Promise<OutboxEntry | undefined> {
    const loaded = await this.load('outbox', id);
    const hasEml = await exists(this.eml('outbox', id));
    if (loaded && 'problem' in loaded) return this.unreadable(id, loaded.problem);
    if (loaded) return hasEml ? this.toEntry(loaded.record, 'outbox') : this.unreadable(id, missingFile(this.toEntry(loaded.record, 'outbox')).message);
    // A message file alone: its record was never written (a crash; or, for a moment, a send storing it right now).
    if (hasEml) {
      return this.unreadable(id, `Outbox entry ${id} has a message file but no record (${this.json('outbox', id)} is missing): ${this.eml('outbox', id)}.`);
    }
    return undefined;
  }

  /** An entry listed for its problem only (see OutboxStatus 'unreadable'). */
  private async unreadable(id: string, problem: string): Promise<OutboxEntry> {
    const file = this.eml('outbox', id);
    const stat = (await fs.promises.stat(file).catch(() => undefined)) ?? (await fs.promises.stat(this.json('outbox', id)).catch(() => undefined));
    const time = stat ? stat.mtime.toISOString() : now();
    return {
      id,
      status: 'unreadable',
      problem,
      messageId: '',
      envelope: { from: '', to: [] },
      subject: '',
      size: 0,
      sha256: '',
      createdAt: time,
      updatedAt: time,
      attempts: 0,
      lastError: { code: ErrorCode.OUTBOX_ENTRY_INVALID, message: problem, at: time },
      file,
    };
  }

  /**
   * Reads the entry's message file once through one reused buffer and checks it against the recorded size and
   * SHA-256, without holding the message in memory (a retry then sends it from `entry.file`).
   */
  async checkedFile(entry: OutboxEntry): Promise<{ size: number; eightBit: boolean }> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    let eightBit = false;
    try {
      const handle = await fs.promises.open(entry.file, 'r');
      try {
        const buffer = Buffer.allocUnsafe(1024 * 1024);
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) break;
          const chunk = buffer.subarray(0, bytesRead);
          hash.update(chunk);
          if (!eightBit && !isAscii(chunk)) eightBit = true;
          size += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } catch {
      throw missingFile(entry);
    }
    if (size !== entry.size || hash.digest('hex') !== entry.sha256) throw changedFile(entry);
    return { size, eightBit };
  }

  /** The exact bytes of the entry, checked against the recorded SHA-256. */
  async readRaw(id: string): Promise<Buffer> {
    const entry = await this.require(id);
    let raw: Buffer;
    try {
      raw = await fs.promises.readFile(entry.file);
    } catch {
      throw missingFile(entry);
    }
    if (sha256(raw) !== entry.sha256) throw changedFile(entry);
    return raw;
  }

  private eml(where: 'outbox' | 'sent', id: string): string {
    return path.join(where === 'outbox' ? this.outboxDir : this.sentDir, `${id}.eml`);
  }

  private json(where: 'outbox' | 'sent', id: string): string {
    return path.join(where === 'outbox' ? this.outboxDir : this.sentDir, `${id}.json`);
  }

  private lock(id: string): string {
    return path.join(this.outboxDir, `${id}.lock`);
  }

  /** Where the record of an accepted entry waits until sent/ has its record (see markSent). */
  private acceptedMarker(id: string): string {
    return path.join(this.outboxDir, `${id}.accepted.json`);
  }

  /**
   * Writes the sent/ record of an accepted entry whose record could not be written then, and moves it; false when
   * sent/ still cannot be written, or when a send holds the entry (it is recording the outcome right now).
   */
  private async finishAccepted(id: string): Promise<boolean> {
    if (await isClaimed(this.lock(id))) return false;
    const stored = await this.readStored('outbox', id);
    if (!stored || isLiveSender(stored.sendingBy)) return false;
    try {
      await fs.promises.mkdir(this.sentDir, { recursive: true, mode: 0o700 });
      const { lastError: _recordError, sendingBy: _sender, ...sent } = stored;
      await writeAtomic(this.json('sent', stored.id), encodeRecord({ ...sent, status: 'sent' }));
      await this.finishMove(stored.id);
      return true;
    } catch {
      return false;
    }
  }

  private toEntry(stored: StoredEntry, emlIn: 'outbox' | 'sent'): OutboxEntry {
    const { version: _version, recordSha256: _hash, sendingBy: _sender, result, ...entry } = stored;
    return { ...entry, ...(result ? { result: normalizedResult(result) } : {}), file: this.eml(emlIn, stored.id) };
  }

  private notFound(id: string): SendAsEmailError {
    return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_NOT_FOUND, `Outbox entry "${id}" was not found in ${this.dir}.`, {
      hint: 'Open the outbox to see the entries that are waiting.',
    });
  }

  private async ids(where: 'outbox' | 'sent'): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(where === 'outbox' ? this.outboxDir : this.sentDir);
    } catch {
      return [];
    }
    // Records, accepted markers, and message files (one without a record is listed as unreadable).
    const ids = names.filter((n) => (n.endsWith('.json') || n.endsWith('.eml')) && !n.startsWith('.')).map((n) => n.replace(/(\.accepted)?\.json$|\.eml$/, ''));
    return [...new Set(ids)].filter((id) => ID_PATTERN.test(id));
  }

  /** The usable record of an entry, or undefined (none, or unusable). */
  private async readStored(where: 'outbox' | 'sent', id: string): Promise<StoredEntry | undefined> {
    const loaded = await this.load(where, id);
    return loaded && 'record' in loaded ? loaded.record : undefined;
  }

  /** The record of an entry, or the problem with it; in outbox/, an accepted marker comes first and makes it 'accepted'. */
  private async load(where: 'outbox' | 'sent', id: string): Promise<{ record: StoredEntry } | { problem: string } | undefined> {
    if (where === 'sent') return this.loadFile(this.json('sent', id), id);
    const [marker, record] = await Promise.all([this.loadFile(this.acceptedMarker(id), id), this.loadFile(this.json('outbox', id), id)]);
    if (marker && 'record' in marker) return { record: { ...marker.record, status: 'accepted' } };
    return marker ?? record;
  }

  private async loadFile(file: string, id: string): Promise<{ record: StoredEntry } | { problem: string } | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      return { problem: `The record ${file} of outbox entry ${id} cannot be read (${code ?? String(e)}).` };
    }
    return decodeRecord(text, id, file);
  }

  /** The outbox/ record of an entry that is not sent yet; throws NOT_FOUND, ALREADY_SENT or ENTRY_INVALID. */
  private async readPending(id: string): Promise<StoredEntry> {
    if (!ID_PATTERN.test(id)) throw this.notFound(id);
    const [sent, stored] = await Promise.all([this.load('sent', id), this.load('outbox', id)]);
    if (sent && 'record' in sent) throw alreadySent(sent.record);
    if (sent) throw invalidEntry(sent.problem);
    if (!stored) throw this.notFound(id);
    if ('problem' in stored) throw invalidEntry(stored.problem);
    if (stored.record.status === 'accepted') throw alreadySent(stored.record);
    return stored.record;
  }

  /**
   * Moves the .eml to sent/ and drops the outbox/ record and accepted marker (the sent/ record already exists);
   * `left` when it is known which of the two is there.
   */
  private async finishMove(id: string, left?: 'record' | 'marker'): Promise<void> {
    if (await exists(this.eml('outbox', id))) await fs.promises.rename(this.eml('outbox', id), this.eml('sent', id));
    if (left !== 'marker') await fs.promises.rm(this.json('outbox', id), { force: true });
    if (left !== 'record') await fs.promises.rm(this.acceptedMarker(id), { force: true });
    await fsyncDir(this.sentDir);
    await fsyncDir(this.outboxDir);
  }
}

/** An earlier record's answers with a new attempt's: accepted and refused for good add up, the rest is the new one's. */
function mergeResults(earlier: SendResult | undefined, latest: SendResult): SendResult {
  if (!earlier) return latest;
  return { ...latest, accepted: [...earlier.accepted, ...latest.accepted], rejected: [...earlier.rejected, ...latest.rejected] };
}

/**
 * A key for "the same message from the same document" (`OutboxMeta.contentKey`): a hash of what the composed message
 * says and carries, leaving out what every compose makes anew (Message-ID, Date, MIME boundaries). Inline images
 * count by their content (their Content-IDs are content hashes), attachments by name, type, size and path.
 */
export function contentKey(m: Pick<ComposedMessage, 'headers' | 'envelope' | 'html' | 'text' | 'inlineImages' | 'attachments'>): string {
  const { from, to, cc, bcc, replyTo, subject } = m.headers;
  const parts = [
    [from, to, cc, bcc, replyTo ?? null, subject],
    [m.envelope.from, m.envelope.to],
    m.inlineImages.map((i) => [i.cid, i.filename, i.contentType, i.size]),
    m.attachments.map((a) => [a.filename, a.contentType, a.size, a.path]),
  ];
  return crypto.createHash('sha256').update(JSON.stringify(parts)).update('\0').update(m.html).update('\0').update(m.text).digest('hex');
}

/** OUTBOX_ENTRY_INVALID: the entry's record cannot be used (`problem` names the file); nothing is sent. */
function invalidEntry(problem: string): SendAsEmailError {
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
