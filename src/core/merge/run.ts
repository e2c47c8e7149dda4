/**
 * Sending a merge (the contract is in types.ts): each row still to send is composed, stored in the outbox and sent
 * like a single send (deliver.ts `deliverVia`; a row that already has an outbox entry is resent from it, same bytes
 * and Message-ID, `retryVia`), one message after the other over one connection (send/channel.ts). Every row is
 * claimed in the merge's journal before its first byte leaves, and its outcome recorded as soon as the server
 * answers (record.ts), under the merge's lock: no run, killed or concurrent, sends a row twice.
 *
 * Rate: at most `rate` messages per minute. A reply asking to slow down (`421`, or a 4xx saying "too many" / rate /
 * limit) halves the pace, waits, and sends the row again; a row refused for now otherwise (greylisting) is tried
 * again at the end of the run, up to `maxAttempts` times, then left deferred for the next run.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError, isSendAsEmailError, toSendAsEmailError } from '../errors';
import { findProvider, providerForHost } from '../accounts/providers';
import { SmtpChannel } from '../send/channel';
import { transportOptions } from '../send/connectionOptions';
import { deliverStored, retryVia, storeFor, type DeliverMessage, type Sender } from '../send/deliver';
import { newEntryId, Outbox } from '../send/outbox';
import type { OutboxEntry } from '../send/outbox';
import type { SendResult } from '../types';
import { writeAtomic } from '../atomicFile';
import { mergeLogCsv, MergeStore, settleAcceptedEntry } from './record';
import type { MergeOutcome, MergePlan, MergeRowRecord, MergeRowState, RunMergeOptions } from './types';

/** A row composed, claimed, and being stored in the outbox. */
interface Prepared {
  msg: DeliverMessage;
  stored: Promise<OutboxEntry>;
  /** The row's state before it was claimed (put back if it could not be stored). */
  previous?: { state: MergeRowState; reply?: string };
}

/** Accepted rows whose outbox record may still be being written when the next row is sent. */
const MAX_RECORDING = 4;

interface Queued {
  row: number;
  notBefore: number;
  tries: number;
}

/**
 * Messages per minute a merge sends at: the rate asked for (0: no limit), else the provider's published limit (the
 * account's preset, or the preset whose server the account uses: Microsoft 365's 30 per minute), else no limit.
 */
export function mergeRate(asked: number | undefined, target: { host: string; provider?: string }): number | undefined {
  if (asked !== undefined) return asked;
  const preset = (target.provider ? findProvider(target.provider) : undefined) ?? providerForHost(target.host);
  return preset?.limits?.messagesPerMinute;
}

