/**
 * The contracts between the core's stages and its adapters (extension, CLI, preview, benchmark).
 * Plain Node: nothing here knows about VS Code.
 */
import type { EmailSettings, SmtpSettings } from './settings';
import type { Problem } from './errors';

/** Where log lines go (the extension's output channel, the CLI's stderr, nowhere in tests). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** SMTP transcript lines and other detail; never credentials or message bodies. */
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** The document to compose: the editor's current text, not necessarily what is on disk. */
export interface SourceDocument {
  /** Absolute file system path of the document (relative references resolve against its folder). */
  path: string;
  text: string;
  /** Taken from the extension when absent: `.md`/`.markdown` → markdown, `.html`/`.htm` → html. */
  kind?: 'markdown' | 'html';
}

/** Header values the user typed (preview form, CLI flags); they win over front matter and settings. */
export interface HeaderOverrides {
  from?: string;
  to?: string[] | string;
  cc?: string[] | string;
  bcc?: string[] | string;
  replyTo?: string;
  subject?: string;
  /** The account to send with (the preview's selector, the CLI's --account): wins over the document's `account:`. */
  account?: string;
}

export interface ComposeOptions {
  settings: EmailSettings;
  /** Absolute paths of the workspace folders: local files outside them are refused unless allowed. */
  workspaceFolders: string[];
  overrides?: HeaderOverrides;
  /**
   * Preview mode: a missing or refused image becomes a warning (the reference is left as it was)
   * instead of an error. Sending never uses this.
   */
  lenient?: boolean;
  /** Fixed values for byte-stable output in tests. */
  deterministic?: { boundaryPrefix?: string; date?: Date; messageId?: string };
  /** Domain for Message-ID and Content-ID (default: the From address's domain). */
  idDomain?: string;
  /** Remote image fetching when `images.embedRemote` is on. */
  remote?: { maxBytes?: number; timeoutMs?: number };
  /** Cancels a compose (remote fetches) early. */
  signal?: AbortSignal;
  /**
   * The text/plain part as given, instead of the Markdown body (a merge renders the body twice: the values escaped
   * for the HTML part, as they are for this one). Markdown documents only.
   */
  textBody?: string;
  /**
   * The values `textBody` holds as slots (`valueSlot(i)` in message/textPart.ts): put in after the Markdown is made
   * into text, so a value reads as written, never as Markdown or HTML.
   */
  textValues?: readonly string[];
  /** The preview's cache of local images (`ReadCache` in assets/readCache.ts); `composePreview` only. */
  readCache?: LocalFileCache;
}

/** A local file as a LocalFileCache holds it. */
export interface CachedFile {
  size: number;
  mtimeMs: number;
  bytes: Buffer;
  sha256: string;
}

/**
 * Local files kept across the composes of one document (the preview), by real path: a file whose size and
 * modification time are unchanged is taken from here instead of being read and hashed again.
 */
export interface LocalFileCache {
  /** Starts a compose. */
  begin(): void;
  /** Ends a compose: forgets the files it did not use. */
  end(): void;
  get(realPath: string, size: number, mtimeMs: number): CachedFile | undefined;
  set(realPath: string, size: number, mtimeMs: number, bytes: Buffer): CachedFile;
}

export interface AddressHeaders {
  from: string;
  to: string[];
  cc: string[];
  /** Envelope only: never written into the message header. */
  bcc: string[];
  replyTo?: string;
  subject: string;
}

export interface InlineImage {
  /** Content-ID without angle brackets: `<sha256-prefix>@<domain>`. */
  cid: string;
  filename: string;
  contentType: string;
  size: number;
  /**
   * The part's bytes: the preview shows the image from these, the message carries them.
   * In a ComposedStream local images are not held: `content` is empty and `file` names what is streamed.
   */
  content: Buffer;
  /** ComposedStream only: the real path the part's bytes are streamed from when the message is read. */
  file?: string;
  /** ComposedStream only: the modification time of `file` when it was hashed; a file changed since is refused. */
  fileMtimeMs?: number;
  /** Absolute path of the local file, or the data:/http(s) source. */
  source: string;
  /** Every place the document references it. */
  refs: { ref: string; line: number }[];
}

export interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  path: string;
}

export type WarningKind =
  | 'remote-image'
  | 'image-not-found'
  | 'image-outside-workspace'
  | 'html-too-large'
  | 'no-recipients'
  | 'message-too-large'
  | 'invalid-address'
  // compose, lenient mode: an image whose bytes are not an image, an attachment that cannot be attached
  | 'image-invalid'
  | 'attachment-not-found'
  | 'attachment-outside-workspace'
  // an inline part named in the document (front matter inline:, <meta name="email:inline">) that no cid: uses
  | 'inline-unused'
  // an image in a format some clients do not show (WebP)
  | 'image-format'
  // a merge's data column that no placeholder uses
  | 'merge-unused-column';

