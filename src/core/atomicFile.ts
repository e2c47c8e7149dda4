/**
 * Writing a file atomically, the one way every file of the product is written (the outbox's messages and records, a
 * saved .eml): a temporary file in the same folder, fsync, rename, fsync of the folder. A reader sees the old file or
 * the whole new one, never half of it, and a crash leaves no half-written file under the name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { processUnique } from './processUnique';

export async function fsyncDir(dir: string): Promise<void> {
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

export interface AtomicOptions {
  /** The new file's mode, before the umask: 0o600 (the user's alone) unless said otherwise. */
  mode?: number;
  /**
   * false: the folder is not fsynced after the rename, because the caller writes another file into the same folder
   * right after and that write's fsync of the folder makes both names durable (the outbox's message, then its record).
   */
  syncFolder?: boolean;
}

/**
 * Writes `file` atomically: `write` fills a temporary file in the same folder, then fsync, rename, and
 * fsync of the folder. On failure the temporary file is removed and `file` is untouched.
 */
export async function atomically<T>(file: string, write: (handle: fs.promises.FileHandle) => Promise<T>, options: AtomicOptions = {}): Promise<T> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${processUnique()}.tmp`);
  const handle = await fs.promises.open(tmp, 'wx', options.mode ?? 0o600);
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
  if (options.syncFolder !== false) await fsyncDir(dir);
  return result;
}

/**
 * Writes `data` to `file` atomically (`atomically`): a buffer or text whole, or chunks in order, each written before
 * the next is requested (so a source may reuse its buffer).
 */
export function writeAtomic(file: string, data: Buffer | string | AsyncIterable<Buffer>, options: AtomicOptions = {}): Promise<void> {
  return atomically(
    file,
    async (handle) => {
      if (typeof data === 'string' || Buffer.isBuffer(data)) return handle.writeFile(data);
      for await (const chunk of data) await writeAll(handle, chunk);
    },
    options,
  );
}

/** Writes all of `data` at the current position (a write to a file may be short, rarely). */
export async function writeAll(handle: fs.promises.FileHandle, data: Buffer): Promise<void> {
  for (let rest = data; rest.length > 0; ) rest = rest.subarray((await handle.write(rest)).bytesWritten);
}
