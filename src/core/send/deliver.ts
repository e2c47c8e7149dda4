/**
 * Sending with the outbox around it: the exact bytes are stored before the first byte goes to the
 * server, moved to sent/ once the server accepted them (also when it refused some recipients for good:
 * those it accepted must never get the message twice), and kept with the error otherwise. Recipients
 * refused for now (4xx) stay pending in the outbox entry. `retry` resends the same bytes, so the
 * Message-ID stays the same, to the recipients still pending only.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError, toSendAsEmailError } from '../errors';
import { contentKey } from './contentKey';
import type { Outbox, OutboxEntry, OutboxMeta } from './outbox';
import { alreadySent } from './outboxErrors';
import { transportOptions } from './connectionOptions';
import { sendRaw, type BufferedMessage, type SmtpOptions, type StreamedMessage } from './smtp';
import type { ComposedStream, SendResult, SmtpTarget } from '../types';

export interface DeliverMessage {
  /** The exact MIME bytes to send and keep. */
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
  subject: string;
  /** The source document, recorded with the outbox entry. */
  source?: string;
  /**
   * `contentKey(composed)` (contentKey.ts): with `source`, a send replaces older waiting entries of the same document and
   * content, so repeated failed sends leave one entry.
   */
  contentKey?: string;
  /** The named account it is sent with, recorded so a retry uses it again. */
  account?: string;
  /** The merge row the message is (recorded with the outbox entry). */
  merge?: { id: string; row: number };
}

/** Records the failure on the entry; returns the error, carrying the entry's id (`extra.outboxEntryId`). */
async function recordFailure(outbox: Outbox, id: string, e: unknown, opts: SmtpOptions): Promise<SendAsEmailError> {
  // Every error the SMTP layer knows already has its code; anything else stays unknown (UNEXPECTED), never a refusal.
  const err = toSendAsEmailError(e);
  const { serverResponse, rejected, deferred, deliveryUnknown } = err.extra;
  try {
    await outbox.markFailed(id, { code: err.code, message: err.message, serverResponse, rejected, deferred, deliveryUnknown });
  } catch (recordError) {
    opts.logger?.error(l10n.t('Could not record the failure in outbox entry {0}: {1}', id, String(recordError)));
  }
  return new SendAsEmailError(err.code, err.message, { ...err.extra, outboxEntryId: id });
}

/**
 * Records the server's acceptance. Returns false when nothing at all could be recorded: the caller then keeps the
 * entry's claim (a first send's record still names this process), so no retry in this process can resend it.
 */
async function recordSent(outbox: Outbox, id: string, result: SendResult, opts: SmtpOptions, dropBytes = false): Promise<boolean> {
  try {
    const { status, recordError } = await outbox.markSent(id, result, { dropBytes });
    if (status === 'partial') {
      opts.logger?.info(l10n.t('Outbox entry {0} keeps {1} pending (refused for now).', id, result.deferred.map((r) => r.address).join(', ')));
    } else if (status === 'accepted') {
      opts.logger?.error(
        l10n.t(
          'The server accepted {0}, but its record in sent/ could not be written ({1}); outbox entry {2} is kept as accepted (record incomplete) and is never sent again.',
          result.messageId,
          String(recordError),
          id,
        ),
      );
    }
    return true;
  } catch (recordError) {
    // The server has the message: report success, and say loudly that the entry must not be retried.
    opts.logger?.error(
      l10n.t('The server accepted {0}, but outbox entry {1} could not be moved to sent/ ({2}); do not retry it.', result.messageId, id, String(recordError)),
    );
    return false;
  }
}

/**
 * Why a message was not stored (and so not sent): the source's own error when it has a code (an image that changed
 * while the message was built), else OUTBOX_WRITE_FAILED.
 */
function notStored(outbox: Outbox, e: unknown): SendAsEmailError {
  if (e instanceof SendAsEmailError) return e;
  const why = (e as NodeJS.ErrnoException)?.code ?? (e instanceof Error ? e.message : String(e));
  return new SendAsEmailError(
    ErrorCode.OUTBOX_WRITE_FAILED,
    l10n.t('The message could not be stored in the outbox {0} ({1}), so it was not sent.', outbox.dir, why),
    { hint: l10n.t("Free some disk space or fix the folder's permissions, then send again."), cause: e },
  );
}

/**
 * Queues the message in the outbox, sends it, and records the outcome. Resolves for full and
 * partial delivery (`result.rejected` lists recipients refused for good, `result.deferred` those refused
 * for now, which the entry keeps pending); rethrows the SendAsEmailError of a failure after recording it
 * (`extra.outboxEntryId` names the entry). Settings problems (no host,
 * missing CA file, password missing, plaintext login refused) throw before anything is queued.
 *
 * The outbox write (hash, write, fsync) runs while the connection is set up (TCP, TLS, EHLO, AUTH);
 * MAIL FROM, and so the first byte of the message, waits until the bytes are safely on disk.
 */
