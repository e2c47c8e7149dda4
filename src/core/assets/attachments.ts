/**
 * The front matter attachments, read under the same path policy as images (relative to the document).
 */
import * as path from 'path';
import { type Problem, ErrorCode } from '../errors';
import { LineLocator } from '../source/lineLocator';
import type { Attachment } from '../types';
import type { AssetContext } from './assetContext';
import { readLocal } from './localFile';
import { attachmentContentType } from './mimeType';
import { makeProblem } from './problems';
import { allowedRoots, safeFileUrl } from './resolve';

/** An attachment with its bytes, as read. */
export interface LoadedAttachment extends Attachment {
  content: Buffer;
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
      problems.push(makeProblem('attachment', ref, line, res));
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
