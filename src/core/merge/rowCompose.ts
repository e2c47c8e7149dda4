/**
 * A merge's rows composed from its template composed once. The template's body is rendered with each placeholder a
 * slot (message/textPart.ts `valueSlot`: private-use characters no document writes) and composed like any document
 * (Markdown, images, CSS, the text part); each row then only puts its values in the slots, HTML-escaped in the HTML
 * part and as written in the text part, gets its own headers, and has its MIME built around the same images (read,
 * hashed and base64-encoded once for the whole merge).
 *
 * Only for a template whose every placeholder ends up where a value is plain text: a Markdown body of `{{name}}`
 * tags only (no section, no triple or `&` tag, no dotted name), each of them in the HTML's text (not in a URL, an
 * attribute, a comment or code) and in the text part, and front matter placeholders only in the headers (to, cc,
 * bcc, replyTo, subject) and the attachments (read for each row). Any other template, or a row whose value is not a string or a number, is composed from the
 * row's own document (plan.ts), which is always right and several times slower.
 */
import type { AnyNode } from 'domhandler';
import * as path from 'path';
import { loadAttachments } from '../assets/attachments';
import { problemsError, problemToWarning } from '../assets/problems';
import { assembleMessage, type MessageContent, prepareContent, resolveHeaders } from '../message/compose';
import { fillValueSlots, VALUE_SLOT_RE, valueSlot } from '../message/textPart';
import { parseFrontMatter } from '../source/frontMatter';
import { collapse, forEachNode } from '../source/dom';
import { NOT_PROSE } from '../source/prepareDocument';
import { headingIds } from '../source/markdown';
import type { ComposedMessage, ComposeOptions, PreviewMessage, SourceDocument } from '../types';
import { escapeHtml, loadMustache, type MergeTemplate } from './template';

/**
 * Front matter keys whose placeholders a row fills in its headers alone (nothing in the body depends on them), and
 * `attachments` (each row's files are read for it).
 */
const ROW_KEYS = new Set(['to', 'cc', 'bcc', 'replyTo', 'subject', 'attachments']);
/** A heading's id in the template (see `headingIdToken`). */
const HEADING_ID_RE = /\uE003(\d+)\uE001/g;

/** One row as the composer needs it: its values, and its front matter rendered (plan.ts RowSource.fields). */
export interface RowInput {
  values: Record<string, unknown>;
  fields: Record<string, unknown>;
}

export interface TemplateComposer {
  /** The row's message with its bytes; undefined when this row must be composed from its own document. */
  message(row: RowInput, options: ComposeOptions): Promise<ComposedMessage | undefined>;
  /** The row as the preview shows it (its size, no bytes); undefined as for `message`. */
  preview(row: RowInput, options: ComposeOptions): Promise<PreviewMessage | undefined>;
}

/**
 * The template composed once, or undefined when the template is not one this applies to (then every row is composed
 * from its own document). `options`: the merge's compose options (lenient or not, the row decides later).
 */
