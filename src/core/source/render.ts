/**
 * Markdown → an email-safe HTML document, and the clean-up every sent HTML document gets
 * (charset, title, no scripts or event handlers).
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Tokens } from 'marked';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** GitHub-style heading id: lower case, punctuation dropped, spaces to hyphens; letters of every script kept. */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Renders Markdown (GFM: tables, task lists, fenced code, autolinks; headings get ids) into a complete HTML
 * document with the given stylesheet in a `<style>` block and the body in a centered container. The `<title>`
 * is left empty for the caller, who knows the subject.
 */
export async function renderMarkdown(markdown: string, stylesheet: string): Promise<string> {
  const { Marked } = await import('marked');
  const seen = new Map<string, number>();
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Heading): string {
        const inner = this.parser.parseInline(token.tokens);
        const base = slugify(plainText(token.tokens)) || 'section';
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        const id = n === 0 ? base : `${base}-${n}`;
        return `<h${token.depth} id="${escapeHtml(id)}">${inner}</h${token.depth}>\n`;
      },
      // Email clients drop form controls: a task list item shows a ballot box character instead.
      checkbox(token: Tokens.Checkbox): string {
        return token.checked ? '&#9745; ' : '&#9744; ';
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  return (
    '<!DOCTYPE html>\n' +
    '<html>\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title></title>\n' +
    `<style>\n${stylesheet}\n</style>\n` +
    '</head>\n<body>\n<div class="email-container">\n' +
    body +
    '</div>\n</body>\n</html>\n'
  );
}

function plainText(tokens: Tokens.Generic[]): string {
  let out = '';
  for (const t of tokens) {
    if (Array.isArray(t.tokens) && t.tokens.length > 0) out += plainText(t.tokens as Tokens.Generic[]);
    else if (typeof t.text === 'string') out += t.text;
  }
  return out;
}

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

/**
 * Calls `fn` for every element below `root` in document order (pre-order), children after `fn` has run (so `fn`
 * may remove or add them). A plain walk over the parsed tree: on a large document it is several times faster
 * than `$('*').each`. `fn` returning `false` stops the walk.
 */
export function forEachElement(root: AnyNode, fn: (el: Element) => void | boolean): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if ('attribs' in node && fn(node) === false) return;
    if ('children' in node) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
}

/** `<!DOCTYPE html>` plus the serialized document (the doctype is added when the source had none). */
export function serializeDocument($: CheerioAPI): string {
  const root = $.root()[0];
  const hasDoctype = root.children.some((n) => n.type === 'directive');
  const html = $.html();
  return hasDoctype ? html : `<!DOCTYPE html>\n${html}`;
}

/** Text of the first `<h1>`, whitespace collapsed; '' when there is none. */
export function firstHeading($: CheerioAPI): string {
  let h1: Element | undefined;
  forEachElement($.root()[0], (el) => {
    if (el.tagName.toLowerCase() !== 'h1') return true;
    h1 = el;
    return false;
  });
  return h1 ? collapse($(h1).text()) : '';
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
