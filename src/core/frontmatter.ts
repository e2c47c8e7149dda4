/**
 * YAML front matter of a Markdown document: the header fields and attachments, and the body without it.
 */
import type { CheerioAPI } from 'cheerio';
import { ErrorCode, SendAsEmailError } from './errors';

export interface FrontMatter {
  subject?: string;
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  attachments?: string[];
}

export interface ParsedMarkdown {
  data: FrontMatter;
  /** The Markdown after the front matter (the whole text when there is none). */
  body: string;
  /** Number of lines the front matter takes (0 without front matter): body line n is source line n + offset. */
  lineOffset: number;
}

// `---` on the first line (BOM allowed), then YAML, then a closing `---` or `...` line.
const FRONT_MATTER_RE = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export async function parseFrontMatter(text: string): Promise<ParsedMarkdown> {
  const m = FRONT_MATTER_RE.exec(text);
  if (!m) return { data: {}, body: text.replace(/^\uFEFF/, ''), lineOffset: 0 };
  const yamlText = m[1] ?? '';
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    // +1: the opening `---` is line 1 of the file.
    const line = (err.linePos?.[0]?.line ?? 1) + 1;
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
    throw new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, `The front matter is not valid YAML (line ${line}): ${what}.`, {
      problems: [{ code: ErrorCode.FRONT_MATTER_INVALID, message: what, line }],
    });
  }
  const raw: unknown = doc.toJS();
  const data = validate(raw);
  return { data, body: text.slice(m[0].length), lineOffset: countLines(m[0]) };
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  // A front matter that ends the file without a final newline still took its last line.
  return s.endsWith('\n') ? n : n + 1;
}

function validate(raw: unknown): FrontMatter {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('The front matter must be a YAML mapping of keys such as subject, to and cc.');
  }
  const obj = raw as Record<string, unknown>;
  const out: FrontMatter = {};
  const str = (key: 'subject' | 'from' | 'replyTo'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
    else throw invalid(`The front matter key "${key}" must be text.`);
  };
  const list = (key: 'to' | 'cc' | 'bcc'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = v as string[];
    else throw invalid(`The front matter key "${key}" must be an address or a list of addresses.`);
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
    else throw invalid('The front matter key "attachments" must be a file path or a list of file paths.');
  }
  return out;
}

function invalid(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message);
}

const META_FIELDS = ['to', 'cc', 'bcc', 'subject', 'from', 'replyTo'] as const;

/**
 * Header fields of an HTML document: `<meta name="email:to|email:cc|email:bcc|email:subject|email:from|email:replyTo"
 * content="...">` and, for the subject, `<title>`. The `email:*` meta elements are removed from the document, so
 * a Bcc list never travels inside the HTML it was meant to hide from.
 */
export function readHtmlHeaders($: CheerioAPI): FrontMatter {
  const out: FrontMatter = {};
  $('meta[name]').each((_, el) => {
    const name = (el.attribs.name ?? '').trim().toLowerCase();
    if (!name.startsWith('email:')) return;
    $(el).remove();
    const key = META_FIELDS.find((f) => f.toLowerCase() === name.slice('email:'.length));
    const content = el.attribs.content;
    if (!key || content === undefined || out[key] !== undefined) return;
    out[key] = content;
  });
  if (out.subject === undefined) {
    const title = $('title').first().text().replace(/\s+/g, ' ').trim();
    if (title) out.subject = title;
  }
  return out;
}
