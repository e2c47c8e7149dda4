/**
 * The text/plain part, made for reading rather than copied from the source: no HTML comments, images as
 * `[image: alt]` (never a local path or a `data:` URI), links as `text (URL)` when the URL means something to the
 * reader (not `cid:` or a path on the author's disk), no front matter (the caller passes the body only).
 */
import type { FormatCallback } from 'html-to-text';
import type { Token, Tokens } from 'marked';
import { imageNameAlt } from '../source/altText';

type Convert = (html: string) => string;

/**
 * Stands for a space inside `[image: alt]` while lines are wrapped, so a label is never cut in two (private use, and
 * not a value slot's character: a merge value inside raw HTML passes through the converter).
 */
const KEEP_TOGETHER = '\uE002';

/** A URL worth printing for a reader: the web, mail, phone. Relative paths, `file:`, `cid:` and `data:` are not. */
/** A value held out of the Markdown while the text part is made (private-use characters no document writes). */
export const valueSlot = (i: number): string => `\uE000${i}\uE001`;
/** Every value slot in a text (its number is the group). */
export const VALUE_SLOT_RE = /\uE000(\d+)\uE001/g;
/** The text with each slot replaced by its value, as written. */
export function fillValueSlots(text: string, values: readonly string[]): string {
  return text.replace(VALUE_SLOT_RE, (_, i: string) => values[Number(i)] ?? '');
}

export function isShareableUrl(href: string): boolean {
  return /^\s*(?:https?|mailto|tel|ftp):/i.test(href);
}

/** `[image: alt]`; the file name when the alt text is empty. */
export function imageLabel(alt: string, src: string): string {
  return `[image: ${alt.trim() || imageNameAlt(src)}]`;
}

/** `text (URL)`, or the text alone when the URL is not for the reader or the text already says it. */
export function linkLabel(text: string, href: string): string {
  const url = href.trim();
  const shown = text.trim();
  if (!isShareableUrl(url)) return text;
  if (!shown || shown === url || shown === url.replace(/^mailto:/i, '')) return shown ? text : url;
  return `${text} (${url})`;
}

/**
 * The Markdown body as the text part: the author's text as written (emphasis marks and all), with images, links,
 * raw HTML and link definitions rewritten for a reader. Code blocks and code spans are left exactly as written.
 * `tokens`: the body lexed (source/markdown.ts `lexMarkdown`), with `\n` line ends as `body` has.
 */
export async function markdownText(body: string, tokens: Token[]): Promise<string> {
  const convert = await htmlConverter({ wordwrap: false });
  return rewrite(body, tokens, convert);
}

/** A readable conversion of an HTML document: headings, lists, tables, links with their URL, images by their alt. */
export async function htmlText(html: string): Promise<string> {
  const convert = await htmlConverter({ wordwrap: 78 });
  return convert(html);
}

/** `src` with each token's raw text replaced by its reading form, in order (the raws appear in `src` as written). */
function rewrite(src: string, tokens: Token[], convert: Convert): string {
  const edits: { raw: string; text: string }[] = [];
  collect(tokens, edits, convert);
  let out = '';
  let cursor = 0;
  for (const e of edits) {
    const at = src.indexOf(e.raw, cursor);
    if (at < 0) continue;
    out += src.slice(cursor, at) + e.text;
    cursor = at + e.raw.length;
  }
  return out + src.slice(cursor);
}

function collect(tokens: Token[], edits: { raw: string; text: string }[], convert: Convert): void {
  for (const t of tokens) {
    switch (t.type) {
      case 'image': {
        const img = t as Tokens.Image;
        edits.push({ raw: img.raw, text: imageLabel(img.text, img.href) });
        break;
      }
      case 'link': {
        const link = t as Tokens.Link;
        const text = link.tokens ? rewrite(link.text, link.tokens, convert) : link.text;
        edits.push({ raw: link.raw, text: linkLabel(text, link.href) });
        break;
      }
      case 'html':
        edits.push({ raw: t.raw, text: htmlLabel(t.raw, convert) });
        break;
      case 'def':
        // `[logo]: ./images/logo.png`: the links that use it are rewritten; the definition itself is for the source.
        edits.push({ raw: t.raw, text: '' });
        break;
      case 'code':
      case 'codespan':
        // Kept as written; an edit of its own so that a later image's raw is never found inside it.
        edits.push({ raw: t.raw, text: t.raw });
        break;
      case 'list':
        collect((t as Tokens.List).items, edits, convert);
        break;
      case 'table': {
        const table = t as Tokens.Table;
        for (const cell of table.header) collect(cell.tokens, edits, convert);
        for (const row of table.rows) for (const cell of row) collect(cell.tokens, edits, convert);
        break;
      }
      default:
        if ('tokens' in t && Array.isArray(t.tokens)) collect(t.tokens as Token[], edits, convert);
    }
  }
}

/** Raw HTML in Markdown as text: comments gone, images by their alt, tags dropped; the surrounding blank lines kept. */
function htmlLabel(raw: string, convert: Convert): string {
  const leading = /^\s*/.exec(raw)?.[0] ?? '';
  const trailing = /\s*$/.exec(raw)?.[0] ?? '';
  if (/^\s*<br\s*\/?>\s*$/i.test(raw)) return `\n${trailing}`;
  const text = convert(raw).trim();
  return text ? `${leading}${text}${trailing}` : trailing.replace(/[^\n]/g, '');
}

/** Text of a node and its children, as a reader sees the link. */
function textOf(node: { data?: string; children?: unknown[] }): string {
  if (typeof node.data === 'string') return node.data;
  return (node.children ?? []).map((c) => textOf(c as { data?: string; children?: unknown[] })).join('');
}

const image: FormatCallback = (elem, _walk, builder) => {
  const attribs = (elem.attribs ?? {}) as Record<string, string>;
  // An explicit alt="" marks a decoration: nothing to read.
  if (attribs.alt !== undefined && !attribs.alt.trim()) return;
  builder.addInline(imageLabel(attribs.alt ?? '', attribs.src ?? '').replace(/ /g, KEEP_TOGETHER), { noWordTransform: true });
};

const anchor: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  const href = String((elem.attribs as Record<string, string> | undefined)?.href ?? '').trim();
  if (!isShareableUrl(href)) return;
  const text = textOf(elem).trim();
  if (text === href || text === href.replace(/^mailto:/i, '')) return;
  // A link around an image only: the image's label was written, the URL follows it.
  builder.addInline(text || hasImage(elem) ? ` (${href})` : href, { noWordTransform: true });
};

function hasImage(node: { name?: string; children?: unknown[] }): boolean {
  return node.name === 'img' || (node.children ?? []).some((c) => hasImage(c as { name?: string; children?: unknown[] }));
}

/** The converters by word wrap, each compiled once (compiling the selectors takes longer than most conversions). */
const converters = new Map<number | false, Convert>();

async function htmlConverter(extra: { wordwrap: number | false }): Promise<Convert> {
  const known = converters.get(extra.wordwrap);
  if (known) return known;
  const { compile } = await import('html-to-text');
  const convert = compile({
    ...extra,
    formatters: { sendAsEmailImage: image, sendAsEmailAnchor: anchor },
    selectors: [
      { selector: 'img', format: 'sendAsEmailImage' },
      { selector: 'a', format: 'sendAsEmailAnchor' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
  const converter: Convert = (html) => convert(html).replaceAll(KEEP_TOGETHER, ' ');
  converters.set(extra.wordwrap, converter);
  return converter;
}
