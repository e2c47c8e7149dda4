/**
 * The plan of a merge: every row rendered and checked before anything is sent (a missing field, an empty or bad
 * address is that row's error, naming its data file line and the field), the columns nothing uses, and the merge's
 * id. A row is composed (images, MIME) only when asked: `renderRow`, `previewRow`, or when it is sent.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { formatMailbox } from '../mailbox';
import { parseMailboxes } from '../message/addresses';
import { composeMessage, composePreview, documentKind } from '../message/compose';
import type { ComposedMessage, ComposeOptions, HeaderOverrides, PreviewMessage, SourceDocument, Warning } from '../types';
import { ReadCache } from '../assets/readCache';
import { dataError, loadMergeData } from './data';
import { fillValueSlots, valueSlot } from '../message/textPart';
import { escapeHtml, escapeMarkdown, type MergeTemplate, type MissingField, parseTemplate, renderFields, renderStrict } from './template';
import type { MergeData, MergePlan, MergeRow, PlanMergeInput, RenderedRow } from './types';
import { composeTemplate, type RowInput, type TemplateComposer } from './rowCompose';

/** One row's document, ready for compose: its text (front matter and body, values in place) and its text part. */
export interface RowSource {
  doc: SourceDocument;
  textBody?: string;
  /** The values in `textBody`'s slots (message/textPart.ts valueSlot). */
  textValues?: string[];
  fields: Record<string, unknown>;
  missing: MissingField[];
}

const ADDRESS_FIELDS = [
  ['to', 'To'],
  ['cc', 'Cc'],
  ['bcc', 'Bcc'],
  ['replyTo', 'Reply-To'],
  ['from', 'From'],
] as const;

export function mergeIdOf(documentText: string, dataSha256: string): string {
  return crypto.createHash('sha256').update(documentText, 'utf8').update('\0').update(dataSha256).digest('hex').slice(0, 16);
}

