/**
 * YAML front matter of a Markdown document: the header fields and attachments, and the body without it.
 */
import type { CheerioAPI } from 'cheerio';
import { LineLocator } from './lineLocator';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';

export interface FrontMatter {
  subject?: string;
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  attachments?: string[];
  /** Inline parts named by Content-ID, for `cid:` references written by hand: Content-ID → file path. */
  inline?: Record<string, string>;
}

export interface ParsedMarkdown {
  data: FrontMatter;
  /** The Markdown after the front matter (the whole text when there is none). */
  body: string;
  /** Number of lines the front matter takes (0 without front matter): body line n is source line n + offset. */
  lineOffset: number;
}

/** The front matter keys a document may use (compared exactly; a near miss is refused with the key it resembles). */
export const FRONT_MATTER_KEYS = ['subject', 'from', 'to', 'cc', 'bcc', 'replyTo', 'attachments', 'inline'] as const;

/** A Content-ID an author may name: a dot-atom (`image1`, `logo.png`, `chart@report`), as `cid:` URLs write it. */
const CONTENT_ID_RE = /^[A-Za-z0-9!#$&'*+/=?^_`{|}~.@-]{1,200}$/;

// `---` on the first line (BOM allowed); the front matter ends at the first line of exactly `---` or `...`.
const OPENING_RE = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING_RE = /^(?:---|\.\.\.)[ \t]*$/;
/** A line of dashes that is not the closing `---` (`----`): a mistyped end, never YAML anyone meant. */
const NEAR_CLOSING_RE = /^-{4,}[ \t]*$/;

export async function parseFrontMatter(text: string): Promise<ParsedMarkdown> {
  const opening = OPENING_RE.exec(text);
  if (!opening) return { data: {}, body: text.replace(/^\uFEFF/, ''), lineOffset: 0 };
  const { yamlText, consumed, lines } = frontMatterBlock(text, opening[0].length);
  const { isMap, isNode, isScalar, LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true, lineCounter });
  // +1: the opening `---` is line 1 of the file.
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line + 1);
  const err = doc.errors[0];
  if (err) {
    const line = (err.linePos?.[0]?.line ?? 1) + 1;
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
    throw new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, `The front matter is not valid YAML (line ${line}): ${what}.`, {
      problems: [{ code: ErrorCode.FRONT_MATTER_INVALID, message: what, line }],
    });
  }
  const keyLines = new Map<string, number>();
  if (isMap(doc.contents)) {
    const unknown: Problem[] = [];
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const line = lineOf(isNode(pair.key) ? pair.key.range?.[0] : undefined);
      keyLines.set(key, line);
      if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) unknown.push(unknownKey('front matter key', key, line, FRONT_MATTER_KEYS));
    }
    if (unknown.length > 0) throw unknownKeysError('front matter key', unknown, FRONT_MATTER_KEYS);
  }
  const data = validate(doc.toJS(), (key) => keyLines.get(key));
  return { data, body: text.slice(consumed), lineOffset: lines };
}

/**
 * The YAML between the opening `---` (which ends at `start`) and the closing line, how many characters the front
 * matter takes with both lines, and how many lines. A front matter that is never closed, or closed by a line of
 * four or more dashes, is refused: its YAML (a Bcc list, say) would otherwise travel as the body.
 */
function frontMatterBlock(text: string, start: number): { yamlText: string; consumed: number; lines: number } {
  let line = 2;
  for (let pos = start; ; line++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const content = text.slice(pos, end).replace(/\r$/, '');
    if (CLOSING_RE.test(content)) return { yamlText: text.slice(start, pos), consumed: nl < 0 ? text.length : nl + 1, lines: line };
    if (NEAR_CLOSING_RE.test(content)) {
      throw frontMatterNotClosed(`The front matter that starts on line 1 must end with a line of exactly "---"; line ${line} is "${content.trim()}".`, line);
    }
    if (nl < 0) {
      throw frontMatterNotClosed(
        `The front matter that starts on line 1 is not closed: no line of exactly "---" follows it (the file has ${line} lines).`,
        1,
        'End the front matter with a line "---"; if the first line is meant as a horizontal rule, put an empty line before it.',
      );
    }
    pos = nl + 1;
  }
}

function frontMatterNotClosed(message: string, line: number, hint = 'End the front matter with a line of exactly "---".'): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message, { problems: [{ code: ErrorCode.FRONT_MATTER_INVALID, message, line }], hint });
}

/** `unknown` as one problem: the key, its line, and the known key it most resembles. */
function unknownKey(noun: string, key: string, line: number | undefined, known: readonly string[]): Problem {
  const near = nearestKey(key, known);
  const where = line ? ` (line ${line})` : '';
  const message = `Unknown ${noun} "${key}"${where}${near ? `: did you mean "${near}"?` : '.'}`;
  return { code: ErrorCode.FRONT_MATTER_INVALID, message, ref: key, line };
}

