/**
 * What a reference points at (a file, a data: URL, a remote URL, or nothing of ours), and the workspace policy: the
 * roots a local file must lie in to travel.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import type { AssetContext } from './assetContext';

export type Target =
  | { kind: 'file'; path: string; alt?: string }
  | { kind: 'data'; url: string }
  | { kind: 'remote'; url: string }
  | { kind: 'skip' };

/** What a reference points at. `cid:`, `mailto:`, fragments and other schemes are not ours to touch. */
export function classify(url: string, docDir: string): Target {
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

/** Real paths of the allowed roots (a missing folder is taken as written). */
export async function allowedRoots(ctx: Pick<AssetContext, 'workspaceFolders' | 'docPath'>): Promise<string[]> {
  if (ctx.workspaceFolders.length === 0) return [await realOrResolved(path.dirname(ctx.docPath))];
  // The same list (a merge composes every row with one options object) is resolved once: a realpath costs more than
  // the rest of a small image's checks.
  let roots = ROOTS.get(ctx.workspaceFolders);
  if (!roots) {
    roots = Promise.all(ctx.workspaceFolders.map(realOrResolved));
    ROOTS.set(ctx.workspaceFolders, roots);
  }
  return roots;
}

const ROOTS = new WeakMap<readonly string[], Promise<string[]>>();

function realOrResolved(folder: string): Promise<string> {
  return fs.realpath(folder).catch(() => path.resolve(folder));
}

export function isInside(file: string, roots: string[]): boolean {
  return roots.some((root) => {
    const rel = path.relative(root, file);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
  });
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function safeFileUrl(ref: string): string {
  try {
    return fileURLToPath(ref);
  } catch {
    return ref;
  }
}