export async function deliver(
  msg: DeliverMessage,
  target: SmtpTarget,
  outbox: Outbox,
  opts: SmtpOptions = {},
): Promise<{ result: SendResult; entryId: string }> {
  transportOptions(target);
  return deliverVia(msg, outbox, rawSender(target, opts), opts);
}

/**
 * Sends one message (over one connection or another): `beforeMail` must be awaited before MAIL FROM, so no byte
 * leaves before the message is stored.
 */
export type Sender = (
  envelope: { from: string; to: string[] },
  message: BufferedMessage | StreamedMessage,
  beforeMail: () => Promise<void>,
) => Promise<SendResult>;

/** A connection of its own for the message (sendRaw). */
function rawSender(target: SmtpTarget, opts: SmtpOptions): Sender {
  return (envelope, message, beforeMail) => sendRaw(target, envelope, message, { ...opts, beforeMail });
}

/**
 * `deliver` with the message's bytes in memory, sent by `sender` (a merge's connection that carries many messages):
 * stored in the outbox first, the outcome recorded; resolves with the entry's id and the bytes' SHA-256.
 */
export function deliverVia(msg: DeliverMessage, outbox: Outbox, sender: Sender, opts: SmtpOptions = {}): Promise<{ result: SendResult; entryId: string; sha256: string }> {
  return deliverStored(storeFor(msg, outbox), msg, outbox, sender, opts);
}

/**
 * Starts storing `msg` in the outbox (its first record names this process as its sender), as entry `id` when given
 * (newEntryId: a merge journals it first); see `deliverStored`.
 */
export function storeFor(msg: DeliverMessage, outbox: Outbox, id?: string): Promise<OutboxEntry> {
  const stored = outbox.add(msg.raw, metaOf(msg), { sending: true, id });
  stored.catch(() => {}); // observed by deliverStored
  return stored;
}

/**
 * `deliverVia` for a message whose outbox write (`storeFor`) was started earlier: a merge stores the next row while
 * the current one is on the wire. No byte of it leaves before `stored` is done.
 */
export function deliverStored(
  stored: Promise<OutboxEntry>,
  msg: DeliverMessage,
  outbox: Outbox,
  sender: Sender,
  opts: SmtpOptions = {},
  after: AfterAccepted = {},
): Promise<Delivered> {
  return sendQueued(stored, msg.envelope, { messageId: msg.messageId, raw: msg.raw }, sender, outbox, opts, undefined, after);
}

/** What happens to an entry once the server accepted it (a merge's rows: see merge/run.ts). */
export interface AfterAccepted {
  /** Resolve before the acceptance is recorded in the outbox; `recorded` then says when it is. */
  recordLater?: boolean;
  /** sent/ keeps the record, not the bytes. */
  dropBytes?: boolean;
}

export interface Delivered {
  result: SendResult;
  entryId: string;
  sha256: string;
  /** Settles (never rejects) once the outcome is recorded in the outbox (at once unless `recordLater`). */
  recorded: Promise<void>;
}

/** A message whose bytes come in chunks (composeMessageStream), read once, into the outbox. */
export interface DeliverStreamMessage extends Omit<DeliverMessage, 'raw'> {
  /** The MIME bytes; a chunk may be reused by the source once the next one is requested (see ComposedStream). */
  chunks(): AsyncIterable<Buffer>;
}

/**
 * Like `deliver`, for a message that is never held in memory whole: its chunks are written to the outbox
 * (hashed on the way), and the send streams the stored file to the server.
 */
export async function deliverStream(
  msg: DeliverStreamMessage,
  target: SmtpTarget,
  outbox: Outbox,
  opts: SmtpOptions = {},
): Promise<{ result: SendResult; entryId: string }> {
  transportOptions(target);
  const stored = outbox.addStream(msg.chunks(), metaOf(msg), { sending: true });
  // Size, 8-bit and file are known once the message is stored (before MAIL FROM).
  const message: StreamedMessage = { messageId: msg.messageId, size: 0, eightBit: true, file: '' };
  return sendQueued(stored, msg.envelope, message, rawSender(target, opts), outbox, opts, (entry) => {
    message.size = entry.size;
    message.eightBit = entry.eightBit;
    message.file = entry.file;
  });
}

/**
 * The one send pipeline of the extension and the command-line tool: a composed message (a stream, never held whole)
 * goes through `deliverStream` with its Message-ID, envelope and subject, its content key computed here
 * (`contentKey`), and `source`, the absolute path of the document it was composed from (when there is one): sent
 * again unchanged, it replaces its older waiting entries instead of piling up copies. A failure carries the outbox
 * entry in `extra.outboxEntryId`.
 */
export function deliverComposed(
  composed: ComposedStream,
  source: string | undefined,
  target: SmtpTarget,
  outbox: Outbox,
  opts: SmtpOptions = {},
): Promise<{ result: SendResult; entryId: string }> {
  const message: DeliverStreamMessage = {
    chunks: () => composed.chunks(),
    messageId: composed.messageId,
    envelope: composed.envelope,
    subject: composed.headers.subject,
    source,
    contentKey: contentKey(composed),
    account: composed.account || undefined,
  };
  return deliverStream(message, target, outbox, opts);
}