export async function planMerge(input: PlanMergeInput): Promise<MergePlan> {
  const doc: SourceDocument = { path: input.documentPath, text: input.text };
  const kind = documentKind(doc);
  const template = await parseTemplate(input.text, kind);
  const baseDir = path.dirname(input.documentPath);
  let data: MergeData;
  if (input.data && 'rows' in input.data) data = input.data;
  else if (input.data) data = await loadMergeData(input.data, { baseDir, encoding: input.dataEncoding });
  else if (template.dataPath) data = await loadMergeData({ path: template.dataPath }, { baseDir, encoding: input.dataEncoding });
  else {
    throw dataError(l10n.t('{0} names no data for a merge: add "data: people.csv" to its front matter, or give --data FILE.', input.documentPath));
  }
  // Each image is read and hashed once for the whole merge, not once per row.
  const compose: ComposeOptions = { ...input.compose, readCache: input.compose.readCache ?? new ReadCache() };
  const dataLabel = data.source.startsWith('<') ? data.source : path.basename(data.source);
  const rows: RenderedRow[] = [];
  const sources: (RowSource | undefined)[] = [];
  for (const row of data.rows) {
    const source = await renderRowSource(template, doc, row);
    rows.push(await checkRow(template, source, row, dataLabel, input.compose, baseDir));
    // Kept only while small: a row is rendered again when it is composed.
    if (data.rows.length <= 200) sources.push(source);
  }
  const warnings: Warning[] = [];
  const unused = data.columns.filter((c) => !template.names.has(c));
  if (unused.length > 0) {
    warnings.push({
      kind: 'merge-unused-column',
      severity: 'warning',
      message:
        unused.length === 1
          ? l10n.t('The column "{0}" of {1} is not used by any placeholder.', unused[0], dataLabel)
          : l10n.t('The columns {0} of {1} are not used by any placeholder.', unused.map((c) => `"${c}"`).join(', '), dataLabel),
    });
  }
  const errors = rows.flatMap((r) => r.errors);
  const sourceOf = async (n: number): Promise<RowSource> => {
    const row = data.rows[n - 1];
    if (!row) throw new SendAsEmailError(ErrorCode.USAGE, l10n.t('There is no row {0}: {1} has {2} rows.', n, dataLabel, data.rows.length));
    return sources[n - 1] ?? (await renderRowSource(template, doc, row));
  };
  // The template composed once, each row filling its values in (rowCompose.ts), when the template allows it.
  let templateComposer: Promise<TemplateComposer | undefined> | undefined;
  const fast = (): Promise<TemplateComposer | undefined> => (templateComposer ??= composeTemplate(template, doc, compose).catch(() => undefined));
  const rowInput = (n: number, source: RowSource): RowInput => ({ values: data.rows[n - 1]!.values, fields: source.fields });
  const rowError = (n: number): void => {
    const problems = rows[n - 1]?.errors ?? [];
    if (problems.length > 0) throw new SendAsEmailError(ErrorCode.MERGE_ROW_INVALID, problems[0].message, { problems });
  };
  return {
    mergeId: mergeIdOf(input.text, data.sha256),
    documentPath: input.documentPath,
    dataSource: data.source,
    columns: data.columns,
    rows,
    errors,
    warnings,
    async renderRow(n: number, overrides?: HeaderOverrides): Promise<ComposedMessage> {
      const source = await sourceOf(n);
      if (!overrides) rowError(n);
      const withOverrides = (o: ComposeOptions): ComposeOptions => (overrides ? { ...o, overrides: { ...o.overrides, ...overrides } } : o);
      const filled = await (await fast())?.message(rowInput(n, source), withOverrides(compose));
      return filled ?? composeMessage(source.doc, withOverrides(rowComposeOptions(compose, source)));
    },
    async previewRow(n: number): Promise<PreviewMessage> {
      const source = await sourceOf(n);
      const filled = await (await fast())?.preview(rowInput(n, source), { ...compose, lenient: true });
      return filled ?? composePreview(source.doc, { ...rowComposeOptions(compose, source), lenient: true });
    },
  };
}

/** Compose options for one row: its text part, and the row's own headers over the settings (the user's overrides still win). */
export function rowComposeOptions(base: ComposeOptions, source: RowSource): ComposeOptions {
  return source.textBody === undefined ? base : { ...base, textBody: source.textBody, textValues: source.textValues };
}

/** The row's document: front matter values and body rendered (the body for the HTML part and for the text part). */
export async function renderRowSource(template: MergeTemplate, doc: SourceDocument, row: MergeRow): Promise<RowSource> {
  const missing: MissingField[] = [];
  const view = row.values;
  if (template.kind === 'html') {
    const text = await renderStrict(template.body, view, escapeHtml, 'body', missing);
    return { doc: { ...doc, text, kind: 'html' }, fields: {}, missing };
  }
  const fields = template.fields ? await renderFields(template.fields, view, missing) : {};
  const html = await renderStrict(template.body, view, escapeMarkdown, 'body', missing);
  // The text part: each value a slot while the Markdown is made into text, then put in as written.
  const textValues: string[] = [];
  const textBody = await renderStrict(template.body, view, (s) => valueSlot(textValues.push(s) - 1), 'body', []);
  let text = html;
  // JSON is YAML: the row's values as a flow mapping, quoted and escaped whatever they hold (no YAML writer per row).
  if (template.fields) text = `---\n${JSON.stringify(fields)}\n---\n${html}`;
  return { doc: { ...doc, text, kind: 'markdown' }, textBody, textValues, fields, missing };
}

