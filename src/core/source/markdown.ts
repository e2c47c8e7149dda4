/**
 * Markdown → an email-safe HTML document: GFM rendered with marked, headings with ids, fenced code highlighted, every
 * image with an alt text, the stylesheet in `<style>`.
 */
import { decodeHTML } from 'entities';
import type { Token, Tokens } from 'marked';
import type { HighlightTheme } from '../settings';
import { imageNameAlt } from './altText';
import { HIGHLIGHTED_PRE_CLASS, type Highlighter, loadHighlighter } from './highlight';

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

export interface RenderOptions {
  /** Colour fenced blocks that name their language with this theme; false: leave them plain. */
  highlight?: HighlightTheme | false;
  /** `markdown` already lexed (`lexMarkdown`): the text part reads the same tokens, a long document is lexed once. */
  tokens?: Token[];
  /**
   * A merge template (merge/rowCompose.ts): each heading's id is what this returns for the heading's plain text (a
   * token each row replaces with the id of its own text, `headingIds`).
   */
  headingIdToken?: (plain: string) => string;
}

/**
 * The ids of headings with these plain texts, in document order: GitHub-style slugs, a repeated one numbered
 * (`intro`, `intro-1`).
 */
export function headingIds(plainTexts: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return plainTexts.map((plain) => numberedId(seen, plain));
}

/** The slug of `plain`, numbered when `seen` has it already. */
function numberedId(seen: Map<string, number>, plain: string): string {
  const base = slugify(plain) || 'section';
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

/** The tokens of `markdown` (GFM), as `renderMarkdown` and the text part read them. */
export async function lexMarkdown(markdown: string): Promise<Token[]> {
  const { Marked } = await import('marked');
  return new Marked({ gfm: true, breaks: false, async: false }).lexer(markdown);
}

/**
 * Renders Markdown (GFM: tables, task lists, fenced code, autolinks; headings get ids) into a complete HTML
 * document with the given stylesheet in a `<style>` block and the body in a centered container. The `<title>`
 * is left empty for the caller, who knows the subject. An image without alt text gets its file name.
 */
export async function renderMarkdown(markdown: string, stylesheet: string, options: RenderOptions = {}): Promise<string> {
  const { Marked } = await import('marked');
  const seen = new Map<string, number>();
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  const tokens = options.tokens ?? marked.lexer(markdown);
  // highlight.js is loaded only when a fenced block names a language.
  let highlighter: Highlighter | undefined;
  if (options.highlight && hasLanguageBlock(marked, tokens)) highlighter = await loadHighlighter(options.highlight);
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Heading): string {
        const inner = this.parser.parseInline(token.tokens);
        // Character references (`&amp;`, a merge value's `&#42;`) count as the characters they stand for.
        const plain = decodeHTML(plainText(token.tokens));
        const id = options.headingIdToken ? options.headingIdToken(plain) : numberedId(seen, plain);
        return `<h${token.depth} id="${escapeHtml(id)}">${inner}</h${token.depth}>\n`;
      },
      // Email clients drop form controls: a task list item shows a ballot box character instead.
      checkbox(token: Tokens.Checkbox): string {
        return token.checked ? '&#9745; ' : '&#9744; ';
      },
      image(token: Tokens.Image): string | false {
        if (!token.text.trim()) {
          const alt = imageNameAlt(token.href);
          token.text = alt;
          token.tokens = [{ type: 'text', raw: alt, text: alt }];
        }
        return false;
      },
      code(token: Tokens.Code): string | false {
        const language = codeLanguage(token);
        const html = highlighter && language ? highlighter.highlight(token.text, language) : undefined;
        if (html === undefined) return false;
        return `<pre class="${HIGHLIGHTED_PRE_CLASS}"><code class="hljs language-${escapeHtml(language)}">${html}\n</code></pre>\n`;
      },
    },
  });
  const body = marked.parser(tokens);
  if (highlighter) stylesheet = `${stylesheet}\n${highlighter.stylesheet}`;
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

/** The language a fenced block names (its info string's first word), '' for none. */
function codeLanguage(token: Tokens.Code): string {
  return (token.lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

function hasLanguageBlock(marked: { walkTokens(tokens: Token[], fn: (t: Token) => void): unknown }, tokens: Token[]): boolean {
  let found = false;
  marked.walkTokens(tokens, (t) => {
    if (t.type === 'code' && codeLanguage(t as Tokens.Code)) found = true;
  });
  return found;
}
