/**
 * The account a document names (front matter `account:`, `<meta name="email:account">`), read before composing:
 * the account decides the server and the password, which are needed (and checked) before any image is read.
 */
import type { SourceDocument } from '../types';
import { parseFrontMatter } from './frontMatter';

/** The document's `account:`, or undefined; a broken front matter is left for compose to report. */
export async function documentAccountName(text: string, kind: 'markdown' | 'html'): Promise<string | undefined> {
  if (kind === 'markdown') {
    try {
      return (await parseFrontMatter(text)).data.account?.trim() || undefined;
    } catch {
      return undefined;
    }
  }
  const { load } = await import('cheerio');
  const $ = load(text);
  let name: string | undefined;
  $('meta[name]').each((_, el) => {
    if (name === undefined && (el.attribs.name ?? '').trim().toLowerCase() === 'email:account') name = el.attribs.content?.trim() || undefined;
  });
  return name;
}

/** `documentAccountName` for a SourceDocument (its kind from its extension when not given). */
export function sourceDocumentAccount(doc: SourceDocument): Promise<string | undefined> {
  const kind = doc.kind ?? (/\.html?$/i.test(doc.path) ? 'html' : 'markdown');
  return documentAccountName(doc.text, kind);
}
