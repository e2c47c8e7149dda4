/**
 * The compose stage: a Markdown or HTML document (the editor's text) → the exact MIME bytes that are previewed,
 * saved and sent. Parse → render → assets → inline CSS → text part → headers → nodemailer's MailComposer, with the
 * binary parts encoded by mimeBuild.ts.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { domainToASCII } from 'url';
import { pickAccount } from '../accounts/accounts';
import { formatMailbox, type Mailbox } from '../mailbox';
import { assertHeaderValue, domainOf, parseMailboxes } from './addresses';
import { loadAttachments, type LoadedAttachment } from '../assets/attachments';
import { embedImages } from '../assets/embed';
import { embedInline } from '../assets/inlineParts';
import { fsReason } from '../assets/localFile';
import { problemsError, problemToWarning } from '../assets/problems';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { formatBytes } from '../format';
import type { DocumentFields } from '../source/documentFields';
import { collapse, firstHeading, serializeDocument } from '../source/dom';
import { parseFrontMatter } from '../source/frontMatter';
import { readHtmlHeaders } from '../source/htmlMeta';
import { lexMarkdown, renderMarkdown, type RenderOptions } from '../source/markdown';
import { prepareDocument } from '../source/prepareDocument';
import { DEFAULT_STYLESHEET } from '../source/stylesheet';
import { type BinaryPart, buildMime, type MimeMessage } from './mimeBuild';
import { composerHeaders } from './headers';
import { inlineCss } from './inlineCss';
import { fillValueSlots, htmlText, markdownText } from './textPart';
import type { AddressHeaders, ComposedMessage, ComposedStream, ComposeOptions, HeaderOverrides, InlineImage, PreviewMessage, SourceDocument, Warning } from '../types';

/** Gmail clips a message whose HTML is larger than this (102 KB). */
export const GMAIL_CLIP_BYTES = 102 * 1024;

export function documentKind(doc: SourceDocument): 'markdown' | 'html' {
  if (doc.kind) return doc.kind;
  return /\.html?$/i.test(doc.path) ? 'html' : 'markdown';
}

/** Composes the document into its exact MIME bytes, held in memory (preview, Save as .eml, small sends). */
export async function composeMessage(doc: SourceDocument, options: ComposeOptions): Promise<ComposedMessage> {
  const { mime, ...message } = await prepareMessage(doc, options);
  return { raw: await mime.toBuffer(), ...message };
}

/**
 * Composes the document like `composeMessage` for the preview: the MIME bytes are not built, only their size is
 * computed (the same tree, the same byte count). With `options.readCache`, unchanged local images are not read
 * or hashed again; the cache then holds only the files this compose used.
 */
export async function composePreview(doc: SourceDocument, options: ComposeOptions): Promise<PreviewMessage> {
  options.readCache?.begin();
  const { mime, ...message } = await prepareMessage(doc, options);
  options.readCache?.end();
  return { ...message, size: mime.size };
}

/**
 * Composes the document like `composeMessage`, but hands out the MIME bytes in chunks instead of one buffer (local
 * images are read again, through one reused buffer, as the chunks are requested): a send writes them to the outbox
 * without ever holding the whole message, or any image, in memory. `chunks()` may be called once.
 */
export async function composeMessageStream(doc: SourceDocument, options: ComposeOptions): Promise<ComposedStream> {
  const { mime, ...message } = await prepareMessage(doc, options, { streamImages: true });
  let used = false;
  return {
    ...message,
    size: mime.size,
    chunks(): AsyncIterable<Buffer> {
      if (used) throw new Error('composeMessageStream: the message can be read only once');
      used = true;
      return mime.chunks();
    },
  };
}

/**
 * Everything up to the MIME bytes. `streamImages`: local images are hashed while streamed and not kept; they are
 * read again from their (checked, real) paths when the message is built.
 */
async function prepareMessage(
  doc: SourceDocument,
  options: ComposeOptions,
  { streamImages = false } = {},
): Promise<Omit<ComposedMessage, 'raw'> & { mime: MimeMessage }> {
  return assembleMessage(await prepareContent(doc, options, streamImages), options);
}

/**
 * What a document gives before the MIME is built: its fields, account, headers, the HTML as sent, the text part,
 * images and attachments. A mail merge prepares its template once (with each value a slot: merge/rowCompose.ts),
 * then gives every row its own headers, HTML and text and builds its MIME with `assembleMessage`.
 */
export interface MessageContent {
  fields: DocumentFields;
  account: string;
  /** The settings with the account's From. */
  senderSettings: Settings;
  headers: ResolvedHeaders;
  /** The domain of Message-IDs and Content-IDs (From's, or options.idDomain). */
  domain: string;
  /**
   * The first <h1>'s text (collapsed, '' without one), read before the document was prepared: only when the subject
   * fell back to it, or when asked for (`render.heading`, a merge template); else undefined.
   */
  heading?: string;
  html: string;
  text: string;
  inlineImages: InlineImage[];
  attachments: LoadedAttachment[];
  warnings: Warning[];
  problems: Problem[];
}