export interface Warning {
  kind: WarningKind;
  /**
   * Set where the warning is made. `error`: what would stop a strict compose (a missing or refused image, attachment
   * or `cid:` part, an invalid address); the preview shows it as a problem. `warning`: worth telling, stops nothing.
   */
  severity: 'error' | 'warning';
  message: string;
  /** 1-based line in the source, when it points at one. */
  line?: number;
  ref?: string;
}

export interface ComposedMessage {
  /**
   * The name of the account the message is sent with (the override, the document's `account:`,
   * `sendAsEmail.defaultAccount`...: accounts/accounts.ts `pickAccount`); '' for the legacy `sendAsEmail.smtp.*` keys.
   */
  account: string;
  /** The exact MIME bytes (CRLF line ends, no line over 998 octets). What is sent, saved and kept in the outbox. */
  raw: Buffer;
  headers: AddressHeaders;
  messageId: string;
  date: Date;
  /** SMTP envelope: from address, and every To, Cc and Bcc address. */
  envelope: { from: string; to: string[] };
  /** The HTML part as sent (CSS inlined, local references rewritten to `cid:`). */
  html: string;
  /** The text/plain part. */
  text: string;
  inlineImages: InlineImage[];
  attachments: Attachment[];
  /** Things worth telling the user that do not stop a send (remote images, HTML over 100 KB...). */
  warnings: Warning[];
  /** In lenient mode only: the problems that would stop a send. */
  problems: Problem[];
}

/**
 * A composed message as the preview shows it: everything but the MIME bytes, which are not built (their size is
 * known without building them). Send and Save as .eml compose again, strictly, with `composeMessage`.
 */
export interface PreviewMessage extends Omit<ComposedMessage, 'raw'> {
  /** Size of the MIME bytes, exactly as `composeMessage` would build them. */
  size: number;
}

/** A composed message whose MIME bytes are read (once) in chunks instead of held in memory. */
export interface ComposedStream extends Omit<ComposedMessage, 'raw'> {
  /** Size of the MIME bytes. */
  size: number;
  /**
   * The MIME bytes in order, in chunks that share one buffer: a chunk is valid only until the next one is
   * requested, so the consumer must be done with it (written, hashed) first. Can be called once.
   */
  chunks(): AsyncIterable<Buffer>;
}

/**
 * An OAuth 2.0 access token for SASL XOAUTH2, and how to get a fresh one. Never logged, never written anywhere.
 */
export interface OAuth2Credential {
  accessToken: string;
  /**
   * A fresh token, asked for once per login when the server refuses `accessToken` (expired: 334 then 535, or 535);
   * the login is then tried again with it. Absent: the refusal is final.
   */
  refresh?: () => Promise<string>;
}

/** The SMTP connection a send or a verify uses: settings plus the password or token from SecretStorage / env. */
export interface SmtpTarget extends SmtpSettings {
  /** Never logged, never written anywhere. */
  password?: string;
  /** Log in with XOAUTH2 instead of a password. */
  oauth2?: OAuth2Credential;
  /** The account's provider preset id (accounts/providers.ts), for the advice a refused login gets. */
  provider?: string;
}

export interface RecipientResult {
  address: string;
  accepted: boolean;
  /** The server's reply for this recipient (for refused ones: e.g. `550 5.1.1 no such user`). */
  response?: string;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  /** Refused for good (5xx, e.g. `550 5.1.1 no such user`): never sent to again. */
  rejected: { address: string; response: string }[];
  /** Refused for now (4xx, e.g. greylisting `451 4.2.0`): the outbox keeps them pending, and a retry sends to them alone. */
  deferred: { address: string; response: string }[];
  /** The server's final reply to DATA, e.g. `250 2.0.0 Ok: queued as ...`. */
  response: string;
  /** Size of the message in bytes. */
  size: number;
}

export interface VerifyResult {
  host: string;
  port: number;
  secure: boolean;
  /** e.g. `TLSv1.3`, when TLS was used. */
  tlsVersion?: string;
  authMethods: string[];
  /** The AUTH method the login used (`PLAIN`, `LOGIN`, `XOAUTH2`...), when there was a login. */
  authMethod?: string;
  /** The server's SIZE limit in bytes, when it announced one. */
  sizeLimit?: number;
  authenticated: boolean;
  greeting?: string;
}
