/**
 * YAML front matter of a Markdown document: the header fields and attachments, and the body without it.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { LANGUAGE_TAG_RE } from './documentLanguage';
import { CONTENT_ID_RE, type DocumentFields, invalid, unknownKey, unknownKeysError } from './documentFields';
import { quotedAtLine } from './lineLocator';

export interface ParsedMarkdown {
  data: DocumentFields;
  /** The Markdown after the front matter (the whole text when there is none). */
  body: string;
  /** Number of lines the front matter takes (0 without front matter): body line n is source line n + offset. */
  lineOffset: number;
}

/** The front matter keys a document may use (compared exactly; a near miss is refused with the key it resembles). */
export const FRONT_MATTER_KEYS = ['subject', 'from', 'to', 'cc', 'bcc', 'replyTo', 'attachments', 'inline', 'account', 'lang', 'data'] as const;

// `---` on the first line (BOM allowed); the front matter ends at the first line of exactly `---` or `...`.
const OPENING_RE = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING_RE = /^(?:---|\.\.\.)[ \t]*$/;
/** A line of dashes that is not the closing `---` (`----`): a mistyped end, never YAML anyone meant. */
const NEAR_CLOSING_RE = /^-{4,}[ \t]*$/;

export async function parseFrontMatter(text: string): Promise<ParsedMarkdown> {
  const opening = OPENING_RE.exec(text);
  if (!opening) return { data: {}, body: text.replace(/^\uFEFF/, ''), lineOffset: 0 };
  const { yamlText, consumed, lines } = frontMatterBlock(text, opening[0].length);
  // JSON is YAML, and a merge writes each row's front matter as JSON: read without the YAML parser when every key is
  // known (anything else goes the YAML way, which names lines).
  const json = /^\s*\{/.test(yamlText) ? parseJsonObject(yamlText) : undefined;
  if (json && Object.keys(json).every((k) => (FRONT_MATTER_KEYS as readonly string[]).includes(k))) {
    return { data: validate(json, () => undefined), body: text.slice(consumed), lineOffset: lines };
  }
  const { isMap, isNode, isScalar, LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true, lineCounter });
  // +1: the opening `---` is line 1 of the file.
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line + 1);
  const err = doc.errors[0];
  if (err) {
    const line = (err.linePos?.[0]?.line ?? 1) + 1;
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
    throw new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, l10n.t('The front matter is not valid YAML (line {0}): {1}.', line, what), {
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
      if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) unknown.push(unknownKey('front matter', key, line, FRONT_MATTER_KEYS));
    }
    if (unknown.length > 0) throw unknownKeysError('front matter', unknown, FRONT_MATTER_KEYS);
  }
  const data = validate(doc.toJS(), (key) => keyLines.get(key));
  return { data, body: text.slice(consumed), lineOffset: lines };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The front matter's YAML text and the body after it, without parsing the YAML (a merge template's placeholders are
 * not YAML yet); undefined without front matter. Throws like `parseFrontMatter` for a front matter never closed.
 */
export function splitFrontMatter(text: string): { yamlText: string; body: string; lineOffset: number } | undefined {
  const opening = OPENING_RE.exec(text);
  if (!opening) return undefined;
  const { yamlText, consumed, lines } = frontMatterBlock(text, opening[0].length);
  return { yamlText, body: text.slice(consumed), lineOffset: lines };
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
      throw frontMatterNotClosed(l10n.t('The front matter that starts on line 1 must end with a line of exactly "---"; line {0} is "{1}".', line, content.trim()), line);
    }
    if (nl < 0) {
      throw frontMatterNotClosed(
        l10n.t('The front matter that starts on line 1 is not closed: no line of exactly "---" follows it (the file has {0} lines).', line),
        1,
        l10n.t('End the front matter with a line "---"; if the first line is meant as a horizontal rule, put an empty line before it.'),
      );
    }
    pos = nl + 1;
  }
}

function frontMatterNotClosed(message: string, line: number, hint = l10n.t('End the front matter with a line of exactly "---".')): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message, { problems: [{ code: ErrorCode.FRONT_MATTER_INVALID, message, line }], hint });
}

function validate(raw: unknown, lineOf: (key: string) => number | undefined): DocumentFields {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(l10n.t('The front matter must be a YAML mapping of keys such as subject, to and cc.'));
  }
  const obj = raw as Record<string, unknown>;
  const out: DocumentFields = {};
  // The key as a message names it: `"cc" (line 4)`.
  const named = (key: string): string => quotedAtLine(key, lineOf(key));
  const str = (key: 'subject' | 'from' | 'replyTo' | 'account'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
    else throw invalid(l10n.t('The front matter key {0} must be text.', named(key)));
  };
  const list = (key: 'to' | 'cc' | 'bcc'): void => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = v as string[];
    else throw invalid(l10n.t('The front matter key {0} must be an address or a list of addresses.', named(key)));
  };
  str('subject');
  str('from');
  // A merge's data file (core/merge): a single send ignores it.
  if (obj.data !== undefined && obj.data !== null) {
    if (typeof obj.data === 'string' && obj.data.trim()) out.data = obj.data.trim();
    else throw invalid(l10n.t('The front matter key {0} must be the path of a data file (.csv, .json or .yaml).', named('data')));
  }
  str('replyTo');
  str('account');
  list('to');
  list('cc');
  list('bcc');
  const lang = obj.lang;
  if (lang !== undefined && lang !== null) {
    if (typeof lang !== 'string' || !LANGUAGE_TAG_RE.test(lang.trim())) {
      throw invalid(l10n.t('The front matter key {0} must be a language tag such as en or zh-CN.', named('lang')));
    }
    out.lang = lang.trim();
  }
  const att = obj.attachments;
  if (att !== undefined && att !== null) {
    if (typeof att === 'string') out.attachments = [att];
    else if (Array.isArray(att) && att.every((x) => typeof x === 'string')) out.attachments = att as string[];
    else throw invalid(l10n.t('The front matter key {0} must be a file path or a list of file paths.', named('attachments')));
  }
  const inline = obj.inline;
  if (inline !== undefined && inline !== null) {
    const example = '{ image1: images/chart.png }';
    if (typeof inline !== 'object' || Array.isArray(inline)) {
      throw invalid(l10n.t('The front matter key {0} must map Content-IDs to files, as in inline: {1}.', named('inline'), example));
    }
    out.inline = {};
    for (const [cid, file] of Object.entries(inline as Record<string, unknown>)) {
      if (!CONTENT_ID_RE.test(cid)) {
        throw invalid(
          l10n.t(
            'The front matter key {0} must map Content-IDs to files, as in inline: {1}; "{2}" is not a Content-ID (letters, digits and . @ - _ without spaces).',
            named('inline'),
            example,
            cid,
          ),
        );
      }
      if (typeof file !== 'string' || !file.trim()) {
        throw invalid(l10n.t('The front matter key {0} must map Content-IDs to files, as in inline: {1}; "{2}" has no file path.', named('inline'), example, cid));
      }
      out.inline[cid] = file.trim();
    }
  }
  return out;
}