/** Steps 1 to 4: parse, render, headers, assets, text part, CSS; see `prepareMessage`. */
export async function prepareContent(
  doc: SourceDocument,
  options: ComposeOptions,
  streamImages = false,
  render: Pick<RenderOptions, 'headingIdToken'> & { heading?: boolean } = {},
): Promise<MessageContent> {
  const { settings } = options;
  const kind = documentKind(doc);
  const docDir = path.dirname(doc.path);
  const { load } = await import('cheerio');

  // 1. Parse and render: header fields from the front matter / <meta>, the body as one HTML document.
  let fields: DocumentFields;
  let text: string | undefined;
  let $: ReturnType<typeof load>;
  if (kind === 'markdown') {
    const parsed = await parseFrontMatter(doc.text);
    const stylesheet = settings.markdown.stylesheet ? await readStylesheet(settings.markdown.stylesheet, docDir) : DEFAULT_STYLESHEET;
    const body = parsed.body.replace(/\r\n?/g, '\n');
    const tokens = await lexMarkdown(body);
    // The text part is the author's Markdown, made for reading: comments, local paths and data: URIs left out.
    // A merge row's text part is rendered from its own source (the values unescaped).
    const textSource = options.textBody?.replace(/\r\n?/g, '\n');
    text = textSource === undefined ? await markdownText(body, tokens) : await markdownText(textSource, await lexMarkdown(textSource));
    if (options.textValues) text = fillValueSlots(text, options.textValues);
    const highlight = settings.markdown.highlight ? settings.markdown.highlightTheme : false;
    $ = load(await renderMarkdown(body, stylesheet, { highlight, tokens, headingIdToken: render.headingIdToken }));
    fields = parsed.data;
    // A merge template is sent one message per row (merge/), never as it is, placeholders and all.
    if (fields.data !== undefined && !options.lenient) {
      throw new SendAsEmailError(
        ErrorCode.MERGE_TEMPLATE,
        l10n.t('{0} is a mail merge template (data: {1}): it is sent as one message per row of its data, never as it is.', path.basename(doc.path), fields.data),
        { hint: l10n.t('List the rows with "send-as-email merge {0}" and send them with --send; in VS Code, Send as Email sends the merge.', path.basename(doc.path)) },
      );
    }
  } else {
    $ = load(doc.text);
    fields = readHtmlHeaders($, doc.text);
  }

  // 2. The account (the override, the document's `account:`, the default...) gives the From a document names none for.
  const account = pickAccount(settings, options.overrides?.account ?? fields.account);
  const senderSettings = account.from.trim() ? { ...settings, from: account.from } : settings;
  // Headers: overrides > document > settings; the subject falls back to the first <h1>, then the file name.
  // The first <h1> is looked for only when it is needed (a walk of the whole document when there is none).
  let heading = render.heading ? firstHeading($) : undefined;
  const headers = resolveHeaders(fields, options.overrides ?? {}, senderSettings, () => (heading ??= firstHeading($)) || path.basename(doc.path, path.extname(doc.path)));
  const fromAddress = headers.fromMailbox.address;
  const rawDomain = options.idDomain || domainOf(fromAddress) || 'localhost';
  const domain = domainToASCII(rawDomain) || rawDomain;
  prepareDocument($, headers.subject, { lang: fields.lang });

  // 3. Images and attachments: gather every problem, then fail once (or, in the preview, carry on).
  const assetContext = {
    docPath: doc.path,
    sourceText: doc.text,
    workspaceFolders: options.workspaceFolders,
    allowOutsideWorkspace: settings.images.allowOutsideWorkspace,
    embedRemote: settings.images.embedRemote,
    convertSvg: settings.images.convertSvg,
    remote: options.remote,
    signal: options.signal,
    cidDomain: domain,
    keepContent: !streamImages,
    readCache: options.readCache,
  };
  // `cid:` references written by hand need the parts the document names for them (front matter / meta `inline`).
  const embedAll = async (): Promise<Omit<Awaited<ReturnType<typeof embedImages>>, 'cidRefs'>> => {
    const found = await embedImages($, assetContext);
    if (found.cidRefs.length === 0 && !fields.inline) return found;
    const named = await embedInline(fields.inline ?? {}, found.cidRefs, assetContext);
    return {
      inlineImages: [...found.inlineImages, ...named.inlineImages],
      warnings: [...found.warnings, ...named.warnings],
      problems: [...found.problems, ...named.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    };
  };
  const [images, attached] = await Promise.all([embedAll(), loadAttachments(fields.attachments ?? [], assetContext)]);
  const problems: Problem[] = [...images.problems, ...attached.problems];
  if (problems.length > 0 && !options.lenient) throw problemsError(problems);
  const warnings: Warning[] = [...images.warnings, ...problems.map(problemToWarning)];

  // 4. The text part (before CSS inlining: the converter has no use for style attributes), then the HTML as sent.
  if (text === undefined) text = await htmlText(serializeDocument($));
  // An empty text part would collapse the alternative; a single newline keeps the tree's shape.
  if (!text) text = '\n';
  if (settings.inlineCss) await inlineCss($);
  const html = serializeDocument($);
  return {
    fields,
    account: account.name,
    senderSettings,
    headers,
    domain,
    heading,
    html,
    text,
    inlineImages: images.inlineImages,
    attachments: attached.attachments,
    warnings,
    problems,
  };
}

/** Step 5: the MIME of prepared content, and the warnings about the message as a whole. */
export async function assembleMessage(content: MessageContent, options: ComposeOptions): Promise<Omit<ComposedMessage, 'raw'> & { mime: MimeMessage }> {
  const { headers, domain, html, text } = content;
  const warnings = [...content.warnings];
  const date = options.deterministic?.date ?? new Date();
  const messageId = normalizeMessageId(options.deterministic?.messageId) ?? `<${crypto.randomUUID()}@${domain}>`;
  assertHeaderValue('Message-ID', messageId);
  const { default: MailComposerClass } = await import('nodemailer/lib/mail-composer');
  // Deterministic output: a fixed boundary (the prefix is the caller's, the shared part is constant).
  const boundary = options.deterministic ? { boundaryPrefix: options.deterministic.boundaryPrefix, baseBoundary: 'deterministic' } : {};
  const parts = new Map<Buffer, BinaryPart>();
  const partKey = (part: BinaryPart): Buffer => {
    const key = part.content ?? Buffer.alloc(0);
    parts.set(key, part);
    return key;
  };
  const composer = new MailComposerClass({
    // Bcc is never given to the composer: it lives in the envelope only. Every header line folds to 78 characters.
    ...composerHeaders({
      from: headers.fromMailbox,
      to: headers.toMailboxes,
      cc: headers.ccMailboxes,
      replyTo: headers.replyToMailboxes,
      subject: headers.subject,
    }),
    date,
    messageId,
    // CRLF here, so nodemailer needs no line-ending pass over the whole message (base64 parts included).
    text: toCrlf(text),
    html: toCrlf(html),
    // Each binary part's content is the key under which buildMime finds it: its bytes, or for an image read from
    // disk when the message is built, an empty placeholder of its own.
    attachments: [
      ...content.inlineImages.map((img) => ({
        content: partKey(img.file !== undefined ? { file: img.file, size: img.size, mtimeMs: img.fileMtimeMs } : { content: img.content, size: img.size }),
        contentType: img.contentType,
        filename: img.filename,
        cid: img.cid,
        contentDisposition: 'inline',
      })),
      ...content.attachments.map((a) => ({
        content: partKey({ content: a.content, size: a.content.length }),
        contentType: a.contentType,
        filename: a.filename,
        contentDisposition: 'attachment',
      })),
    ],
    // Never any file or URL access by nodemailer: every byte it gets was read and checked by assets.ts.
    disableFileAccess: true,
    disableUrlAccess: true,
    textEncoding: 'quoted-printable',
    ...boundary,
  });

  const envelopeTo = uniqueAddresses([...headers.toMailboxes, ...headers.ccMailboxes, ...headers.bccMailboxes]);
  if (envelopeTo.length === 0) {
    warnings.push({
      kind: 'no-recipients',
      severity: 'warning',
      message: l10n.t('The message has no recipients yet: add To, Cc or Bcc in the front matter, the preview or the settings.'),
    });
  }
  const htmlBytes = Buffer.byteLength(html);
  if (htmlBytes > GMAIL_CLIP_BYTES) {
    warnings.push({
      kind: 'html-too-large',
      severity: 'warning',
      message: l10n.t('The HTML part is {0}; Gmail clips messages whose HTML is over 102 KB.', formatBytes(htmlBytes)),
    });
  }

  const mime = await buildMime(composer, parts);
  return {
    mime,
    account: content.account,
    headers: headers.public,
    messageId,
    date,
    envelope: { from: envelopeAddress(headers.fromMailbox.address), to: envelopeTo },
    html,
    text,
    inlineImages: content.inlineImages,
    attachments: content.attachments.map(({ filename, contentType, size, path: p }) => ({ filename, contentType, size, path: p })),
    warnings,
    problems: options.lenient ? content.problems : [],
  };
}

/** Every line break as CRLF (bare CR, bare LF and CRLF alike). */
function toCrlf(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\r\n');
}

export interface ResolvedHeaders {
  public: AddressHeaders;
  fromMailbox: Mailbox;
  toMailboxes: Mailbox[];
  ccMailboxes: Mailbox[];
  bccMailboxes: Mailbox[];
  replyToMailboxes: Mailbox[];
  subject: string;
}

type Settings = ComposeOptions['settings'];

/** Picks each header (overrides > document > settings), validates every address and rejects line breaks. */
export function resolveHeaders(doc: DocumentFields, overrides: HeaderOverrides, settings: Settings, fallbackSubject: () => string): ResolvedHeaders {
  const pick = <T>(o: T | undefined, d: T | undefined, s: T | undefined): T | undefined => (o !== undefined ? o : d !== undefined ? d : s);
  const nonEmpty = (v: string): string | undefined => (v.trim() ? v : undefined);
  const list = (v: string[]): string[] | undefined => (v.length > 0 ? v : undefined);

  const blank = (v: string | undefined): string | undefined => (v !== undefined && v.trim() ? v : undefined);
  const fromValue = pick(blank(overrides.from), blank(doc.from), nonEmpty(settings.from));
  if (fromValue === undefined) {
    throw new SendAsEmailError(ErrorCode.NO_FROM, l10n.t('No sender address: set sendAsEmail.from in the settings or "from" in the document.'), {
      hint: l10n.t('Add {0} to your settings.', '"sendAsEmail.from": "Your Name <you@example.com>"'),
    });
  }
  const fromList = parseMailboxes(fromValue, 'From');
  if (fromList.length !== 1) {
    throw new SendAsEmailError(ErrorCode.INVALID_ADDRESS, l10n.t('From must be exactly one address, got "{0}".', fromValue));
  }
  const [fromMailbox] = fromList;
  const toMailboxes = parseMailboxes(pick(overrides.to, doc.to, list(settings.to)), 'To');
  const ccMailboxes = parseMailboxes(pick(overrides.cc, doc.cc, list(settings.cc)), 'Cc');
  const bccMailboxes = parseMailboxes(pick(overrides.bcc, doc.bcc, list(settings.bcc)), 'Bcc');
  const replyToMailboxes = parseMailboxes(pick(blank(overrides.replyTo), blank(doc.replyTo), nonEmpty(settings.replyTo)), 'Reply-To');

  const explicit = pick(blank(overrides.subject), blank(doc.subject), undefined);
  const subject = explicit !== undefined ? explicit.trim() : collapse(fallbackSubject());
  assertHeaderValue('Subject', subject);

  return {
    public: {
      from: formatMailbox(fromMailbox),
      to: toMailboxes.map(formatMailbox),
      cc: ccMailboxes.map(formatMailbox),
      bcc: bccMailboxes.map(formatMailbox),
      replyTo: replyToMailboxes.length > 0 ? replyToMailboxes.map(formatMailbox).join(', ') : undefined,
      subject,
    },
    fromMailbox,
    toMailboxes,
    ccMailboxes,
    bccMailboxes,
    replyToMailboxes,
    subject,
  };
}

/** Every recipient once (addresses compare case-insensitively), in header order; IDN domains in punycode, as in the header. */
function uniqueAddresses(list: Mailbox[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of list) {
    const a = envelopeAddress(m.address);
    if (seen.has(a.toLowerCase())) continue;
    seen.add(a.toLowerCase());
    out.push(a);
  }
  return out;
}

function envelopeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || !/[^ -~]/.test(address.slice(at + 1))) return address;
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

