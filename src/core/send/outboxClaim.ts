/**
 * One send at a time per outbox entry. Before an entry is retried, its claim is taken: the file `outbox/<id>.lock`,
 * created exclusively (`open(..., 'wx')`) and holding who holds it (PID, host, when the process started, a random
 * token). It is removed when the send is over, also when it failed. A second claim, from another window, terminal or
 * call, is refused with OUTBOX_ENTRY_BUSY naming the process that holds it.
 *
 * The first send of an entry claims it without a file of its own: the entry's first record says which process is
 * sending it (`sendingBy`, written before anything can find the entry), and recording the outcome ends that claim.
 * A retry (holding the lock) refuses an entry whose record names a live sender. This costs the common path, one send,
 * no file created and removed (which made each send about 1.5 ms slower on loopback).
 *
 * A lock left behind by a process that is gone is stale and taken over: same host and the PID no longer alive, or
 * our own PID but written by an earlier process (PIDs repeat, in containers especially). A lock from another host
 * (a shared folder) cannot be checked and is respected. Taking over moves the stale file aside first, so of two
 * processes taking over at once only one succeeds.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { ErrorCode, SendAsEmailError } from '../errors';

/** Who holds a claim: what a lock file holds, and an entry's `sendingBy`. */
export interface ClaimOwner {
  pid: number;
  host: string;
  /** When the owning process started (ms since the epoch): tells a reused PID from the process that wrote it. */
  started: number;
  token: string;
  /** ISO time the claim was taken. */
  at: string;
}

export interface OutboxClaim {
  readonly id: string;
  /** Removes the lock if it is still ours. Never throws. */
  release(): Promise<void>;
}

/** When this process started, to the millisecond as well as `process.uptime` tells (fixed for the process). */
const PROCESS_STARTED = Date.now() - Math.round(process.uptime() * 1000);
/** A lock without a readable owner (its writer stopped between creating and filling it) is stale after this long. */
const UNREADABLE_LOCK_STALE_MS = 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(value: unknown): ClaimOwner | undefined {
  const o = (value !== null && typeof value === 'object' ? value : {}) as Partial<ClaimOwner>;
  if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.token !== 'string') return undefined;
  return { pid: o.pid, host: o.host, started: Number(o.started) || 0, token: o.token, at: String(o.at ?? '') };
}

function parseOwner(text: string): ClaimOwner | undefined {
  try {
    return ownerOf(JSON.parse(text));
  } catch {
    return undefined; // unreadable: see isStale
  }
}

function isStale(owner: ClaimOwner | undefined, mtimeMs: number): boolean {
  if (!owner) return Date.now() - mtimeMs > UNREADABLE_LOCK_STALE_MS;
  if (owner.host !== os.hostname()) return false;
  // Our own PID: ours only if this very process wrote it (a claim is never taken twice by one holder, so any lock
  // with our PID and start time is a live claim of this process: another send, the same entry).
  if (owner.pid === process.pid) return Math.abs(owner.started - PROCESS_STARTED) > 1000;
  return !isAlive(owner.pid);
}

function busy(id: string, owner: ClaimOwner | undefined, lockFile?: string): SendAsEmailError {
  let message: string;
  if (!owner) {
    message = l10n.t('Outbox entry {0} is being sent by another process, so it is not sent again now.', id);
  } else if (owner.pid === process.pid && owner.host === os.hostname()) {
    message = owner.at
      ? l10n.t('Outbox entry {0} is being sent by process {1} on {2} (this one) since {3}, so it is not sent again now.', id, owner.pid, owner.host, owner.at)
      : l10n.t('Outbox entry {0} is being sent by process {1} on {2} (this one), so it is not sent again now.', id, owner.pid, owner.host);
  } else {
    message = owner.at
      ? l10n.t('Outbox entry {0} is being sent by process {1} on {2} since {3}, so it is not sent again now.', id, owner.pid, owner.host, owner.at)
      : l10n.t('Outbox entry {0} is being sent by process {1} on {2}, so it is not sent again now.', id, owner.pid, owner.host);
  }
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_BUSY, message, {
    hint: lockFile
      ? l10n.t('Wait for that send to finish. If that process is gone (on another computer, say), delete {0}.', lockFile)
      : l10n.t('Wait for that send to finish.'),
  });
}

/** This process, as the owner of a new claim. */
export function thisProcess(): ClaimOwner {
  return { pid: process.pid, host: os.hostname(), started: PROCESS_STARTED, token: crypto.randomBytes(8).toString('hex'), at: new Date().toISOString() };
}

/** Whether `owner` (an entry's `sendingBy`) is a process that is still running: its send may still be going on. */
export function isLiveSender(owner: unknown): owner is ClaimOwner {
  const o = ownerOf(owner);
  return !!o && !isStale(o, Date.now());
}

/** Throws OUTBOX_ENTRY_BUSY when the record of entry `id` names a live sender (`sendingBy`). */
export function checkNotSending(id: string, sendingBy: unknown): void {
  if (isLiveSender(sendingBy)) throw busy(id, sendingBy);
}

/** The lock's content and age, or undefined when it is gone. */
async function readLock(file: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.promises.readFile(file, 'utf8'), fs.promises.stat(file)]);
    return { text, mtimeMs: stat.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Takes the claim on outbox entry `id` by creating `file` exclusively. Throws OUTBOX_ENTRY_BUSY when a live process
 * holds it; takes over a stale lock. Other file errors are thrown as they are.
 */
export async function claimEntry(id: string, file: string): Promise<OutboxClaim> {
  const owner = thisProcess();
  const content = JSON.stringify(owner) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    let handle: fs.promises.FileHandle | undefined;
    try {
      // Created exclusively ('wx'): of two claims, exactly one creates the file.
      handle = await fs.promises.open(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (handle) {
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return { id, release: () => releaseLock(file, owner.token) };
    }
    const lock = await readLock(file);
    if (!lock) continue; // released meanwhile: try again
    const holder = parseOwner(lock.text);
    if (!isStale(holder, lock.mtimeMs)) throw busy(id, holder, file);
    // Move the stale lock aside: exactly one of several takers moves this file.
    const aside = `${file}.${owner.token}.stale`;
    try {
      await fs.promises.rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await fs.promises.readFile(aside, 'utf8').catch(() => lock.text);
    if (moved !== lock.text) {
      // Another taker replaced the stale lock with its own live one in between: put it back, it holds the entry.
      await fs.promises.link(aside, file).catch(() => {});
      await fs.promises.rm(aside, { force: true });
      throw busy(id, parseOwner(moved), file);
    }
    await fs.promises.rm(aside, { force: true });
  }
  throw busy(id, parseOwner((await readLock(file))?.text ?? ''), file);
}

async function releaseLock(file: string, token: string): Promise<void> {
  try {
    if (parseOwner(await fs.promises.readFile(file, 'utf8'))?.token === token) await fs.promises.rm(file, { force: true });
  } catch {
    // A lock that cannot be removed is stale once this process ends.
  }
}

/** Whether a live process holds the lock `file` (a retry recording its outcome, say). */
export async function isClaimed(file: string): Promise<boolean> {
  const lock = await readLock(file).catch(() => undefined);
  return !!lock && !isStale(parseOwner(lock.text), lock.mtimeMs);
}
