/**
 * The images of a document embedded: every reference found, resolved, loaded once, deduplicated by content and
 * rewritten to `cid:`. The `cid:` references written by hand are handed on to inlineParts.ts.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import * as path from 'path';
import { domainToASCII } from 'url';
import type { CheerioAPI } from 'cheerio';
import pLimit from 'p-limit';
import type { Problem } from '../errors';
import { LineLocator, quotedAtLine } from '../source/lineLocator';
import type { InlineImage, Warning } from '../types';
import type { AssetContext } from './assetContext';
import { inlinePart, loadData, localImageLoader, loadRemote, type LoadResult } from './loadImage';
import { imageProblem, shorten, webpWarning } from './problems';
import { SVG_DENSITY, svgToPng } from './svgToPng';
import { type CidReference, collectReferences } from './references';
import { allowedRoots, classify, safeDecode } from './resolve';

export interface EmbedResult {
  inlineImages: InlineImage[];
  /** Remote images left remote (one per URL). */
  warnings: Warning[];
  /** Every reference that cannot be embedded, in document order; its reference is left unchanged. */
  problems: Problem[];
  /** The `cid:` references the document itself holds (written by hand), in document order: `embedInline` provides them. */
  cidRefs: CidReference[];
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
  const limit = pLimit(LOCAL_READS_AT_ONCE);
  const loadLocal = localImageLoader(ctx, roots);
  let dataCount = 0;
  const targets = refs.map((ref) => {
    const target = classify(ref.url, docDir);
    const key = target.kind === 'file' ? `file:${target.path}` : target.kind === 'skip' ? '' : target.url;
    if (key && !loads.has(key)) {
      if (target.kind === 'file') loads.set(key, limit(() => loadLocal(target)));
      else if (target.kind === 'data') loads.set(key, loadData(target.url, ++dataCount));
      else if (target.kind === 'remote' && ctx.embedRemote) loads.set(key, loadRemote(target.url, loads.size + 1, ctx));
    }
    return { target, key };
  });
  // Settle every load before looking at any, so one failure does not leave the others running.
  const settled = new Map<string, LoadResult>();
  await Promise.all([...loads].map(async ([key, p]) => settled.set(key, await p)));
  ctx.signal?.throwIfAborted();
  if (ctx.convertSvg) {
    // Twice the pixels for an <img> (shown at half size by its width); a CSS background is drawn at its pixel size.
    const inImg = new Set(targets.filter((_t, i) => refs[i].img).map((t) => t.key));
    await Promise.all(
      [...settled].map(async ([key, res]) => {
        if (res.ok && res.type.ext === 'svg') settled.set(key, await svgToPng(res, inImg.has(key) ? SVG_DENSITY : 1));
      }),
    );
  }

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
          severity: 'warning',
          message: l10n.t('Image {0} is remote: it is not embedded, and many clients block it until the reader allows it.', quotedAtLine(ref.url, ref.line)),
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
      image = inlinePart(res, res.cid, []);
      byCid.set(res.cid, image);
      if (res.type.ext === 'webp') warnings.push(webpWarning(ref));
    }
    image.refs.push({ ref: shorten(ref.url), line: ref.line });
    ref.set(`cid:${res.cid}`);
    // A converted SVG has twice its pixels: shown at its own size unless the author sized it.
    if (res.displaySize && ref.img && !sizedByAuthor(ref.img.attribs)) {
      ref.img.attribs.width = String(res.displaySize.width);
      ref.img.attribs.height = String(res.displaySize.height);
    }
  });
  return { inlineImages: [...byCid.values()], warnings, problems, cidRefs };
}

/** The author gave the image a size (attributes or CSS): it is left as they wrote it. */
function sizedByAuthor(attribs: Record<string, string>): boolean {
  return attribs.width !== undefined || attribs.height !== undefined || /(?:^|[;\s])(?:width|height)\s*:/i.test(attribs.style ?? '');
}
