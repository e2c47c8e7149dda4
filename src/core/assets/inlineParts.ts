/**
 * The inline parts an author names by Content-ID for the `cid:` references written by hand: front matter
 * `inline: { image1: images/chart.png }` or `<meta name="email:inline" content="image1=images/chart.png">`.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { ErrorCode, type Problem } from '../errors';
import { LineLocator } from '../source/lineLocator';
import type { InlineImage, Warning } from '../types';
import type { AssetContext } from './assetContext';
import type { EmbedResult } from './embed';
import { inlinePart, localImageLoader, type LoadResult } from './loadImage';
import { cidProblem, makeProblem } from './problems';
import type { CidReference } from './references';
import { allowedRoots, classify } from './resolve';
import { svgToPng } from './svgToPng';

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
      severity: 'warning',
      message: line
        ? l10n.t('Inline part "{0}" ({1}) (line {2}) is not used by any cid:{0} in the document, so it is not sent.', cid, file, line)
        : l10n.t('Inline part "{0}" ({1}) is not used by any cid:{0} in the document, so it is not sent.', cid, file),
      line,
      ref: file,
    });
  }
  if (used.size === 0) return { inlineImages: [], warnings, problems };

  const loadLocal = localImageLoader(ctx, await allowedRoots(ctx));
  const docDir = path.dirname(ctx.docPath);
  const loads = await Promise.all(
    [...used].map(async ([cid, refs]) => {
      const file = declared[cid]!;
      const line = lines.find([file]);
      const target = classify(file, docDir);
      let res: LoadResult =
        target.kind === 'file'
          ? await loadLocal(target)
          : { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'not-local' } };
      if (ctx.convertSvg && res.ok && res.type.ext === 'svg') res = await svgToPng(res);
      return { cid, refs, file, line, res };
    }),
  );
  ctx.signal?.throwIfAborted();
  const inlineImages: InlineImage[] = [];
  for (const { cid, refs, file, line, res } of loads) {
    if (!res.ok) {
      problems.push(makeProblem('image', file, line, res));
      continue;
    }
    inlineImages.push(inlinePart(res, cid, refs.map((r) => ({ ref: r.ref, line: r.line }))));
  }
  return { inlineImages, warnings, problems };
}
