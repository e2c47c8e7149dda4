/**
 * The record of a merge, beside the outbox: `<outboxDir>/merges/<mergeId>/`
 *   record.json    every row's state (pending, accepted, refused, deferred, unknown), written atomically
 *   journal.jsonl  one line per change, appended as it happens: a row claimed before its first byte goes out, the
 *                  server taking its bytes, its outcome. A run killed at any point (kill -9, Ctrl-C, a crash) leaves
 *                  the truth here; the next run replays it over record.json.
 *   lock           the run sending this merge (outboxClaim.ts: PID, host, start time): a second run is refused.
 * A row claimed by a run that is gone is 'deferred' (nothing of it reached the server: sent again, same bytes and
 * Message-ID from its outbox entry) or, when the server had started taking its bytes, 'unknown' (it may have been
 * delivered: not sent again unless asked).
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as path from 'path';
import { writeAtomic } from '../atomicFile';
import { ErrorCode, SendAsEmailError, isSendAsEmailError } from '../errors';
import type { Outbox, OutboxEntry } from '../send/outbox';
import { claimEntry, type OutboxClaim } from '../send/outboxClaim';
import type { SendResult } from '../types';
import type { MergePlan, MergeRecord, MergeRowRecord, MergeRowState } from './types';

const STATES: MergeRowState[] = ['pending', 'sending', 'accepted', 'refused', 'deferred', 'unknown'];

export function mergeDir(outboxDir: string, mergeId: string): string {
  return path.join(outboxDir, 'merges', mergeId);
}

/** A journal line: a row's new state (or `data`: the server started taking its bytes). */
interface JournalLine extends Partial<Omit<MergeRowRecord, 'state'>> {
  row: number;
  state: MergeRowState | 'data';
}

export function countStates(rows: readonly MergeRowRecord[]): Record<MergeRowState, number> {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<MergeRowState, number>;
  for (const r of rows) counts[r.state]++;
  return counts;
}

/** The record as kept, the journal replayed over it; undefined when the merge has never been sent. */
export async function readMergeRecord(outboxDir: string, mergeId: string): Promise<MergeRecord | undefined> {
  const dir = mergeDir(outboxDir, mergeId);
  let record: MergeRecord;
  try {
    record = JSON.parse(await fs.promises.readFile(path.join(dir, 'record.json'), 'utf8')) as MergeRecord;
  } catch {
    return undefined;
  }
  replay(record, await fs.promises.readFile(path.join(dir, 'journal.jsonl'), 'utf8').catch(() => ''));
  return record;
}

