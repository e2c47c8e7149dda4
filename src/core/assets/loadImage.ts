/**
 * An image's bytes and type, from a local file (under the workspace policy), a data: URL or a download.
 */
import * as path from 'path';
import { ErrorCode } from '../errors';
import type { InlineImage, LocalFileCache } from '../types';
import type { AssetContext } from './assetContext';
import { type Failure, type LocalResult, type Reason, readLocal } from './localFile';
import { detectImageType, type ImageType } from './mimeType';
import { shorten } from './problems';
import { safeDecode } from './resolve';

const DEFAULT_REMOTE_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;

/** `bytes`: the whole file, or empty when `file` is set (read again later); `sha256` when already known. */
export type LoadedImage = {
  ok: true;
  bytes: Buffer;
  size: number;
  type: ImageType;
  source: string;
  filename: string;
  cid?: string;
  sha256?: string;
  file?: string;
  mtimeMs?: number;
  /** A converted SVG: the size it is shown at (CSS pixels), half its pixels. */
  displaySize?: { width: number; height: number };
};
export type LoadResult = LoadedImage | Failure;

/**
 * Bytes of a `data:` URI (base64 or percent-encoded, decoded by the `data-urls` package as the Fetch standard says),
 * or undefined when it is malformed. `mediaType`: the type it names, '' when it names none.
 */
export async function decodeDataUri(uri: string): Promise<{ mediaType: string; bytes: Buffer } | undefined> {
  // Loaded on first use: with whatwg-url and its IDNA tables it is a large module, and most documents have no data: URL.
  const { default: parseDataUrl } = await import('data-urls');
  const parsed = parseDataUrl(uri);
  if (!parsed) return undefined;
  const named = uri.slice('data:'.length, uri.indexOf(',')).trim();
  const mediaType = named === '' || named.startsWith(';') ? '' : parsed.mimeType.essence;
  return { mediaType, bytes: Buffer.from(parsed.body.buffer, parsed.body.byteOffset, parsed.body.byteLength) };
}

function withExtension(name: string, type: ImageType): string {
  return path.extname(name) ? name : `${name}.${type.ext}`;
}

/**
 * Loads a local image. `pool` given: the file is hashed (its bytes are read again when the message is built) through
 * buffers from the pool; otherwise its bytes are kept.
 */
async function loadFile(
  target: { path: string; alt?: string },
  roots: string[],
  allowOutside: boolean,
  pool?: Buffer[],
  cache?: LocalFileCache,
): Promise<LoadResult> {
  const codes = { notFound: ErrorCode.IMAGE_NOT_FOUND, outside: ErrorCode.IMAGE_OUTSIDE_WORKSPACE };
  // A hashed file's type is told from its first read, while that is in the buffer.
  let headType: ImageType | undefined;
  const read = (file: string): Promise<LocalResult> =>
    readLocal(file, roots, allowOutside, codes, pool && { pool, inspect: (head) => (headType = detectImageType(head, file)) }, cache);
  let res = await read(target.path);
  // `my%20chart.png` is tried as `my chart.png` first; a file really named with the % sequence comes next.
  if (!res.ok && target.alt && res.code === ErrorCode.IMAGE_NOT_FOUND) {
    const alt = await read(target.alt);
    if (alt.ok) res = alt;
  }
  if (!res.ok) return res;
  const type = pool ? headType : detectImageType(res.bytes, res.path);
  if (!type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'not-an-image' }, path: res.path };
  return {
    ok: true,
    bytes: res.bytes,
    size: res.size,
    sha256: res.sha256,
    file: pool ? res.realPath : undefined,
    mtimeMs: pool ? res.mtimeMs : undefined,
    type,
    source: res.path,
    filename: withExtension(path.basename(res.path), type),
  };
}

/**
 * Loads local images for one document under its policy: kept in memory, through the preview's cache when it has one;
 * or, when `keepContent` is false, hashed through a pool of read buffers shared by all of its reads.
 */
export function localImageLoader(ctx: AssetContext, roots: string[]): (target: { path: string; alt?: string }) => Promise<LoadResult> {
  const pool = (ctx.keepContent ?? true) ? undefined : [];
  return (target) => loadFile(target, roots, ctx.allowOutsideWorkspace, pool, pool ? undefined : ctx.readCache);
}

/** The inline part of a loaded image: its bytes, or (hashed only) the file they are read from when the message is built. */
export function inlinePart(res: LoadedImage, cid: string, refs: InlineImage['refs']): InlineImage {
  const held = res.file === undefined;
  return {
    cid,
    filename: res.filename,
    contentType: res.type.contentType,
    size: res.size,
    content: held ? res.bytes : Buffer.alloc(0),
    ...(held ? {} : { file: res.file, fileMtimeMs: res.mtimeMs }),
    source: res.source,
    refs,
  };
}

export async function loadData(url: string, n: number): Promise<LoadResult> {
  const decoded = await decodeDataUri(url);
  const type = decoded && detectImageType(decoded.bytes);
  if (!decoded || !type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'not-an-image' } };
  return { ok: true, bytes: decoded.bytes, size: decoded.bytes.length, type, source: shorten(url), filename: `image-${n}.${type.ext}` };
}

/** Downloads a remote image with a size cap and a timeout. Aborting `signal` rejects with its reason. */
export async function loadRemote(url: string, n: number, ctx: AssetContext): Promise<LoadResult> {
  const maxBytes = ctx.remote?.maxBytes ?? DEFAULT_REMOTE_MAX_BYTES;
  const timeoutMs = ctx.remote?.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const fail = (reason: Reason): Failure => ({ ok: false, code: ErrorCode.IMAGE_REMOTE_FAILED, reason });
  let bytes: Buffer;
  try {
    const res = await fetch(url, { signal, redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return fail({ kind: 'http', status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      return fail({ kind: 'too-large', limit: maxBytes });
    }
    const chunks: Buffer[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          return fail({ kind: 'too-large', limit: maxBytes });
        }
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    }
    bytes = Buffer.concat(chunks, total);
  } catch (e) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (timeout.aborted) return fail({ kind: 'timeout', seconds: Math.round(timeoutMs / 1000) });
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return fail({ kind: 'download-failed', detail: cause?.code ?? cause?.message ?? (e as Error).message });
  }
  const type = detectImageType(bytes, new URL(url).pathname);
  if (!type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'not-an-image' } };
  const base = safeDecode(path.posix.basename(new URL(url).pathname));
  return { ok: true, bytes, size: bytes.length, type, source: url, filename: base ? withExtension(base, type) : `image-${n}.${type.ext}` };
}
