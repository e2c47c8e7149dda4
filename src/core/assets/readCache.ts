/**
 * The preview's cache of local files read by its composes, so an unchanged image is not read or hashed again.
 */
import * as crypto from 'crypto';
import type { CachedFile, LocalFileCache } from '../types';

/** What a ReadCache keeps of one file. */
interface Entry extends CachedFile {
  /** The compose that last used it (see `begin`). */
  used: number;
}

/**
 * Files read by the composes of one preview, by real path. A file is taken from here only when its size and
 * modification time (from a fresh `stat`) are what they were when it was read; the path policy is checked on every
 * compose all the same. Files the latest compose did not use are dropped (`end`), so the cache holds at most one
 * document's images.
 */
export class ReadCache implements LocalFileCache {
  private readonly files = new Map<string, Entry>();
  private generation = 0;

  /** Starts a compose. */
  begin(): void {
    this.generation++;
  }

  /** Ends a compose: forgets the files it did not use. */
  end(): void {
    for (const [file, entry] of this.files) if (entry.used !== this.generation) this.files.delete(file);
  }

  get(realPath: string, size: number, mtimeMs: number): CachedFile | undefined {
    const entry = this.files.get(realPath);
    if (!entry || entry.size !== size || entry.mtimeMs !== mtimeMs) return undefined;
    entry.used = this.generation;
    return entry;
  }

  set(realPath: string, size: number, mtimeMs: number, bytes: Buffer): CachedFile {
    const entry = { size, mtimeMs, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), used: this.generation };
    this.files.set(realPath, entry);
    return entry;
  }

  /** Number of files held, and their bytes. */
  get stats(): { files: number; bytes: number } {
    let bytes = 0;
    for (const e of this.files.values()) bytes += e.size;
    return { files: this.files.size, bytes };
  }
}
