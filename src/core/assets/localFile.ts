/**
 * Reading a local file under the workspace policy: its real path (symlinks followed) checked against the allowed
 * roots, then its bytes read (or taken from the preview's cache), or only hashed.
 */
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import { ErrorCode } from '../errors';
import type { LocalFileCache } from '../types';
import { isInside } from './resolve';

/** Why a local file cannot be used (problems.ts words it). */
export type FileReason = { kind: 'not-found' } | { kind: 'outside' } | { kind: 'not-a-file' } | { kind: 'denied' } | { kind: 'unreadable'; detail: string };

/** Why an image cannot be embedded: a file reason, or one of its bytes or its download. */
export type Reason =
  | FileReason
  | { kind: 'not-an-image' }
  | { kind: 'not-local' }
  | { kind: 'http'; status: number }
  | { kind: 'too-large'; limit: number }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'download-failed'; detail: string }
  // an SVG that resvg cannot read, with its message
  | { kind: 'svg-failed'; detail: string };

/** `path`: the resolved path; `shown`: how to show it when that differs (a symlink and where it leads). */
export type Failure<R extends Reason = Reason> = { ok: false; code: ErrorCode; reason: R; path?: string; shown?: string };

export type LocalResult = { ok: true; bytes: Buffer; path: string; size: number; sha256?: string; mtimeMs?: number; realPath: string } | Failure<FileReason>;

/** Instead of keeping a file's bytes: hash it through a buffer from `pool`, showing its head to `inspect`. */
export interface HashOnly {
  /** Spare 64 KB read buffers, shared by the reads of one document. */
  pool: Buffer[];
  /** Sees the first read (up to 64 KB, enough to tell an image type); the bytes are only valid during the call. */
  inspect(head: Buffer): void;
}

/**
 * Reads a file once through a pooled buffer (no garbage per file or chunk): its SHA-256, its size and its
 * modification time.
 */
async function hashFile(file: string, { pool, inspect }: HashOnly): Promise<{ size: number; sha256: string; mtimeMs: number }> {
  const hash = crypto.createHash('sha256');
  const chunk = pool.pop() ?? Buffer.allocUnsafe(64 * 1024);
  let size = 0;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const mtimeMs = (await handle.stat()).mtimeMs;
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        const data = chunk.subarray(0, bytesRead);
        if (size === 0) inspect(data);
        hash.update(data);
        size += bytesRead;
      }
      return { size, sha256: hash.digest('hex'), mtimeMs };
    } finally {
      await handle.close();
    }
  } finally {
    pool.push(chunk);
  }
}

/**
 * Reads a local file under the workspace policy: the real path (symlinks followed) must be inside a root unless
 * `allowOutside`. `codes` picks the image or attachment error codes. With `hashOnly` the bytes are hashed, not kept.
 */
export async function readLocal(
  file: string,
  roots: string[],
  allowOutside: boolean,
  codes: { notFound: ErrorCode; outside: ErrorCode },
  hashOnly?: HashOnly,
  cache?: LocalFileCache,
): Promise<LocalResult> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    if (!allowOutside && !isInside(file, roots)) return { ok: false, code: codes.outside, reason: { kind: 'outside' }, path: file };
    return { ok: false, code: codes.notFound, reason: fsReason(e), path: file };
  }
  if (!allowOutside && !isInside(real, roots)) {
    return { ok: false, code: codes.outside, reason: { kind: 'outside' }, path: real, shown: real === file ? undefined : `${file} -> ${real}` };
  }
  try {
    const stat = await fs.stat(real);
    if (!stat.isFile()) return { ok: false, code: codes.notFound, reason: { kind: 'not-a-file' }, path: file };
    if (!hashOnly && cache) {
      const hit = cache.get(real, stat.size, stat.mtimeMs);
      if (hit) return { ok: true, bytes: hit.bytes, sha256: hit.sha256, path: file, size: hit.size, realPath: real };
      const bytes = await fs.readFile(real);
      // Kept only when the file did not change while it was read.
      const after = await fs.stat(real);
      if (after.size !== bytes.length || after.mtimeMs !== stat.mtimeMs) return { ok: true, bytes, path: file, size: bytes.length, realPath: real };
      const entry = cache.set(real, bytes.length, stat.mtimeMs, bytes);
      return { ok: true, bytes, sha256: entry.sha256, path: file, size: bytes.length, realPath: real };
    }
    if (!hashOnly) {
      const bytes = await fs.readFile(real);
      return { ok: true, bytes, path: file, size: bytes.length, realPath: real };
    }
    return { ok: true, bytes: Buffer.alloc(0), ...(await hashFile(real, hashOnly)), path: file, realPath: real };
  } catch (e) {
    return { ok: false, code: codes.notFound, reason: fsReason(e), path: file };
  }
}

/** Why a file could not be read: not found, permission denied, or another error (its code). */
export function fsReason(e: unknown): Extract<FileReason, { kind: 'not-found' | 'denied' | 'unreadable' }> {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'not-found' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
  return { kind: 'unreadable', detail: code ?? String(e) };
}
