/**
 * Local resources of the HTML: every image reference is found (with cheerio and postcss, never a regex over the
 * document), resolved, checked against the workspace policy, read once, deduplicated by content and rewritten to
 * `cid:`. Front matter attachments go through the same path policy.
 */
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { domainToASCII, fileURLToPath } from 'url';
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { formatBytes } from '../format';
import { attachmentContentType, detectImageType, type ImageType } from './mimeType';
import { forEachElement } from '../source/render';
import type { InlineImage, Warning, WarningKind } from '../types';

export interface AssetContext {
  /** Absolute path of the document: relative references resolve against its folder. */
  docPath: string;
  /** The source text, to find each reference's line. */
  sourceText: string;
  /** Workspace folders; when empty, the document's own folder is the only allowed place. */
  workspaceFolders: string[];
  allowOutsideWorkspace: boolean;
  embedRemote: boolean;
  remote?: { maxBytes?: number; timeoutMs?: number };
  signal?: AbortSignal;
  /** Domain part of the Content-IDs. */
  cidDomain: string;
  /**
   * false: local images are hashed while read from disk and not kept in memory (mimeBuild.ts reads them again
   * when the message is built); `InlineImage.content` is then empty and `file` is set. Default true.
   */
  keepContent?: boolean;
  /**
   * Local files kept from earlier composes of the same document (the preview): a file whose size and modification
   * time are unchanged is not read or hashed again. Never given by a send.
   */
  readCache?: ReadCache;
}

/** What a ReadCache keeps of one file. */
interface CachedFile {
  size: number;
  mtimeMs: number;
  bytes: Buffer;
  sha256: string;
  /** The compose that last used it (see `begin`). */
  used: number;
}

/**
 * Files read by the composes of one preview, by real path. A file is taken from here only when its size and
 * modification time (from a fresh `stat`) are what they were when it was read; the path policy is checked on every
 * compose all the same. Files the latest compose did not use are dropped (`end`), so the cache holds at most one
 * document's images.
 */
export class ReadCache {
  private readonly files = new Map<string, CachedFile>();
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

export interface EmbedResult {
  inlineImages: InlineImage[];
  /** Remote images left remote (one per URL). */
  warnings: Warning[];
  /** Every reference that cannot be embedded, in document order; its reference is left unchanged. */
  problems: Problem[];
  /** The `cid:` references the document itself holds (written by hand), in document order: `embedInline` provides them. */
  cidRefs: CidReference[];
}

export interface CidReference {
  /** The Content-ID it asks for (percent-decoded, without `cid:`). */
  cid: string;
  /** As written. */
  ref: string;
  line: number;
}

export interface LoadedAttachment {
  filename: string;
  contentType: string;
  size: number;
  path: string;
  content: Buffer;
}

const DEFAULT_REMOTE_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// Line numbers

/** Finds the 1-based source line of each reference: the first not yet used occurrence of its text. */
export class LineLocator {
  private starts: number[] | undefined;
  private readonly next = new Map<string, number>();

  constructor(private readonly text: string) {}

  /** Line of the first unused occurrence of any of the candidate spellings; 0 when none occurs. */
  find(candidates: string[]): number {
    for (const c of candidates) {
      if (!c) continue;
      const at = this.text.indexOf(c, this.next.get(c) ?? 0);
      if (at < 0) continue;
      this.next.set(c, at + c.length);
      return this.lineAt(at);
    }
    return 0;
  }