function unknownKeysError(noun: string, problems: Problem[], known: readonly string[]): SendAsEmailError {
  const hint = `The known ${noun}s are ${known.slice(0, -1).join(', ')} and ${known[known.length - 1]}.`;
  if (problems.length === 1) return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, problems[0].message, { problems, hint });
  const parts = problems.map((p) => p.message.replace(/^Unknown [^"]*/, '').replace(/\.$/, ''));
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, `${problems.length} unknown ${noun}s: ${parts.join('; ')}.`, { problems, hint });
}

/**
 * The known key `key` was most likely meant to be: the same letters in another case or without `-`/`_`
 * (`Bcc`, `reply-to`), else the closest within a small edit distance (`attachment`, `subjet`); undefined when none
 * is close.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const fold = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const k = fold(key);
  const same = known.find((c) => fold(c) === k);
  if (same) return same;
  const limit = k.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of known) {
    const d = editDistance(k, fold(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function validate(raw: unknown, lineOf: (key: string) => number | undefined): FrontMatter {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('The front matter must be a YAML mapping of keys such as subject, to and cc.');
  }
  const obj = raw as Record<string, unknown>;
  const out: FrontMatter = {};
  const where = (key: string): string => {
    const line = lineOf(key);
    return line ? ` (line ${line})` : '';
  };
  const str = (key: 'subject' | 'from' | 'replyTo'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
    else throw invalid(`The front matter key "${key}"${where(key)} must be text.`);
  };
  const list = (key: 'to' | 'cc' | 'bcc'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = v as string[];
    else throw invalid(`The front matter key "${key}"${where(key)} must be an address or a list of addresses.`);
  };
  str('subject');
  str('from');
  str('replyTo');
  list('to');
  list('cc');
  list('bcc');
  const att = obj.attachments;
  if (att !== undefined && att !== null) {
    if (typeof att === 'string') out.attachments = [att];
    else if (Array.isArray(att) && att.every((x) => typeof x === 'string')) out.attachments = att as string[];
    else throw invalid(`The front matter key "attachments"${where('attachments')} must be a file path or a list of file paths.`);
  }
  const inline = obj.inline;
  if (inline !== undefined && inline !== null) {
    const shape = `The front matter key "inline"${where('inline')} must map Content-IDs to files, as in inline: { image1: images/chart.png }`;
    if (typeof inline !== 'object' || Array.isArray(inline)) throw invalid(`${shape}.`);
    out.inline = {};
    for (const [cid, file] of Object.entries(inline as Record<string, unknown>)) {
      if (!CONTENT_ID_RE.test(cid)) throw invalid(`${shape}; "${cid}" is not a Content-ID (letters, digits and . @ - _ without spaces).`);
      if (typeof file !== 'string' || !file.trim()) throw invalid(`${shape}; "${cid}" has no file path.`);
      out.inline[cid] = file.trim();
    }
  }
  return out;
}

/**
 * `<meta name="email:inline" content="image1=images/chart.png, logo=img/logo.png">`: Content-ID → file. Throws naming
 * the entry that is not `id=path`.
 */
function parseInlineList(content: string, line: number | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const where = line ? ` (line ${line})` : '';
  for (const entry of content.split(',')) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf('=');
    const cid = entry.slice(0, Math.max(eq, 0)).trim();
    const file = entry.slice(eq + 1).trim();
    if (eq < 0 || !CONTENT_ID_RE.test(cid) || !file) {
      throw invalid(`The meta element email:inline${where} must list id=path pairs separated by commas, as in "image1=images/chart.png"; "${entry.trim()}" is not one.`);
    }
    if (out[cid] !== undefined) throw invalid(`The meta element email:inline${where} names "${cid}" twice.`);
    out[cid] = file;
  }
  return out;
}

function invalid(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message);
}

const META_FIELDS = ['to', 'cc', 'bcc', 'subject', 'from', 'replyTo', 'inline'] as const;
const META_NAMES = META_FIELDS.map((f) => `email:${f}`);

/**
 * Header fields of an HTML document: `<meta name="email:to|email:cc|email:bcc|email:subject|email:from|email:replyTo"
 * content="...">` (names compared without regard to case), `<meta name="email:inline" content="id=path, ...">` and,
 * for the subject, `<title>`. The `email:*` meta
 * elements are removed from the document, so a Bcc list never travels inside the HTML it was meant to hide from.
 * Another `email:` name is refused with its line in `sourceText` and the name it most resembles (`email:reply-to`).
 */
export function readHtmlHeaders($: CheerioAPI, sourceText = ''): FrontMatter {
  const out: FrontMatter = {};
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
      unknown.push(unknownKey('meta element', written, lines.find([written]) || undefined, META_NAMES));
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
  if (unknown.length > 0) throw unknownKeysError('meta element', unknown, META_NAMES);
  if (out.subject === undefined) {
    const title = $('title').first().text().replace(/\s+/g, ' ').trim();
    if (title) out.subject = title;
  }
  return out;
}
