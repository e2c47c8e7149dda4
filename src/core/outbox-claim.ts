/**
 * One send at a time per outbox entry. Before an entry is sent (the first send or a retry), its claim is taken: the
 * file `outbox/<id>.lock`, created exclusively (`open(..., 'wx')`) and holding who holds it (PID, host, when the
 * process started, a random token). It is removed when the send is over, also when it failed. A second claim, from
 * another window, terminal or call, is refused with OUTBOX_ENTRY_BUSY naming the process that holds it.
 *
 * A lock left behind by a process that is gone is stale and taken over: same host and the PID no longer alive, or
 * our own PID but written by an earlier process (PIDs repeat, in containers especially). A lock from another host
 * (a shared folder) cannot be checked and is respected. Taking over moves the stale file aside first, so of two
 * processes taking over at once only one succeeds.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { ErrorCode, SendAsEmailError } from './errors';

/** What a lock file holds. */
interface LockOwner {
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

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') {
      return { pid: o.pid, host: o.host, started: Number(o.started) || 0, token: o.token, at: String(o.at ?? '') };
    }
  } catch {
    // unreadable: see isStale
  }
  return undefined;
}

function isStale(owner: LockOwner | undefined, mtimeMs: number): boolean {
  if (!owner) return Date.now() - mtimeMs > UNREADABLE_LOCK_STALE_MS;
  if (owner.host !== os.hostname()) return false;
  // Our own PID: ours only if this very process wrote it (a claim is never taken twice by one holder, so any lock
  // with our PID and start time is a live claim of this process: another send, the same entry).
  if (owner.pid === process.pid) return Math.abs(owner.started - PROCESS_STARTED) > 1000;
  return !isAlive(owner.pid);
}

function busy(id: string, file: string, owner: LockOwner | undefined): SendAsEmailError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host}${owner.pid === process.pid && owner.host === os.hostname() ? ' (this one)' : ''}${owner.at ? ` since ${owner.at}` : ''}`
    : 'another process';
  return new SendAsEmailError(ErrorCode.OUTBOX_ENTRY_BUSY, `Outbox entry ${id} is being sent by ${who}, so it is not sent again now.`, {
    hint: `Wait for that send to finish. If that process is gone (on another computer, say), delete ${file}.`,
  });
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
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    started: PROCESS_STARTED,
    token: crypto.randomBytes(8).toString('hex'),
    at: new Date().toISOString(),
  };
  const content = JSON.stringify(owner) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    let handle: fs.promises.FileHandle | undefined;
    try {
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
    if (!isStale(holder, lock.mtimeMs)) throw busy(id, file, holder);
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
      throw busy(id, file, parseOwner(moved));
    }
    await fs.promises.rm(aside, { force: true });
  }
  throw busy(id, file, parseOwner((await readLock(file))?.text ?? ''));
}

async function releaseLock(file: string, token: string): Promise<void> {
  try {
    const lock = await readLock(file);
    if (lock && parseOwner(lock.text)?.token === token) await fs.promises.rm(file, { force: true });
  } catch {
    // A lock that cannot be removed is stale once this process ends.
  }
}

/** Whether a live process holds the claim on the entry whose lock is `file` (for listing an entry being stored). */
export async function isClaimed(file: string): Promise<boolean> {
  const lock = await readLock(file).catch(() => undefined);
  return !!lock && !isStale(parseOwner(lock.text), lock.mtimeMs);
}
