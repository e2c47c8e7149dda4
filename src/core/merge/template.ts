/**
 * A document as a mustache template: its front matter values and its body, rendered for one row.
 *
 * The body is rendered twice. For the HTML part every value is HTML-escaped, and in a Markdown body also stripped of
 * its Markdown meaning (`*`, `_`, `[`, `#`, a backtick... become character references), so a name like `*Ada*` or
 * `<b>` is shown as written and never turns into markup. For the text part (a Markdown body is the text part) the
 * values are left as they are. Front matter values are rendered unescaped: they are header values and file paths.
 *
 * The front matter's placeholders are set aside before the YAML is parsed (`to: {{email}}` is a YAML mapping,
 * `[reports/{{id}}.pdf]` a syntax error), then put back into each value.
 * mustache and yaml are loaded on first use.
 */
import type MustacheModule from 'mustache';
import { splitFrontMatter } from '../source/frontMatter';
import { escapeHtml } from '../source/markdown';

type Mustache = typeof MustacheModule;
let mustacheModule: Mustache | undefined;

export async function loadMustache(): Promise<Mustache> {
  mustacheModule ??= ((await import('mustache')) as unknown as { default?: Mustache }).default ?? ((await import('mustache')) as unknown as Mustache);
  return mustacheModule;
}

/** Any mustache tag, triple ones included. */
const TAG_RE = /\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;
const TOKEN = (i: number): string => `zqMERGETAG${i}Xq`;
const TOKEN_RE = /zqMERGETAG(\d+)Xq/g;

export interface MergeTemplate {
  kind: 'markdown' | 'html';
  /** Front matter values (placeholders in place), `data` removed; undefined without front matter. */
  fields?: Record<string, unknown>;
  /** The front matter's `data:` as written (itself never a template). */
  dataPath?: string;
  /** The Markdown body, or the whole HTML document. */
  body: string;
  /** Every name a placeholder or section uses (its first segment: `a` of `a.b`). */
  names: Set<string>;
}

/** A missing value: the placeholder's name and where it is (`subject`, `to`, `body`). */
export interface MissingField {
  name: string;
  where: string;
}

export async function parseTemplate(text: string, kind: 'markdown' | 'html'): Promise<MergeTemplate> {
  const mustache = await loadMustache();
  const names = new Set<string>();
  if (kind === 'html') {
    collectNames(mustache.parse(text), names);
    return { kind, body: text, names };
  }
  const split = splitFrontMatter(text);
  const body = split ? split.body : text.replace(/^\uFEFF/, '');
  collectNames(mustache.parse(body), names);
  if (!split) return { kind, body, names };
  const tags: string[] = [];
  const yamlText = split.yamlText.replace(TAG_RE, (tag) => TOKEN(tags.push(tag) - 1));
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(yamlText);
  } catch {
    // The front matter's own errors are reported by compose (parseFrontMatter), with their lines.
    raw = undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { kind, body, names, fields: undefined };
  const restore = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(TOKEN_RE, (_, i: string) => tags[Number(i)]);
    if (Array.isArray(v)) return v.map(restore);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [restore(k) as string, restore(x)]));
    return v;
  };
  const fields = restore(raw) as Record<string, unknown>;
  const dataPath = typeof fields.data === 'string' ? fields.data : undefined;
  delete fields.data;
  for (const tag of tags) collectNames(mustache.parse(tag), names);
  return { kind, body, names, fields, dataPath };
}

function collectNames(tokens: unknown[], names: Set<string>): void {
  for (const t of tokens as [string, string, number, number, unknown[]?][]) {
    const [type, value, , , children] = t;
    if (type === 'name' || type === '&' || type === '#' || type === '^') {
      if (value !== '.') names.add(value.split('.')[0]);
    }
    if (Array.isArray(children)) collectNames(children, names);
  }
}

export { escapeHtml };

/**
 * A value for a Markdown body's HTML part: HTML-escaped, and every character Markdown gives a meaning to written as a
 * character reference (which Markdown shows as the character itself), line breaks included; so are `:` and `@`,
 * which would make a URL or an address in a value a link (GFM's autolinks).
 */
export function escapeMarkdown(value: string): string {
  // One pass: the references written for `&`, `<`... must not have their own `#` and `;` escaped again.
  return value.replace(/[&<>"'\\`*_{}[\]()#+\-.!|~:@\n]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders `template` with `view`, recording every placeholder whose value is missing (`undefined`: a section over a
 * missing name is simply empty, as mustache means it).
 */
export async function renderStrict(template: string, view: object, escape: (value: string) => string, where: string, missing: MissingField[]): Promise<string> {
  const writer = await strictWriter();
  writer.check = (name) => {
    if (!missing.some((m) => m.name === name && m.where === where)) missing.push({ name, where });
  };
  try {
    // mustache hands a number (or any value) to `escape` as it is.
    return writer.render(template, view, undefined, { escape: (v: unknown) => escape(String(v)) });
  } finally {
    writer.check = undefined;
  }
}

type Lookup = { lookup(n: string): unknown };
interface StrictWriter {
  check?: (name: string) => void;
  render(template: string, view: object, partials: undefined, config: { escape: (v: string) => string }): string;
}
let writerInstance: StrictWriter | undefined;

/** One writer for every row (it caches each template's parse), whose value lookups report missing names. */
async function strictWriter(): Promise<StrictWriter> {
  if (writerInstance) return writerInstance;
  const mustache = await loadMustache();
  const writer = new mustache.Writer() as unknown as StrictWriter & {
    escapedValue(token: string[], context: Lookup, config: unknown): string;
    unescapedValue(token: string[], context: Lookup, config: unknown): string;
  };
  const escaped = writer.escapedValue.bind(writer);
  const unescaped = writer.unescapedValue.bind(writer);
  const check = (token: string[], context: Lookup): void => {
    if (context.lookup(token[1]) === undefined) writer.check?.(token[1]);
  };
  writer.escapedValue = (token, context, config) => (check(token, context), escaped(token, context, config));
  writer.unescapedValue = (token, context, config) => (check(token, context), unescaped(token, context, config));
  writerInstance = writer;
  return writer;
}

/** Front matter values for one row: every string rendered unescaped, lists and mappings walked. */
export async function renderFields(fields: Record<string, unknown>, view: object, missing: MissingField[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (v: unknown, where: string): Promise<unknown> => {
    if (typeof v === 'string') return v.includes('{{') ? renderStrict(v, view, (s) => s, where, missing) : v;
    if (Array.isArray(v)) return Promise.all(v.map((x) => walk(x, where)));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = await walk(x, where);
      return o;
    }
    return v;
  };
  for (const [key, value] of Object.entries(fields)) out[key] = await walk(value, key);
  return out;
}