/** The row as listed: recipients, subject, and what is wrong with it. */
async function checkRow(template: MergeTemplate, source: RowSource, row: MergeRow, dataLabel: string, compose: ComposeOptions, baseDir: string): Promise<RenderedRow> {
  const errors: Problem[] = [];
  const fail = (message: string, ref?: string): void => {
    errors.push({ code: ErrorCode.MERGE_ROW_INVALID, message: l10n.t('Row {0} ({1} line {2}): {3}', row.row, dataLabel, row.line, message), line: row.line, ref });
  };
  for (const m of source.missing) {
    fail(l10n.t('the field "{0}" used in {1} has no value.', m.name, m.where), m.name);
  }
  let fields = source.fields;
  if (template.kind === 'html') {
    const { load } = await import('cheerio');
    const { readHtmlHeaders } = await import('../source/htmlMeta');
    try {
      fields = readHtmlHeaders(load(source.doc.text), source.doc.text) as Record<string, unknown>;
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  }
  const overrides: HeaderOverrides = compose.overrides ?? {};
  const settings = compose.settings;
  const pick = (key: 'to' | 'cc' | 'bcc'): string | string[] | undefined =>
    overrides[key] !== undefined ? overrides[key] : fields[key] !== undefined ? (fields[key] as string | string[]) : settings[key].length > 0 ? settings[key] : undefined;
  const envelope: string[] = [];
  let toHeader: string[] = [];
  for (const [key, label] of ADDRESS_FIELDS) {
    const value = key === 'to' || key === 'cc' || key === 'bcc' ? pick(key) : (fields[key] as string | undefined);
    if (value === undefined) continue;
    const written = Array.isArray(value) ? value : [value];
    if (key !== 'from' && key !== 'replyTo' && fields[key] !== undefined && written.every((v) => typeof v === 'string' && !v.trim())) {
      fail(l10n.t('{0} is empty.', label), key);
      continue;
    }
    try {
      const mailboxes = parseMailboxes(value, label);
      if (key === 'to') toHeader = mailboxes.map(formatMailbox);
      if (key === 'to' || key === 'cc' || key === 'bcc') for (const m of mailboxes) if (!envelope.includes(m.address)) envelope.push(m.address);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e), key);
    }
  }
  if (envelope.length === 0 && !errors.some((p) => p.ref === 'to' || p.ref === 'cc' || p.ref === 'bcc')) fail(l10n.t('the message has no recipient.'), 'to');
  // Files named per row (attachments: [reports/{{id}}.pdf]) are looked for now, so a missing one stops the merge before it starts.
  for (const key of ['attachments', 'inline'] as const) {
    const written = template.fields?.[key];
    const value = fields[key];
    if (!written || !JSON.stringify(written).includes('{{') || !value) continue;
    const files = typeof value === 'string' ? [value] : Array.isArray(value) ? value : Object.values(value as object);
    for (const f of files) {
      if (typeof f !== 'string') continue;
      const exists = await fs.stat(path.resolve(baseDir, f)).then((s) => s.isFile(), () => false);
      if (!exists) fail(l10n.t('the file "{0}" named in {1} does not exist.', f, key), key);
    }
  }
  const subject = String(overrides.subject ?? fields.subject ?? firstHeading(source) ?? path.basename(source.doc.path, path.extname(source.doc.path))).trim();
  // A value with a line break would end the Subject header: this row's error, found before anything is sent.
  if (/[\r\n]/.test(subject)) fail(l10n.t('the subject holds a line break (from a value), which a header cannot hold.'), 'subject');
  return { row: row.row, line: row.line, to: envelope, toHeader, subject, errors };
}

function firstHeading(source: RowSource): string | undefined {
  if (source.doc.kind === 'html') {
    const m = /<title[^>]*>([^<]*)<\/title>|<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(source.doc.text);
    return m ? (m[1] ?? m[2] ?? '').replace(/<[^>]+>/g, '').trim() || undefined : undefined;
  }
  const m = /^#\s+(.+?)\s*#*\s*$/m.exec(source.textBody ?? '');
  return m ? fillValueSlots(m[1]!, source.textValues ?? []) : undefined;
}