  private lineAt(offset: number): number {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Finding references

/** One place the document points at a resource. `set` rewrites it in the document. */
interface Reference {
  url: string;
  line: number;
  set(value: string): void;
}

interface SrcsetCandidate {
  url: string;
  w?: number;
  x?: number;
}

/** Parses a srcset (URLs may contain commas, as data: URIs do: a URL is a run of non-space characters). */
export function parseSrcset(srcset: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  let i = 0;
  const n = srcset.length;
  while (i < n) {
    while (i < n && /[\s,]/.test(srcset[i])) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && !/\s/.test(srcset[j])) j++;
    let url = srcset.slice(i, j);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let k = j;
      let depth = 0;
      while (k < n && (depth > 0 || srcset[k] !== ',')) {
        if (srcset[k] === '(') depth++;
        else if (srcset[k] === ')') depth--;
        k++;
      }
      descriptor = srcset.slice(j, k).trim();
      j = k + 1;
    }
    i = j;
    if (!url) continue;
    const c: SrcsetCandidate = { url };
    const m = /^(\d+(?:\.\d+)?)([wx])$/i.exec(descriptor);
    if (m) {
      if (m[2].toLowerCase() === 'w') c.w = Number(m[1]);
      else c.x = Number(m[1]);
    }
    out.push(c);
  }
  return out;
}

/** The largest candidate (by width, else density), the last one among equals. */
export function pickFromSrcset(srcset: string): string | undefined {
  let best: SrcsetCandidate | undefined;
  const size = (c: SrcsetCandidate): number => c.w ?? (c.x ?? 1) * 1e-6;
  for (const c of parseSrcset(srcset)) {
    if (!best || size(c) >= size(best)) best = c;
  }
  return best?.url;
}

/**
 * `<picture>` is reduced to its `<img>`: the image's own src (or srcset) is what every client can show; when the
 * `<img>` has neither, the first `<source>`'s srcset becomes its srcset (reduced with the img below). The
 * `<source>` elements are dropped.
 */
function reducePicture($: CheerioAPI, pic: Element): void {
  const $pic = $(pic);
  const sources = $pic.find('source');
  const img = $pic.find('img').first();
  if (img.length > 0 && !img.attr('src') && !img.attr('srcset')) {
    const first = sources.filter((_i, s) => Boolean((s as Element).attribs.srcset)).first();
    if (first.length > 0) img.attr('srcset', first.attr('srcset') ?? '');
  }
  sources.remove();
}

async function collectReferences($: CheerioAPI, lines: LineLocator): Promise<Reference[]> {
  const { default: postcss } = await import('postcss');
  const { default: valueParser } = await import('postcss-value-parser');
  const refs: Reference[] = [];
  const locate = (url: string): number => lines.find(lineCandidates(url));

  const addAttr = (el: Element, attr: string): void => {
    const url = el.attribs[attr];
    if (url === undefined || !url.trim()) return;
    refs.push({ url, line: locate(url), set: (v) => (el.attribs[attr] = v) });
  };

  /** url(...) values of the declarations in `css`; `write` stores the rewritten CSS back. */
  const addCss = (css: string, write: (css: string) => void): void => {
    if (!/url\(/i.test(css)) return;
    let root: ReturnType<typeof postcss.parse>;
    try {
      root = postcss.parse(css);
    } catch {
      return; // CSS the parser cannot read is left alone; a client could not read it either
    }
    root.walkDecls((decl) => {
      if (!/url\(/i.test(decl.value)) return;
      // Fonts are not images: @font-face sources are left as they are.
      if (decl.parent?.type === 'atrule' && (decl.parent as { name?: string }).name?.toLowerCase() === 'font-face') return;
      const parsed = valueParser(decl.value);
      parsed.walk((node) => {
        if (node.type !== 'function' || node.value.toLowerCase() !== 'url') return undefined;
        const arg = node.nodes.find((x) => x.type !== 'space');
        if (arg && (arg.type === 'word' || arg.type === 'string') && arg.value.trim()) {
          const url = arg.value.trim();
          refs.push({
            url,
            line: locate(url),
            set: (v) => {
              arg.value = v;
              decl.value = parsed.toString();
              write(root.toString());
            },
          });
        }
        return false;
      });
    });
  };

  forEachElement($.root()[0], (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'picture') reducePicture($, el);
    if (tag === 'img') {
      const srcset = el.attribs.srcset;
      if (srcset !== undefined) {
        delete el.attribs.srcset;
        delete el.attribs.sizes;
        const chosen = pickFromSrcset(srcset);
        if (chosen) el.attribs.src = chosen;
      }
      addAttr(el, 'src');
    }
    if (el.attribs.background !== undefined) addAttr(el, 'background');
    if (el.attribs.style) addCss(el.attribs.style, (css) => (el.attribs.style = css));
    if (tag === 'style') {
      const $el = $(el);
      addCss($el.text(), (css) => $el.text(css));
    }
  });
  return refs;
}

/** Spellings under which a reference may appear in the source (marked percent-encodes, HTML escapes `&`). */
function lineCandidates(url: string): string[] {
  if (/^data:/i.test(url)) return [url.slice(0, 200)];
  const decoded = safeDecode(url);
  const out = [url, decoded, url.replace(/&/g, '&amp;')];
  return out.filter((c, i) => out.indexOf(c) === i);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving references

type Target =
  | { kind: 'file'; path: string; alt?: string }
  | { kind: 'data'; url: string }
  | { kind: 'remote'; url: string }
  | { kind: 'skip' };

/** What a reference points at. `cid:`, `mailto:`, fragments and other schemes are not ours to touch. */
function classify(url: string, docDir: string): Target {
  const u = url.trim();
  if (!u || u.startsWith('#')) return { kind: 'skip' };
  if (/^data:/i.test(u)) return { kind: 'data', url: u };
  if (/^https?:\/\//i.test(u)) return { kind: 'remote', url: u };
  if (u.startsWith('//')) return { kind: 'remote', url: `https:${u}` };
  if (/^file:/i.test(u)) {
    try {
      const parsed = new URL(u);
      parsed.search = '';
      parsed.hash = '';
      return { kind: 'file', path: fileURLToPath(parsed) };
    } catch {
      return { kind: 'file', path: u };
    }
  }
  const isAbs = path.isAbsolute(u) || path.win32.isAbsolute(u);
  if (!isAbs && /^[a-z][a-z0-9+.-]*:/i.test(u)) return { kind: 'skip' };
  const bare = u.split(/[?#]/)[0];
  const decoded = safeDecode(bare);
  const resolve = (p: string): string => path.resolve(docDir, p);
  return decoded === bare ? { kind: 'file', path: resolve(bare) } : { kind: 'file', path: resolve(decoded), alt: resolve(bare) };
}

/** Bytes of a `data:` URI (base64 or percent-encoded), or undefined when it is malformed. */
export function decodeDataUri(uri: string): { mediaType: string; bytes: Buffer } | undefined {
  const comma = uri.indexOf(',');
  if (comma < 0) return undefined;
  const meta = uri.slice(5, comma);
  const data = uri.slice(comma + 1);
  const isBase64 = /;base64$/i.test(meta);
  const mediaType = meta.replace(/;base64$/i, '').split(';')[0].trim().toLowerCase();
  if (isBase64) return { mediaType, bytes: Buffer.from(safeDecode(data).replace(/\s+/g, ''), 'base64') };
  return { mediaType, bytes: percentDecodeBytes(data) };
}

function percentDecodeBytes(s: string): Buffer {
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      if (plain) parts.push(Buffer.from(plain, 'utf8'));
      plain = '';
      parts.push(Buffer.from([parseInt(s.slice(i + 1, i + 3), 16)]));
      i += 2;
    } else {
      plain += s[i];
    }
  }
  if (plain) parts.push(Buffer.from(plain, 'utf8'));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

/** `path`: the resolved path; `shown`: how to show it when that differs (a symlink and where it leads). */
type Failure = { ok: false; code: ErrorCode; reason: string; path?: string; shown?: string };
/** `bytes`: the whole file, or empty when `file` is set (read again later); `sha256` when already known. */
type LoadedImage = {
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
};
type LoadResult = LoadedImage | Failure;

type LocalResult = { ok: true; bytes: Buffer; path: string; size: number; sha256?: string; mtimeMs?: number; realPath: string } | Failure;

/** Real paths of the allowed roots (a missing folder is taken as written). */
async function allowedRoots(ctx: Pick<AssetContext, 'workspaceFolders' | 'docPath'>): Promise<string[]> {
  const folders = ctx.workspaceFolders.length > 0 ? ctx.workspaceFolders : [path.dirname(ctx.docPath)];
  return Promise.all(folders.map((f) => fs.realpath(f).catch(() => path.resolve(f))));
}

function isInside(file: string, roots: string[]): boolean {
  return roots.some((root) => {
    const rel = path.relative(root, file);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
  });
}

/** Instead of keeping a file's bytes: hash it through a buffer from `pool`, showing its head to `inspect`. */
interface HashOnly {
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
async function readLocal(
  file: string,
  roots: string[],
  allowOutside: boolean,
  codes: { notFound: ErrorCode; outside: ErrorCode },
  hashOnly?: HashOnly,
  cache?: ReadCache,
): Promise<LocalResult> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    if (!allowOutside && !isInside(file, roots)) return { ok: false, code: codes.outside, reason: 'is outside the workspace', path: file };
    return { ok: false, code: codes.notFound, reason: describeFsError(e), path: file };
  }
  if (!allowOutside && !isInside(real, roots)) {
    return { ok: false, code: codes.outside, reason: 'is outside the workspace', path: real, shown: real === file ? undefined : `${file} -> ${real}` };
  }
  try {
    const stat = await fs.stat(real);
    if (!stat.isFile()) return { ok: false, code: codes.notFound, reason: 'is not a file', path: file };
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
    return { ok: false, code: codes.notFound, reason: describeFsError(e), path: file };
  }
}

/** Why a file could not be read, as a message says it: `not found`, `cannot be read (permission denied)`... */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'not found';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  return `cannot be read (${code ?? String(e)})`;
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
  cache?: ReadCache,
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
  if (!type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: 'is not an image (PNG, JPEG, GIF, WebP or SVG)', path: res.path };
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

function loadData(url: string, n: number): LoadResult {
  const decoded = decodeDataUri(url);
  const type = decoded && detectImageType(decoded.bytes);
  if (!decoded || !type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: 'is not an image (PNG, JPEG, GIF, WebP or SVG)' };
  return { ok: true, bytes: decoded.bytes, size: decoded.bytes.length, type, source: shorten(url), filename: `image-${n}.${type.ext}` };
}

/** Downloads a remote image with a size cap and a timeout. Aborting `signal` rejects with its reason. */
async function loadRemote(url: string, n: number, ctx: AssetContext): Promise<LoadResult> {
  const maxBytes = ctx.remote?.maxBytes ?? DEFAULT_REMOTE_MAX_BYTES;
  const timeoutMs = ctx.remote?.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const fail = (reason: string): Failure => ({ ok: false, code: ErrorCode.IMAGE_REMOTE_FAILED, reason: `could not be downloaded: ${reason}` });
  let bytes: Buffer;
  try {
    const res = await fetch(url, { signal, redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return fail(`the server answered HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      return fail(`it is larger than ${formatBytes(maxBytes)}`);
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
          return fail(`it is larger than ${formatBytes(maxBytes)}`);
        }
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    }
    bytes = Buffer.concat(chunks, total);
  } catch (e) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (timeout.aborted) return fail(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return fail(cause?.code ?? cause?.message ?? (e as Error).message);
  }
  const type = detectImageType(bytes, new URL(url).pathname);
  if (!type) return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: 'is not an image (PNG, JPEG, GIF, WebP or SVG)' };
  const base = safeDecode(path.posix.basename(new URL(url).pathname));
  return { ok: true, bytes, size: bytes.length, type, source: url, filename: base ? withExtension(base, type) : `image-${n}.${type.ext}` };
}

/** A reference as shown in messages: data: URIs are cut short. */
function shorten(url: string): string {
  return url.length > 64 && /^data:/i.test(url) ? `${url.slice(0, 48)}…` : url;
}

/** `<first 16 hex of sha256>@<domain>`: the same bytes always get the same Content-ID. */
export function contentId(bytes: Buffer, domain: string): string {
  return contentIdOf(crypto.createHash('sha256').update(bytes).digest('hex'), domain);
}

/** The Content-ID for content whose SHA-256 (hex) is already known. */
export function contentIdOf(sha256Hex: string, domain: string): string {
  return `${sha256Hex.slice(0, 16)}@${domainToASCII(domain) || domain || 'localhost'}`;
}

/** How many local images are read at the same time. */
const LOCAL_READS_AT_ONCE = 8;

/** Runs at most `n` of the functions given to it at a time, in the order given. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        running++;
        fn()
          .then(resolve, reject)
          .finally(() => {
            running--;
            queue.shift()?.();
          });
      };
      if (running < n) start();
      else queue.push(start);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// The two entry points

/**
 * Finds every image reference in `$`, embeds what can be embedded (rewriting the reference to `cid:`) and reports
 * the rest. Nothing is thrown for a bad reference: the caller decides (send → one error, preview → warnings).
 */
export async function embedImages($: CheerioAPI, ctx: AssetContext): Promise<EmbedResult> {
  const refs = await collectReferences($, new LineLocator(ctx.sourceText));
  const docDir = path.dirname(ctx.docPath);
  const roots = await allowedRoots(ctx);
  const loads = new Map<string, Promise<LoadResult>>();
  // Local files are read a few at a time (the thread pool has four threads anyway): each read in flight holds a
  // 64 KB buffer, and a document with a hundred images would otherwise hold a hundred of them.
  const limit = limiter(LOCAL_READS_AT_ONCE);
  const pool = (ctx.keepContent ?? true) ? undefined : [];
  let dataCount = 0;
  const targets = refs.map((ref) => {
    const target = classify(ref.url, docDir);
    const key = target.kind === 'file' ? `file:${target.path}` : target.kind === 'skip' ? '' : target.url;
    if (key && !loads.has(key)) {
      if (target.kind === 'file') loads.set(key, limit(() => loadFile(target, roots, ctx.allowOutsideWorkspace, pool, pool ? undefined : ctx.readCache)));
      else if (target.kind === 'data') loads.set(key, Promise.resolve(loadData(target.url, ++dataCount)));
      else if (target.kind === 'remote' && ctx.embedRemote) loads.set(key, loadRemote(target.url, loads.size + 1, ctx));
    }
    return { target, key };
  });
  // Settle every load before looking at any, so one failure does not leave the others running.
  const settled = new Map<string, LoadResult>();
  await Promise.all([...loads].map(async ([key, p]) => settled.set(key, await p)));
  ctx.signal?.throwIfAborted();

  const byCid = new Map<string, InlineImage>();
  const warnings: Warning[] = [];
  const problems: Problem[] = [];
  const warnedRemote = new Set<string>();
  const cidRefs: CidReference[] = [];
  refs.forEach((ref, i) => {
    const { target, key } = targets[i];
    if (target.kind === 'skip') {
      const cid = /^\s*cid:(.*)$/is.exec(ref.url)?.[1]?.trim();
      if (cid) cidRefs.push({ cid: safeDecode(cid), ref: ref.url.trim(), line: ref.line });
      return;
    }
    if (target.kind === 'remote' && !ctx.embedRemote) {
      if (!warnedRemote.has(target.url)) {
        warnedRemote.add(target.url);
        warnings.push({
          kind: 'remote-image',
          message: `Image "${ref.url}"${lineText(ref.line)} is remote: it is not embedded, and many clients block it until the reader allows it.`,
          line: ref.line || undefined,
          ref: ref.url,
        });
      }
      return;
    }
    const res = settled.get(key);
    if (!res) return;
    if (!res.ok) {
      problems.push(imageProblem(ref, res));
      return;
    }
    res.cid ??= res.sha256 ? contentIdOf(res.sha256, ctx.cidDomain) : contentId(res.bytes, ctx.cidDomain);
    let image = byCid.get(res.cid);
    if (!image) {
      const held = res.file === undefined;
      image = {
        cid: res.cid,
        filename: res.filename,
        contentType: res.type.contentType,
        size: res.size,
        content: held ? res.bytes : Buffer.alloc(0),
        ...(held ? {} : { file: res.file, fileMtimeMs: res.mtimeMs }),
        source: res.source,
        refs: [],
      };
      byCid.set(res.cid, image);
    }
    image.refs.push({ ref: shorten(ref.url), line: ref.line });
    ref.set(`cid:${res.cid}`);
  });
  return { inlineImages: [...byCid.values()], warnings, problems, cidRefs };
}

/**
 * The inline parts the author names by Content-ID (`inline: { image1: images/chart.png }` in the front matter,
 * `<meta name="email:inline" content="image1=images/chart.png">`), for the `cid:` references written by hand. Each
 * referenced file is read under the same policy as an image and sent with exactly that Content-ID; a `cid:` that
 * nothing provides is a problem (CID_NOT_FOUND) with its line, and a named part that no `cid:` uses is left out with
 * a warning. Only the files a `cid:` uses are read.
 */
export async function embedInline(declared: Record<string, string>, cidRefs: CidReference[], ctx: AssetContext): Promise<Omit<EmbedResult, 'cidRefs'>> {
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const used = new Map<string, CidReference[]>();
  for (const r of cidRefs) {
    if (Object.prototype.hasOwnProperty.call(declared, r.cid)) {
      const list = used.get(r.cid);
      if (list) list.push(r);
      else used.set(r.cid, [r]);
    } else {
      problems.push(cidProblem(r));
    }
  }
  const lines = new LineLocator(ctx.sourceText);
  for (const [cid, file] of Object.entries(declared)) {
    if (used.has(cid)) continue;
    const line = lines.find([file]) || undefined;
    warnings.push({
      kind: 'inline-unused',
      message: `Inline part "${cid}" (${file})${lineText(line)} is not used by any cid:${cid} in the document, so it is not sent.`,
      line,
      ref: file,
    });
  }
  if (used.size === 0) return { inlineImages: [], warnings, problems };

  const roots = await allowedRoots(ctx);
  const docDir = path.dirname(ctx.docPath);
  const pool = (ctx.keepContent ?? true) ? undefined : [];
  const loads = await Promise.all(
    [...used].map(async ([cid, refs]) => {
      const file = declared[cid]!;
      const line = lines.find([file]);
      const target = classify(file, docDir);
      const res: LoadResult =
        target.kind === 'file'
          ? await loadFile(target, roots, ctx.allowOutsideWorkspace, pool, pool ? undefined : ctx.readCache)
          : { ok: false, code: ErrorCode.IMAGE_INVALID, reason: 'is not a local file (an inline part is a file in the workspace)' };
      return { cid, refs, file, line, res };
    }),
  );
  ctx.signal?.throwIfAborted();
  const inlineImages: InlineImage[] = [];
  for (const { cid, refs, file, line, res } of loads) {
    if (!res.ok) {
      problems.push(makeProblem('Image', file, line, res));
      continue;
    }
    const held = res.file === undefined;
    inlineImages.push({
      cid,
      filename: res.filename,
      contentType: res.type.contentType,
      size: res.size,
      content: held ? res.bytes : Buffer.alloc(0),
      ...(held ? {} : { file: res.file, fileMtimeMs: res.mtimeMs }),
      source: res.source,
      refs: refs.map((r) => ({ ref: r.ref, line: r.line })),
    });
  }
  return { inlineImages, warnings, problems };
}

function cidProblem(r: CidReference): Problem {
  const summary = `"${r.ref}"${lineText(r.line)} has no inline part`;
  const problem: Problem = {
    code: ErrorCode.CID_NOT_FOUND,
    message: `Image ${summary}: name its file with inline: { ${r.cid}: path } in the front matter or <meta name="email:inline" content="${r.cid}=path">`,
    ref: r.ref,
    line: r.line || undefined,
  };
  summaries.set(problem, summary);
  return problem;
}

/** Reads the front matter attachments under the same path policy as images (relative to the document). */
export async function loadAttachments(
  files: string[],
  ctx: Pick<AssetContext, 'docPath' | 'sourceText' | 'workspaceFolders' | 'allowOutsideWorkspace'>,
): Promise<{ attachments: LoadedAttachment[]; problems: Problem[] }> {
  if (files.length === 0) return { attachments: [], problems: [] };
  const lines = new LineLocator(ctx.sourceText);
  const roots = await allowedRoots(ctx);
  const docDir = path.dirname(ctx.docPath);
  const codes = { notFound: ErrorCode.ATTACHMENT_NOT_FOUND, outside: ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE };
  const results = await Promise.all(
    files.map(async (ref) => {
      const line = lines.find([ref]);
      const file = /^file:/i.test(ref) ? safeFileUrl(ref) : path.resolve(docDir, ref);
      return { ref, line, res: await readLocal(file, roots, ctx.allowOutsideWorkspace, codes) };
    }),
  );
  const attachments: LoadedAttachment[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const { ref, line, res } of results) {
    if (!res.ok) {
      problems.push(makeProblem('Attachment', ref, line, res));
      continue;
    }
    if (seen.has(res.path)) continue;
    seen.add(res.path);
    attachments.push({
      filename: path.basename(res.path),
      contentType: attachmentContentType(res.path),
      size: res.bytes.length,
      path: res.path,
      content: res.bytes,
    });
  }
  return { attachments, problems };
}

function safeFileUrl(ref: string): string {
  try {
    return fileURLToPath(ref);
  } catch {
    return ref;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Problems

function lineText(line: number | undefined): string {
  return line ? ` (line ${line})` : '';
}

function imageProblem(ref: Reference, f: Failure): Problem {
  return makeProblem('Image', shorten(ref.url), ref.line, f);
}

/** The short form of each problem, for the one-line summary of several (`"a.png" (line 3) not found`). */
const summaries = new WeakMap<Problem, string>();

function makeProblem(noun: 'Image' | 'Attachment', ref: string, line: number, f: Failure): Problem {
  const summary = `"${ref}"${lineText(line)} ${f.reason}`;
  const where = f.shown ?? f.path;
  const problem: Problem = {
    code: f.code,
    message: `${noun} ${summary}${where && f.code !== ErrorCode.IMAGE_INVALID ? `: ${where}` : ''}`,
    ref,
    line: line || undefined,
    path: f.path,
  };
  summaries.set(problem, summary);
  return problem;
}

const WARNING_KIND: Partial<Record<ErrorCode, WarningKind>> = {
  [ErrorCode.IMAGE_NOT_FOUND]: 'image-not-found',
  // A cid: with no part is a missing image, as the preview shows it.
  [ErrorCode.CID_NOT_FOUND]: 'image-not-found',
  [ErrorCode.IMAGE_OUTSIDE_WORKSPACE]: 'image-outside-workspace',
  [ErrorCode.IMAGE_INVALID]: 'image-invalid',
  [ErrorCode.IMAGE_REMOTE_FAILED]: 'remote-image',
  [ErrorCode.ATTACHMENT_NOT_FOUND]: 'attachment-not-found',
  [ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE]: 'attachment-outside-workspace',
};

/** The preview's view of a problem: a warning of the matching kind. */
export function problemToWarning(p: Problem): Warning {
  return { kind: WARNING_KIND[p.code] ?? 'image-not-found', message: `${p.message}.`, line: p.line, ref: p.ref };
}

const IMAGE_CODES: readonly ErrorCode[] = [
  ErrorCode.IMAGE_NOT_FOUND,
  ErrorCode.IMAGE_OUTSIDE_WORKSPACE,
  ErrorCode.IMAGE_INVALID,
  ErrorCode.IMAGE_REMOTE_FAILED,
  ErrorCode.CID_NOT_FOUND,
];

/**
 * One error for every problem found: the code of the first, a message that lists them all
 * (`2 images cannot be embedded: "a.png" (line 3) not found; "/etc/x.png" (line 5) is outside the workspace.`).
 */
export function problemsError(problems: Problem[]): SendAsEmailError {
  const first = problems[0];
  const outside = problems.some((p) => p.code === ErrorCode.IMAGE_OUTSIDE_WORKSPACE || p.code === ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE);
  const hint = outside
    ? 'Move the file into the workspace, or turn on the sendAsEmail.images.allowOutsideWorkspace setting if you trust this document.'
    : 'Fix the path in the document, or remove the reference.';
  const extra = { problems, hint };
  if (problems.length === 1) return new SendAsEmailError(first.code, `${first.message}.`, extra);
  const images = problems.filter((p) => IMAGE_CODES.includes(p.code)).length;
  const noun =
    images === problems.length
      ? `${problems.length} images cannot be embedded`
      : images === 0
        ? `${problems.length} attachments cannot be attached`
        : `${problems.length} images and attachments cannot be included`;
  const parts = problems.map((p) => summaries.get(p) ?? p.message);
  return new SendAsEmailError(first.code, `${noun}: ${parts.join('; ')}.`, extra);
}