function normalizeMessageId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

/**
 * The user's stylesheet (`sendAsEmail.markdown.stylesheet`), relative to the document or absolute. It must be a
 * `.css` file: the setting can come from a workspace, and its content travels in the message.
 */
async function readStylesheet(setting: string, docDir: string): Promise<string> {
  const file = path.resolve(docDir, setting);
  if (path.extname(file).toLowerCase() !== '.css') {
    throw new SendAsEmailError(ErrorCode.STYLESHEET_NOT_FOUND, l10n.t('Stylesheet "{0}" is not a .css file.', setting), {
      hint: l10n.t('Point sendAsEmail.markdown.stylesheet at a .css file, or clear it to use the default stylesheet.'),
    });
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const reason = fsReason(e);
    const message =
      reason.kind === 'not-found'
        ? l10n.t('Stylesheet "{0}" not found: {1}.', setting, file)
        : reason.kind === 'denied'
          ? l10n.t('Stylesheet "{0}" cannot be read (permission denied): {1}.', setting, file)
          : l10n.t('Stylesheet "{0}" cannot be read ({1}): {2}.', setting, reason.detail, file);
    throw new SendAsEmailError(ErrorCode.STYLESHEET_NOT_FOUND, message, {
      hint: l10n.t('Fix sendAsEmail.markdown.stylesheet, or clear it to use the default stylesheet.'),
      cause: e,
    });
  }
}