export async function composeTemplate(template: MergeTemplate, doc: SourceDocument, options: ComposeOptions): Promise<TemplateComposer | undefined> {
  if (template.kind !== 'markdown') return undefined;
  const names = await plainNames(template.body);
  if (!names) return undefined;
  const fixed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template.fields ?? {})) {
    const templated = JSON.stringify(value).includes('{{');
    if (templated && !ROW_KEYS.has(key)) return undefined;
    if (!templated) fixed[key] = value;
  }
  const mustache = await loadMustache();
  const view = Object.fromEntries(names.map((n, i) => [n, valueSlot(i)]));
  const body = mustache.render(template.body, view, undefined, { escape: (s: string) => s });
  const subjectSlot = valueSlot(names.length);
  const text = Object.keys(fixed).length > 0 ? `---\n${JSON.stringify(fixed)}\n---\n${body}` : body;
  // Every heading's id is a token: a row's ids are those of its own heading texts (a value changes the slug).
  const headings: string[] = [];
  const headingIdToken = (plain: string): string => `\uE003${headings.push(plain) - 1}\uE001`;
  let content: MessageContent;
  try {
    const templateOptions = { ...options, lenient: true, textBody: undefined, textValues: undefined, overrides: { ...options.overrides, subject: subjectSlot } };
    content = await prepareContent({ ...doc, text, kind: 'markdown' }, templateOptions, false, { headingIdToken, heading: true });
  } catch {
    // The same error comes again, with the row's own document, when a row is composed.
    return undefined;
  }
  const slotsInBody = countSlots(body);
  if (!(await slotsArePlainText(content.html, slotsInBody, names.length)) || countSlots(content.text) !== slotsInBody) return undefined;
  const basename = path.basename(doc.path, path.extname(doc.path));
  const rowAttachments = template.fields?.attachments !== undefined && !('attachments' in fixed);

  /** The row's content: its headers, the values in place; undefined when a value is not a plain one. */
  const rowContent = async (row: RowInput, rowOptions: ComposeOptions): Promise<MessageContent | undefined> => {
    const raw: string[] = [];
    for (const name of names) {
      const v = row.values[name];
      if (typeof v === 'string') raw.push(v);
      else if (typeof v === 'number') raw.push(String(v));
      else return undefined;
    }
    const fields = (await parseFrontMatter(`---\n${JSON.stringify(row.fields)}\n---\n`)).data;
    const headers = resolveHeaders(fields, rowOptions.overrides ?? {}, content.senderSettings, () => collapse(fillValueSlots(content.heading ?? '', raw)) || basename);
    // Attachments named per row (`attachments: [reports/{{id}}.pdf]`), read under the same policy as the document's.
    let { attachments, problems, warnings } = content;
    if (rowAttachments) {
      const settings = rowOptions.settings;
      const loaded = await loadAttachments(fields.attachments ?? [], {
        docPath: doc.path,
        sourceText: doc.text,
        workspaceFolders: rowOptions.workspaceFolders,
        allowOutsideWorkspace: settings.images.allowOutsideWorkspace,
      });
      if (loaded.problems.length > 0 && !rowOptions.lenient) throw problemsError(loaded.problems);
      attachments = loaded.attachments;
      problems = [...problems, ...loaded.problems];
      warnings = [...warnings, ...loaded.problems.map(problemToWarning)];
    }
    const escaped = raw.map(escapeHtml);
    escaped.push(escapeHtml(headers.subject));
    const ids = headingIds(headings.map((h) => fillValueSlots(h, raw)));
    const html = fillValueSlots(content.html, escaped).replace(HEADING_ID_RE, (_, k: string) => escapeHtml(ids[Number(k)] ?? ''));
    return { ...content, fields, headers, html, text: fillValueSlots(content.text, raw), attachments, problems, warnings };
  };
  const strict = (rowOptions: ComposeOptions): void => {
    if (!rowOptions.lenient && content.problems.length > 0) throw problemsError(content.problems);
  };
  return {
    async message(row, rowOptions) {
      strict(rowOptions);
      const filled = await rowContent(row, rowOptions);
      if (!filled) return undefined;
      const { mime, ...message } = await assembleMessage(filled, rowOptions);
      return { raw: await mime.toBuffer(), ...message };
    },
    async preview(row, rowOptions) {
      strict(rowOptions);
      const filled = await rowContent(row, rowOptions);
      if (!filled) return undefined;
      const { mime, ...message } = await assembleMessage(filled, rowOptions);
      return { ...message, size: mime.size };
    },
  };
}

/** The body's placeholder names, in order of first use, when every tag is a plain `{{name}}` (comments aside). */
async function plainNames(body: string): Promise<string[] | undefined> {
  const mustache = await loadMustache();
  const names: string[] = [];
  for (const [type, value] of mustache.parse(body) as unknown as [string, string][]) {
    if (type === 'text' || type === '!') continue;
    if (type !== 'name' || value === '.' || value.includes('.')) return undefined;
    if (!names.includes(value)) names.push(value);
  }
  return names;
}

function countSlots(s: string): number {
  return s.match(VALUE_SLOT_RE)?.length ?? 0;
}

/**
 * Whether every value slot of the composed HTML is in the reader's prose (no attribute, comment, code or style holds
 * one: there a value would be code, or left unhighlighted), all of the body's slots are there, and the subject's slot
 * (number `subject`) is in the title only.
 */
async function slotsArePlainText(html: string, slotsInBody: number, subject: number): Promise<boolean> {
  const { load } = await import('cheerio');
  let values = 0;
  let subjects = 0;
  let plain = true;
  forEachNode(load(html).root()[0], (node) => {
    if (node.type === 'text') {
      for (const m of node.data.matchAll(VALUE_SLOT_RE)) {
        const inside = ancestors(node);
        if (Number(m[1]) === subject) {
          subjects++;
          if (!inside.includes('title')) plain = false;
        } else {
          values++;
          if (inside.some((name) => NOT_PROSE.has(name))) plain = false;
        }
      }
    } else if ('attribs' in node && Object.values(node.attribs).some((v) => v.includes('\uE000'))) {
      plain = false;
    }
  });
  return plain && values === slotsInBody && subjects === 1 && countSlots(html) === values + subjects;
}

/** The tag names of a node's ancestors, lower case. */
function ancestors(node: AnyNode): string[] {
  const names: string[] = [];
  for (let p = node.parent; p; p = p.parent) if ('tagName' in p) names.push(p.tagName.toLowerCase());
  return names;
}