/** Every merge kept beside the outbox, newest first. */
export async function listMerges(outboxDir: string): Promise<MergeRecord[]> {
  const ids = await fs.promises.readdir(path.join(outboxDir, 'merges')).catch(() => [] as string[]);
  const records: MergeRecord[] = [];
  for (const id of ids) {
    const r = await readMergeRecord(outboxDir, id);
    if (r) records.push(r);
  }
  return records.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** Merges of the same document (or data file) that are not this one: the document or the data changed since. */
export async function earlierMerges(outboxDir: string, plan: Pick<MergePlan, 'mergeId' | 'documentPath' | 'dataSource'>): Promise<MergeRecord[]> {
  return (await listMerges(outboxDir)).filter((r) => r.mergeId !== plan.mergeId && (r.documentPath === plan.documentPath || r.dataSource === plan.dataSource));
}

function replay(record: MergeRecord, journal: string): void {
  const byRow = new Map(record.rows.map((r) => [r.row, r]));
  const dataStarted = new Set<number>();
  for (const text of journal.split('\n')) {
    if (!text.trim()) continue;
    let line: JournalLine;
    try {
      line = JSON.parse(text) as JournalLine;
    } catch {
      continue; // a line cut short by a kill: the row's earlier state stands
    }
    const row = byRow.get(line.row);
    if (!row) continue;
    if (line.state === 'data') {
      dataStarted.add(line.row);
      continue;
    }
    if (line.state === 'sending') dataStarted.delete(line.row);
    const { state, ...rest } = line;
    Object.assign(row, rest, { state });
    if (line.updatedAt && line.updatedAt > record.updatedAt) record.updatedAt = line.updatedAt;
  }
  // Claimed by a run that did not record the outcome (checked for liveness by the caller, under the lock).
  for (const row of record.rows) {
    if (row.state !== 'sending') continue;
    row.state = dataStarted.has(row.row) ? 'unknown' : 'deferred';
    row.reply ??= dataStarted.has(row.row)
      ? l10n.t('The run sending it stopped after the server started taking it: it may have been delivered.')
      : l10n.t('The run sending it stopped before the server took it.');
  }
  record.counts = countStates(record.rows);
}

/** A merge being sent: its lock, its record, its journal. Open it with `MergeStore.open`; `close()` it. */
export class MergeStore {
  private constructor(
    readonly dir: string,
    readonly record: MergeRecord,
    private readonly claim: OutboxClaim,
    private readonly journal: number,
  ) {}

  /**
   * Takes the merge's lock (MERGE_BUSY naming the process that holds it), then reads the record (or starts it from
   * the plan) and opens its journal.
   */
  static async open(outboxDir: string, plan: MergePlan): Promise<MergeStore> {
    const dir = mergeDir(outboxDir, plan.mergeId);
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    const lockFile = path.join(dir, 'lock');
    let claim: OutboxClaim;
    try {
      claim = await claimEntry(plan.mergeId, lockFile);
    } catch (e) {
      if (!isSendAsEmailError(e, ErrorCode.OUTBOX_ENTRY_BUSY)) throw e;
      const holder = (() => {
        try {
          return JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid?: number; host?: string; at?: string };
        } catch {
          return {};
        }
      })();
      throw new SendAsEmailError(
        ErrorCode.MERGE_BUSY,
        l10n.t('Merge {0} is being sent by process {1} on {2} since {3}; this run sends nothing.', plan.mergeId, holder.pid ?? '?', holder.host ?? '?', holder.at ?? '?'),
        { hint: l10n.t('Wait for that run to finish, or stop it; if that process is gone (on another computer, say), delete {0}.', lockFile), cause: e },
      );
    }
    try {
      const now = new Date().toISOString();
      const record: MergeRecord = (await readMergeRecord(outboxDir, plan.mergeId)) ?? {
        version: 1,
        mergeId: plan.mergeId,
        documentPath: plan.documentPath,
        dataSource: plan.dataSource,
        createdAt: now,
        updatedAt: now,
        rows: plan.rows.map((r) => ({ row: r.row, line: r.line, state: 'pending', to: r.to, attempts: 0 })),
        counts: countStates([]),
      };
      record.counts = countStates(record.rows);
      const journal = fs.openSync(path.join(dir, 'journal.jsonl'), 'a', 0o600);
      const store = new MergeStore(dir, record, claim, journal);
      await store.save();
      return store;
    } catch (e) {
      await claim.release();
      throw e;
    }
  }

  row(n: number): MergeRowRecord {
    const r = this.record.rows[n - 1];
    if (!r || r.row !== n) throw new Error(`merge record has no row ${n}`);
    return r;
  }

  /**
   * Records a row's new state: appended to the journal at once (synchronously, so it is in the file before the next
   * byte goes to the server, and a kill cannot lose it).
   */
  set(n: number, state: MergeRowState | 'data', change: Partial<MergeRowRecord> = {}): void {
    const updatedAt = new Date().toISOString();
    const line: JournalLine = { row: n, state, ...change, ...(state === 'data' ? {} : { updatedAt }) };
    fs.writeSync(this.journal, JSON.stringify(line) + '\n');
    if (state === 'data') return;
    Object.assign(this.row(n), change, { state, updatedAt });
    this.record.updatedAt = updatedAt;
  }

  /** Writes record.json (atomically) with the journal's changes; the journal is kept, a replay of it changes nothing. */
  async save(): Promise<void> {
    this.record.counts = countStates(this.record.rows);
    await writeAtomic(path.join(this.dir, 'record.json'), JSON.stringify(this.record, null, 1) + '\n');
  }

  async close(): Promise<void> {
    try {
      await this.save();
    } finally {
      fs.closeSync(this.journal);
      await this.claim.release();
    }
  }
}

/**
 * Records as sent an outbox entry of a merge whose record says the server accepted it: a run stopped before the outbox
 * recorded the acceptance (it does so while the next rows go out). After this, no retry, from the merge or from the
 * Outbox, sends it a second time. True when the entry was settled; `dropBytes` as for Outbox.markSent.
 */
export async function settleAcceptedEntry(outbox: Outbox, entry: OutboxEntry, record: MergeRecord | undefined, dropBytes: boolean): Promise<boolean> {
  if (!entry.merge || record?.mergeId !== entry.merge.id) return false;
  if (entry.status !== 'pending' && entry.status !== 'failed' && entry.status !== 'unknown') return false;
  const row = record.rows[entry.merge.row - 1];
  if (row?.state !== 'accepted' || row.entryId !== entry.id) return false;
  const result: SendResult = { messageId: entry.messageId, accepted: [...entry.envelope.to], rejected: [], deferred: [], response: row.reply ?? '', size: entry.size };
  return outbox.markSent(entry.id, result, { dropBytes }).then(
    () => true,
    () => false,
  );
}

/**
 * Before the Outbox's Retry of entry `id` (VS Code, `send-as-email retry`): an entry its merge's record has as
 * accepted is recorded as sent first (its bytes kept), so the retry refuses it as sent instead of sending it again.
 */
export async function settleMergeEntry(outbox: Outbox, id: string): Promise<void> {
  const entry = await outbox.get(id);
  if (!entry?.merge) return;
  await settleAcceptedEntry(outbox, entry, await readMergeRecord(outbox.dir, entry.merge.id), false);
}

/** The log of a merge as CSV: row, recipient, state, Message-ID, server reply (RFC 4180 quoting). */
export function mergeLogCsv(record: MergeRecord): string {
  const q = (v: unknown): string => {
    const s = v === undefined || v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = ['row,recipient,state,message_id,server_reply'];
  for (const r of record.rows) lines.push([r.row, r.to.join(' '), r.state, r.messageId, r.reply].map(q).join(','));
  return lines.join('\r\n') + '\r\n';
}