/** A reply that asks the client to slow down: 421 (closing, try later), or a 4xx about too many messages or a rate. */
export function isSlowDown(reply: string): boolean {
  return /^421\b/.test(reply.trim()) || (/^4\d\d\b/.test(reply.trim()) && /too many|rate|limit|throttl|slow down|exceeded/i.test(reply));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runMerge(plan: MergePlan, options: RunMergeOptions): Promise<MergeOutcome> {
  if (plan.errors.length > 0) {
    const rows = new Set(plan.rows.filter((r) => r.errors.length > 0).map((r) => r.row)).size;
    throw new SendAsEmailError(
      ErrorCode.MERGE_ROW_INVALID,
      rows === 1 ? l10n.t('{0} Nothing was sent.', plan.errors[0].message) : l10n.t('{0} rows cannot be sent; the first: {1} Nothing was sent.', rows, plan.errors[0].message),
      { problems: plan.errors, hint: l10n.t('Fix the data file or the placeholders, then run the merge again.') },
    );
  }
  // Settings problems stop the merge before anything is claimed.
  transportOptions(options.target);
  const outbox = new Outbox(options.outboxDir);
  const logger = options.logger;
  const smtpOpts = { logger, isLoopbackAddress: options.isLoopbackAddress };
  const channel = new SmtpChannel(options.target, smtpOpts);
  const redirect = options.redirectTo;
  const store = redirect ? undefined : await MergeStore.open(options.outboxDir, plan);
  if (store) await settleAccepted(outbox, store, !options.keepSent);
  const backoff = options.backoffMs ?? 5000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const rate = mergeRate(options.rate, options.target);
  let interval = rate && rate > 0 ? 60_000 / rate : 0;
  let slowDowns = 0;
  const outcome = { accepted: 0, refused: 0, deferred: 0, cancelled: false };
  /** Rows composed, claimed and being stored ahead of their turn. */
  const prepared = new Map<number, Promise<Prepared>>();
  /** Accepted rows whose outbox entry is being moved to sent/. */
  const recording = new Set<Promise<void>>();
  try {
    const chosen = (redirect ? plan.rows.map((r) => r.row) : store!.record.rows.filter((r) => sendable(r.state, options.retryUnknown)).map((r) => r.row)).filter(
      (n) => !options.rows || options.rows.includes(n),
    );
    const todo = options.limit !== undefined ? chosen.slice(0, Math.max(0, options.limit)) : chosen;
    const queue: Queued[] = todo.map((row) => ({ row, notBefore: 0, tries: 0 }));
    const started = Date.now();
    let done = 0;
    let lastStart = 0;
    let lastSave = Date.now();
    // The next row is composed, claimed and stored in the outbox while the current one is on the wire (compose is
    // CPU, the store waits on the disk, the send on the server). Only rows composed anew: a row resent from its outbox
    // entry needs neither.
    const prefetch = (n: number | undefined): void => {
      if (n === undefined || prepared.has(n)) return;
      if (store?.row(n).entryId) return;
      const p = prepareRow(n);
      p.catch(() => {}); // observed when the row's turn comes
      prepared.set(n, p);
    };
    while (queue.length > 0) {
      if (options.signal?.aborted) {
        outcome.cancelled = true;
        break;
      }
      const item = queue.shift()!;
      await sleep(Math.max(item.notBefore, lastStart + interval) - Date.now(), options.signal);
      if (options.signal?.aborted) {
        outcome.cancelled = true;
        break;
      }
      lastStart = Date.now();
      item.tries++;
      prefetch(item.row);
      const ready = prepared.get(item.row);
      prepared.delete(item.row);
      const sent = sendRow(item.row, ready);
      prefetch(queue[0]?.row);
      prefetch(queue[1]?.row);
      const result = await sent;
      if (result.state === 'deferred' && item.tries < maxAttempts) {
        if (result.slowDown) {
          slowDowns++;
          interval = Math.max(interval * 2, backoff / 5);
          logger?.warn(l10n.t('The server asks to slow down ({0}): row {1} is sent again, now at most {2} messages per minute.', result.reply ?? '', item.row, Math.round(60_000 / interval)));
          queue.unshift({ ...item, notBefore: Date.now() + Math.min(backoff * 2 ** (slowDowns - 1), 300_000) });
        } else {
          queue.push({ ...item, notBefore: Date.now() + backoff * item.tries });
        }
        continue;
      }
      done++;
      if (result.state === 'accepted') outcome.accepted++;
      else if (result.state === 'refused') outcome.refused++;
      else outcome.deferred++;
      if (store && Date.now() - lastSave > 2000) {
        lastSave = Date.now();
        await store.save();
        await writeLog();
      }
      const elapsed = Date.now() - started;
      const left = todo.length - done;
      options.onProgress?.({
        done,
        total: todo.length,
        ratePerMinute: elapsed > 0 ? (done * 60_000) / elapsed : 0,
        etaMs: done > 0 ? Math.max((elapsed / done) * left, interval * left) : 0,
        row: store?.row(item.row) ?? { row: item.row, line: 0, state: result.state, to: [redirect!], attempts: item.tries, reply: result.reply },
      });
    }
  } finally {
    await Promise.all(recording);
    await releasePrepared();
    await channel.close().catch(() => {});
    await store?.close();
    await writeLog();
  }
  const record = store?.record ?? {
    version: 1 as const,
    mergeId: plan.mergeId,
    documentPath: plan.documentPath,
    dataSource: plan.dataSource,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    rows: [],
    counts: { pending: 0, sending: 0, accepted: 0, refused: 0, deferred: 0, unknown: 0 },
  };
  return { mergeId: plan.mergeId, record, ...outcome, connections: channel.connections };

  /** The log CSV, when asked for: rewritten as the record is saved (every 2 s and at the end), never half-written. */
  async function writeLog(): Promise<void> {
    if (!store || !options.logFile) return;
    try {
      await writeAtomic(options.logFile, mergeLogCsv(store.record), { mode: 0o666 });
    } catch (e) {
      logger?.warn(l10n.t('The merge log {0} could not be written: {1}', options.logFile, e instanceof Error ? e.message : String(e)));
    }
  }

  /** Composes row `n`, claims it in the journal, and starts storing it in the outbox. */
  async function prepareRow(n: number): Promise<Prepared> {
    const composed = await plan.renderRow(n, redirect ? { to: redirect, cc: [], bcc: [] } : undefined);
    const rec = store?.row(n);
    const previous = rec ? { state: rec.state, reply: rec.reply } : undefined;
    // The journal names the entry before it is stored: a run killed from here on leaves the row to be sent from that
    // entry (or composed anew if it was not stored whole), never a second entry beside it.
    const entryId = redirect ? undefined : newEntryId();
    store?.set(n, 'sending', { attempts: (rec?.attempts ?? 0) + 1, messageId: composed.messageId, to: composed.envelope.to, entryId });
    const msg: DeliverMessage = {
      raw: composed.raw,
      messageId: composed.messageId,
      envelope: composed.envelope,
      subject: composed.headers.subject,
      ...(redirect ? {} : { merge: { id: plan.mergeId, row: n } }),
    };
    return { msg, stored: storeFor(msg, outbox, entryId), previous };
  }

  /**
   * Rows prepared but not sent (the run stopped): each stays pending, with its stored entry (sent from it next time),
   * and the entry no longer names this process as its sender (a later run in this same process may send it).
   */
  async function releasePrepared(): Promise<void> {
    for (const [n, p] of prepared) {
      const ready = await p.catch(() => undefined);
      if (!ready) continue; // not composed: nothing was claimed
      const entry = await ready.stored.catch(() => undefined);
      if (!entry) {
        if (ready.previous) store?.set(n, ready.previous.state, { reply: ready.previous.reply });
        continue;
      }
      const reply = l10n.t('Not sent: the run stopped before its turn.');
      await outbox.markFailed(entry.id, { code: ErrorCode.SMTP_CANCELLED, message: reply }).catch(() => {});
      // Still pending (never tried), now with the entry it is sent from.
      store?.set(n, 'pending', { entryId: entry.id, reply });
    }
    prepared.clear();
  }

  /** Sends one row and records its outcome. Throws (after recording) what stops the whole run. */
  async function sendRow(n: number, preparing?: Promise<Prepared>): Promise<{ state: MergeRowState; reply?: string; slowDown?: boolean }> {
    const rec = store?.row(n);
    const previous = rec ? { state: rec.state, reply: rec.reply } : undefined;
    // A row sent before goes again from its outbox entry (same bytes, same Message-ID), unless that entry is gone
    // (the outbox was cleared): then it is composed anew.
    // (A row composed ahead for this turn has its new entry: that one is sent. An entry whose record was never
    // written never left: its file is removed, and the row composed anew.)
    const found = !preparing && rec?.entryId ? await outbox.get(rec.entryId) : undefined;
    if (found?.status === 'unreadable') await outbox.discardUnrecorded(found.id);
    const existing = found && found.status !== 'unreadable' ? found.id : undefined;
    const sender: Sender = (envelope, message, beforeMail) => channel.send(envelope, message, { beforeMail, onData: () => store?.set(n, 'data') });
    // Composed before the row is claimed: a row that cannot be composed (an image gone) stops the run, nothing sent.
    const ready = existing ? undefined : await (preparing ?? prepareRow(n));
    const before = ready ? ready.previous : previous;
    if (existing) store?.set(n, 'sending', { attempts: (rec?.attempts ?? 0) + 1 });
    try {
      let result: SendResult;
      let entryId: string;
      let sha256: string | undefined;
      if (existing) {
        result = await retryVia(outbox, existing, sender, smtpOpts, { dropBytes: !options.keepSent });
        entryId = existing;
        sha256 = (await outbox.get(existing))?.sha256;
      } else {
        let recorded: Promise<void>;
        ({ result, entryId, sha256, recorded } = await deliverStored(ready!.stored, ready!.msg, outbox, sender, smtpOpts, { recordLater: true, dropBytes: !options.keepSent }));
        // The outbox records the acceptance while the next row goes out (the journal has it first, below).
        recording.add(recorded);
        void recorded.then(() => recording.delete(recorded));
      }
      const deferredReply = result.deferred.map((d) => `${d.address}: ${d.response}`).join('; ');
      const state: MergeRowState = result.deferred.length > 0 ? 'deferred' : 'accepted';
      const reply = state === 'accepted' ? result.response : deferredReply;
      store?.set(n, state, { entryId, messageId: result.messageId, sha256, reply });
      if (recording.size > MAX_RECORDING) await Promise.race(recording);
      return { state, reply, slowDown: state === 'deferred' && result.deferred.some((d) => isSlowDown(d.response)) };
    } catch (e) {
      const err = toSendAsEmailError(e);
      const entryId = err.extra.outboxEntryId ?? existing;
      if (isSendAsEmailError(err, ErrorCode.OUTBOX_ALREADY_SENT) && entryId) {
        // Sent meanwhile (`send-as-email retry` of its entry): the outbox's record says so.
        const entry = await outbox.get(entryId);
        store?.set(n, 'accepted', { entryId, messageId: entry?.messageId, sha256: entry?.sha256, reply: entry?.result?.response });
        return { state: 'accepted' };
      }
      const reply = err.extra.serverResponse ?? (isSlowDown(channel.lastReply) ? channel.lastReply : undefined) ?? (err.extra.deferred?.length ? err.extra.deferred.map((d) => d.response).join('; ') : err.extra.rejected?.map((d) => d.response).join('; ')) ?? err.message;
      // A connection or login that failed (a 535, TLS, the server down) is not the row's: it stays to be sent.
      const state: MergeRowState = channel.openFailed
        ? 'deferred'
        : err.extra.deliveryUnknown
        ? 'unknown'
        : err.extra.deferred?.length
          ? 'deferred'
          : err.code === ErrorCode.SMTP_RECIPIENTS_REJECTED || /^5\d\d/.test(err.extra.serverResponse ?? '')
            ? 'refused'
            : 'deferred';
      if (!entryId && before) {
        // Not stored, so not sent (the outbox could not be written): the row is as it was.
        store?.set(n, before.state, { reply: before.reply });
        throw err;
      }
      store?.set(n, state, { ...(entryId ? { entryId } : {}), reply });
      // No connection at all (server down, login refused, TLS): nothing more can be sent in this run.
      if (channel.openFailed) throw err;
      return { state, reply, slowDown: state === 'deferred' && isSlowDown(reply) };
    }
  }
}

/** Rows the record has as accepted whose outbox entry still waits in outbox/: recorded as sent (record.ts). */
async function settleAccepted(outbox: Outbox, store: MergeStore, dropBytes: boolean): Promise<void> {
  for (const entry of await outbox.pending()) await settleAcceptedEntry(outbox, entry, store.record, dropBytes);
}

function sendable(state: MergeRowState, retryUnknown?: boolean): boolean {
  return state === 'pending' || state === 'deferred' || (retryUnknown === true && state === 'unknown');
}

export type { MergeRowRecord };
