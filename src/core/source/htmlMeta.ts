/**
 * Header fields of an HTML document: its `<meta name="email:...">` elements and `<title>`.
 */
import * as l10n from '@vscode/l10n';
import type { CheerioAPI } from 'cheerio';
import type { Problem } from '../errors';
import { CONTENT_ID_RE, type DocumentFields, invalid, unknownKey, unknownKeysError } from './documentFields';
import { LineLocator } from './lineLocator';

const META_FIELDS = ['to', 'cc', 'bcc', 'subject', 'from', 'replyTo', 'inline', 'account'] as const;
const META_NAMES = META_FIELDS.map((f) => `email:${f}`);

/**
 * Header fields of an HTML document: `<meta name="email:to|email:cc|email:bcc|email:subject|email:from|email:replyTo|
 * email:account" content="...">` (names compared without regard to case), `<meta name="email:inline" content="id=path, ...">` and,
 * for the subject, `<title>`. The `email:*` meta
 * elements are removed from the document, so a Bcc list never travels inside the HTML it was meant to hide from.
 * Another `email:` name is refused with its line in `sourceText` and the name it most resembles (`email:reply-to`).
 */
export function readHtmlHeaders($: CheerioAPI, sourceText = ''): DocumentFields {
  const out: DocumentFields = {};
  const unknown: Problem[] = [];
  let lines: LineLocator | undefined;
  $('meta[name]').each((_, el) => {
    const written = (el.attribs.name ?? '').trim();
    const name = written.toLowerCase();
    if (!name.startsWith('email:')) return;
    $(el).remove();
    const key = META_FIELDS.find((f) => f.toLowerCase() === name.slice('email:'.length));
    if (!key) {
      lines ??= new LineLocator(sourceText);
      unknown.push(unknownKey('meta', written, lines.find([written]) || undefined, META_NAMES));
      return;
    }
    const content = el.attribs.content;
    if (content === undefined || out[key] !== undefined) return;
    if (key === 'inline') {
      lines ??= new LineLocator(sourceText);
      out.inline = parseInlineList(content, lines.find([written]) || undefined);
    } else {
      out[key] = content;
    }
  });
  if (unknown.length > 0) throw unknownKeysError('meta', unknown, META_NAMES);
  if (out.subject === undefined) {
    const title = $('title').first().text().replace(/\s+/g, ' ').trim();
    if (title) out.subject = title;
  }
  return out;
}

/**
 * `<meta name="email:inline" content="image1=images/chart.png, logo=img/logo.png">`: Content-ID → file. Throws naming
 * the entry that is not `id=path`.
 */
function parseInlineList(content: string, line: number | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of content.split(',')) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf('=');
    const cid = entry.slice(0, Math.max(eq, 0)).trim();
    const file = entry.slice(eq + 1).trim();
    if (eq < 0 || !CONTENT_ID_RE.test(cid) || !file) {
      throw invalid(
        line
          ? l10n.t('The meta element email:inline (line {0}) must list id=path pairs separated by commas, as in "image1=images/chart.png"; "{1}" is not one.', line, entry.trim())
          : l10n.t('The meta element email:inline must list id=path pairs separated by commas, as in "image1=images/chart.png"; "{0}" is not one.', entry.trim()),
      );
    }
    if (out[cid] !== undefined) {
      throw invalid(line ? l10n.t('The meta element email:inline (line {0}) names "{1}" twice.', line, cid) : l10n.t('The meta element email:inline names "{0}" twice.', cid));
    }
    out[cid] = file;
  }
  return out;
}
