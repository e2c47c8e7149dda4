/**
 * The clean-up every sent HTML document gets: charset, title, language, colour scheme, alt text on every image, no
 * HTML comments (Outlook's conditional ones excepted), and no scripts, event handlers, `javascript:` URLs, `<base>`
 * or refresh.
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { imageNameAlt } from './altText';
import { detectLanguage, SAMPLE_CHARS } from './documentLanguage';
import { forEachNode } from './dom';

export interface PrepareOptions {
  /** `<html lang>` (front matter `lang:`); when absent, the document's own `lang`, else the language of its script. */
  lang?: string;
}

/**
 * Makes any parsed HTML (a full document or a fragment, which the parser already placed in html/head/body) a
 * complete UTF-8 document: a `<meta charset="utf-8">` (replacing any other charset declaration, the part is sent
 * as UTF-8), a `<title>` holding `title`, `<html lang>`, the colour-scheme meta elements, an `alt` on every image,
 * and no comments, scripts, event handlers, `javascript:` URLs, `<base>` or refresh.
 * One walk over the tree: on a large document every `$(selector)` is a walk of its own.
 */
export function prepareDocument($: CheerioAPI, title: string, options: PrepareOptions = {}): void {
  let head: Element | undefined;
  let html: Element | undefined;
  const titles: Element[] = [];
  const remove: AnyNode[] = [];
  let colorSchemeMeta = false;
  let supportedSchemesMeta = false;
  let ownDarkStyles = false;
  // Enough of the reader's text to tell its script, gathered on the way (code is often English in any language).
  const sample: string[] = [];
  let sampled = 0;
  forEachNode($.root()[0], (node) => {
    if (node.type === 'comment') {
      if (!isConditionalComment(node.data)) remove.push(node);
      return;
    }
    if (node.type === 'text') {
      const parent = node.parent && 'tagName' in node.parent ? node.parent.tagName.toLowerCase() : '';
      if (sampled < SAMPLE_CHARS && !NOT_PROSE.has(parent)) {
        sample.push(node.data);
        sampled += node.data.length;
      }
      return;
    }
    if (!('attribs' in node)) return;
    const el = node;
    switch (el.tagName.toLowerCase()) {
      case 'html':
        html ??= el;
        break;
      case 'head':
        head ??= el;
        break;
      case 'title':
        titles.push(el);
        break;
      case 'script':
      case 'base':
        remove.push(el);
        return;
      case 'style':
        if (/prefers-color-scheme/i.test($(el).text())) ownDarkStyles = true;
        break;
      case 'img':
        // No alt at all: the file name says what is missing. An explicit alt="" (a spacer, a decoration) stays.
        if (el.attribs.alt === undefined) el.attribs.alt = imageNameAlt(el.attribs.src ?? firstSrcsetUrl(el.attribs.srcset ?? ''));
        break;
      case 'meta': {
        const equiv = (el.attribs['http-equiv'] ?? '').toLowerCase();
        if (el.attribs.charset !== undefined || equiv === 'content-type' || equiv === 'refresh') remove.push(el);
        const name = (el.attribs.name ?? '').toLowerCase();
        if (name === 'color-scheme') colorSchemeMeta = true;
        if (name === 'supported-color-schemes') supportedSchemesMeta = true;
        break;
      }
    }
    sanitizeAttributes(el);
  });
  $(remove).remove();
  const $head = head ? $(head) : $('head').first();
  $head.prepend('<meta charset="utf-8">');
  if (titles.length === 0) $head.children().first().after('<title></title>');
  else $(titles.slice(1)).remove();
  (titles.length > 0 ? $(titles[0]) : $head.children('title').first()).text(title);

  // "light": clients that darken messages leave a light-only one alone (Apple Mail) or invert it as a whole; "light
  // dark" when the email brings its own dark styles, which those clients then use.
  const schemes = ownDarkStyles ? 'light dark' : 'light';
  const $title = $head.children('title').first();
  if (!supportedSchemesMeta) $title.after(`<meta name="supported-color-schemes" content="${schemes}">`);
  if (!colorSchemeMeta) $title.after(`<meta name="color-scheme" content="${schemes}">`);

  const $html = html ? $(html) : $('html').first();
  const own = ($html.attr('lang') ?? '').trim();
  const lang = options.lang ?? (own || detectLanguage(sample.join(' ')));
  $html.attr('lang', lang);
}

/** `<!--[if mso]>…<![endif]-->`, and the two halves of `<!--[if !mso]><!-->…<!--<![endif]-->`: Outlook reads them. */
export function isConditionalComment(data: string): boolean {
  return /^\s*\[if\s[^\]]*\]/i.test(data) || /^\s*<!\[endif\]\s*$/i.test(data);
}

function firstSrcsetUrl(srcset: string): string {
  return srcset.trim().split(/\s+/)[0] ?? '';
}

/** Text in these is not the reader's prose. */
export const NOT_PROSE: ReadonlySet<string> = new Set(['script', 'style', 'code', 'pre', 'title', 'head']);

function sanitizeAttributes(el: Element): void {
  for (const name of Object.keys(el.attribs)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on')) delete el.attribs[name];
    else if ((lower === 'href' || lower === 'src' || lower === 'action' || lower === 'formaction') && /^\s*javascript:/i.test(el.attribs[name])) {
      delete el.attribs[name];
    }
  }
}