function metaOf(msg: Omit<DeliverMessage, 'raw'>): OutboxMeta {
  const meta: OutboxMeta = { messageId: msg.messageId, envelope: msg.envelope, subject: msg.subject, source: msg.source, contentKey: msg.contentKey, merge: msg.merge };
  if (msg.account) meta.account = msg.account;
  return meta;
}

/**
 * Sends while `stored` (the outbox write) completes; MAIL FROM waits for it. Records the outcome, which ends the
 * first send's claim (the record named this process as its sender).
 */
async function sendQueued<E extends OutboxEntry>(
  stored: Promise<E>,
  envelope: { from: string; to: string[] },
  message: BufferedMessage | StreamedMessage,
  sender: Sender,
  outbox: Outbox,
  opts: SmtpOptions,
  onStored?: (entry: E) => void,
  after: AfterAccepted = {},
): Promise<Delivered> {
  stored.catch(() => {}); // observed below; never an unhandled rejection
  const beforeMail = async (): Promise<void> => {
    let entry: E;
    try {
      entry = await stored;
    } catch (e) {
      throw notStored(outbox, e);
    }
    onStored?.(entry);
    opts.logger?.debug(`Queued ${entry.messageId} as outbox entry ${entry.id} (${entry.size} bytes)`);
  };
  let result: SendResult;
  try {
    result = await sender(envelope, message, beforeMail);
  } catch (e) {
    const entry = await stored.catch(() => undefined);
    // Not stored, so nothing was sent: the reason is why the store failed.
    if (!entry) throw notStored(outbox, await stored.then(() => e, (storeError: unknown) => storeError));
    const failure = await recordFailure(outbox, entry.id, e, opts);
    await supersede(outbox, entry, opts);
    throw failure;
  }
  const entry = await stored;
  const recorded = (async (): Promise<void> => {
    await recordSent(outbox, entry.id, result, opts, after.dropBytes);
    await supersede(outbox, entry, opts);
  })();
  if (!after.recordLater) await recorded;
  return { result, entryId: entry.id, sha256: entry.sha256, recorded };
}

/** Removes older waiting entries of the same document and content as `entry` (see Outbox.supersede); never throws. */
async function supersede(outbox: Outbox, entry: OutboxEntry, opts: SmtpOptions): Promise<void> {
  const id = entry.id;
  try {
    const removed = await outbox.supersede(entry);
    if (removed.length === 1) opts.logger?.info(l10n.t('Outbox entry {0} replaces the older entry of the same message: {1}.', id, removed[0]));
    else if (removed.length > 1) opts.logger?.info(l10n.t('Outbox entry {0} replaces the older entries of the same message: {1}.', id, removed.join(', ')));
  } catch (e) {
    opts.logger?.warn(l10n.t('Could not remove older outbox entries of the same message as {0}: {1}', id, String(e)));
  }
}

/**
 * Resends an outbox entry's exact bytes (same Message-ID) to the recipients still pending: the whole recorded
 * envelope, or for a partial entry those the server refused for now (never again to those that accepted it).
 * Throws OUTBOX_ENTRY_NOT_FOUND when there is no such entry and OUTBOX_ALREADY_SENT when the server
 * already accepted it.
 */
export async function retry(outbox: Outbox, id: string, target: SmtpTarget, opts: SmtpOptions = {}): Promise<SendResult> {
  transportOptions(target);
  return retryVia(outbox, id, rawSender(target, opts), opts);
}

/** `retry`, the entry sent by `sender` (a merge's connection); `after.dropBytes` as for `deliverStored`. */
export async function retryVia(outbox: Outbox, id: string, sender: Sender, opts: SmtpOptions = {}, after: Pick<AfterAccepted, 'dropBytes'> = {}): Promise<SendResult> {
  const found = await outbox.require(id);
  if (found.status === 'sent' || found.status === 'accepted') throw alreadySent(found);
  // One send of an entry at a time: a second retry (another window, another terminal) is refused while this one runs.
  const claim = await outbox.claim(id);
  let release = true;
  try {
    // Read again under the claim: a send that just finished may have changed it.
    const entry = await outbox.require(id);
    if (entry.status === 'sent' || entry.status === 'accepted') throw alreadySent(entry);
    // Checked against its recorded hash, then sent from the file: a large message is never held whole in memory.
    const { size, eightBit } = await outbox.checkedFile(entry);
    const envelope = { from: entry.envelope.from, to: entry.pendingRecipients ?? entry.envelope.to };
    opts.logger?.debug(`Retrying outbox entry ${id} (${entry.messageId}, attempt ${entry.attempts + 1}) to ${envelope.to.join(', ')}`);
    let result: SendResult;
    try {
      result = await sender(envelope, { messageId: entry.messageId, size, eightBit, file: entry.file }, async () => {});
    } catch (e) {
      throw await recordFailure(outbox, id, e, opts);
    }
    // Nothing recorded: the claim stays, so no retry in this process resends what the server accepted.
    release = await recordSent(outbox, id, result, opts, after.dropBytes);
    return result;
  } finally {
    if (release) await claim.release();
  }
}
