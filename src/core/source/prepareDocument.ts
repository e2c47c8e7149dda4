/**
 * The clean-up every sent HTML document gets: charset, title, and no scripts, event handlers, `javascript:` URLs,
 * `<base>` or refresh.
 */
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { forEachElement } from './dom';

/**
 * Makes any parsed HTML (a full document or a fragment, which the parser already placed in html/head/body) a
 * complete UTF-8 document: a `<meta charset="utf-8">` (replacing any other charset declaration, the part is sent
 * as UTF-8), a `<title>` holding `title`, and no scripts, event handlers, `javascript:` URLs, `<base>` or refresh.
 * One walk over the tree: on a large document every `$(selector)` is a walk of its own.
 */
export function prepareDocument($: CheerioAPI, title: string): void {
  let head: Element | undefined;
  const titles: Element[] = [];
  const remove: Element[] = [];
  forEachElement($.root()[0], (el) => {
    switch (el.tagName.toLowerCase()) {
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
      case 'meta': {
        const equiv = (el.attribs['http-equiv'] ?? '').toLowerCase();
        if (el.attribs.charset !== undefined || equiv === 'content-type' || equiv === 'refresh') remove.push(el);
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
}

function sanitizeAttributes(el: Element): void {
  for (const name of Object.keys(el.attribs)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on')) delete el.attribs[name];
    else if ((lower === 'href' || lower === 'src' || lower === 'action' || lower === 'formaction') && /^\s*javascript:/i.test(el.attribs[name])) {
      delete el.attribs[name];
    }
  }
}
