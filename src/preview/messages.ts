/**
 * The messages between the preview panel (extension side) and its webview script (src/webview/, bundled into
 * media/preview.js). Both directions are discriminated unions keyed by `type`, compiled on both sides from this
 * file. The webview starts with `ready`; the extension sends a `render` only after it. Plain types: no `vscode`,
 * no Node, no DOM, so both programs can import it.
 */

/** The header fields the user can edit in the preview form. */
export const FIELD_NAMES = ['to', 'cc', 'bcc', 'subject'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
export type HeaderFields = Record<FieldName, string>;

export interface PartView {
  filename: string;
  contentType: string;
  size: number;
}

export interface InlineImageView extends PartView {
  cid: string;
  /** Source lines that reference the image. */
  lines: number[];
  /** Intrinsic size when known: the placeholder shown while the bytes are on their way takes the image's room. */
  width?: number;
  height?: number;
}

/** Bytes of an inline image the webview has not received yet (it keeps them as a blob: URL per cid). */
export interface ImageData {
  cid: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface WarningView {
  message: string;
  /** 1-based source line: clicking the warning reveals it. */
  line?: number;
  /** `error`: stops a send (missing or refused image, bad address); `warning`: worth knowing. */
  severity: 'error' | 'warning';
}

export interface RenderMessage {
  type: 'render';
  /** Increases with every render the panel posts. */
  renderId: number;
  /** Version of the source document this render was composed from. */
  documentVersion: number;
  /** File name of the source document. */
  source: string;
  /** The source document's URI: when it changes, the form forgets what was typed for the previous one. */
  documentKey: string;
  from: string;
  /** What the form shows: the user's text for overridden fields, the composed headers for the others. */
  fields: HeaderFields;
  overridden: FieldName[];
  /** Fields whose text does not parse, with the reason (naming the invalid address). */
  fieldErrors: Partial<Record<FieldName, string>>;
  /** The HTML part as composed, with `cid:` references (the webview swaps in the images' bytes) and remote images held back. */
  html: string;
  text: string;
  images: InlineImageView[];
  /**
   * Bytes of images the webview does not hold yet. When they are large, they follow in `images` messages instead:
   * the webview shows the email at once with placeholders, then again when every image has arrived.
   */
  imageData: ImageData[];
  /** Images whose bytes follow this render in `images` messages. Any other one the webview lacks, it asks for. */
  expectImages: string[];
  attachments: PartView[];
  /** Size of the whole message in bytes (the MIME bytes that are sent). */
  totalSize: number;
  htmlSize: number;
  sizeLimit?: number;
  warnings: WarningView[];
  /** Remote images held back until the user loads them. */
  remoteImages: number;
  remoteAllowed: boolean;
  /** False while an invalid field, the lack of recipients, a problem or a missing setup makes Send pointless. */
  canSend: boolean;
  /** Why Send is off, in one sentence shown beside it (none while it is on). */
  sendOff?: string;
  /**
   * A problem that stops any send (a missing image, a refused file...) or the missing setup: Send Test to Me is off
   * too. Warnings that do not stop a send (a remote image, the size) leave both on.
   */
  blocked: boolean;
  /** Sending is not set up: the settings to fill in (below `sendAsEmail.`), offered by the Set Up Sending button. */
  setup?: { missing: string[] };
  /** The account selector beside From; absent while no named account exists. */
  account?: AccountView;
  /** The document is a mail merge (front matter `data:`): the message shown is one row's. */
  merge?: MergeView;
}

/** The accounts the document may send with, for the selector beside From. */
export interface AccountView {
  /** `value`: the account's name ('' for the sendAsEmail.smtp.* settings); `label` and `detail` as shown. */
  options: { value: string; label: string; detail: string }[];
  /** The account this render was composed with. */
  selected: string;
}

/** Which row of a mail merge the preview shows, and what the check of every row found. */
export interface MergeView {
  /** The data file, as the document names it. */
  data: string;
  /** 1-based position of the row shown, and how many rows (messages) the merge has. */
  index: number;
  count: number;
  /** The data file's line the row comes from. */
  line: number;
  /** The row's To, as its values fill it in. */
  recipient: string;
  /** This row's errors (a missing field, an empty or bad address), each naming its field. */
  errors: string[];
  /** Errors of all rows together, and how many rows have any. */
  totalErrors: number;
  rowsWithErrors: number;
}

export interface RecipientView {
  address: string;
  accepted: boolean;
  /** Refused for now (4xx): kept in the outbox, and Retry sends to it alone. */
  deferred?: boolean;
  response?: string;
}

/** The outcome of Send, Send Test or Save as .eml as the panel shows it. */
export interface ActionResultView {
  status: 'sent' | 'partial' | 'failed' | 'cancelled' | 'saved';
  message: string;
  recipients: RecipientView[];
  /** When there are several, each problem that stopped it (the message counts them), with its line. */
  problems?: { message: string; line?: number }[];
}

/** One finding of the recipients check, as the Clients tab shows it (built by ./clientReport.ts). */
export interface ClientIssueView {
  severity: 'error' | 'warning';
  feature: string;
  message: string;
  fix: string;
  /** When the data was last tested (YYYY-MM-DD). */
  testedDate?: string;
  /** 1-based source line: clicking the issue reveals it. */
  line?: number;
  /** 1-based line in the sent HTML, shown when the source has none. */
  sentLine?: number;
  /** The same issue in this many places (the line is the first). */
  count?: number;
  phoneOnly: boolean;
  /** The data's notes on partial support (English only). */
  notes: string[];
  /** One cell per family of `ClientsView.families`, in order: not supported or partly supported, by which clients. */
  cells: ({ mark: 'error' | 'warning'; clients: string[] } | null)[];
}

/** The Clients tab: the check of the HTML as sent, against the families checked. */
export interface ClientsView {
  families: string[];
  /** Issues that affect some of the clients. */
  issues: ClientIssueView[];
  /** Issues for every reader (alt text, links, contrast...). */
  other: ClientIssueView[];
  /** Clients people use that the data knows nothing about (QQ Mail, 163, Foxmail). */
  untested: string[];
  /** Names in sendAsEmail.check.clients that the data does not know (skipped). */
  unknownClients: string[];
  /** The newest test date of the data used. */
  dataDate: string;
  /** The check could not run: why. */
  failed?: string;
}

export const ACTIONS = ['send', 'sendTest', 'saveEml'] as const;
export type Action = (typeof ACTIONS)[number];

// ---- extension → webview

export type ToWebview =
  | RenderMessage
  /** Bytes of inline images that a render listed without them (posted right after it, in order). */
  | { type: 'images'; imageData: ImageData[] }
  /** The document cannot be composed: its file name and URI (it may be another one than the last render's), and why. */
  | { type: 'composeError'; source: string; documentKey: string; message: string; problems: { message: string; line?: number }[] }
  | { type: 'busy'; action: Action }
  /** The recipients check of a render, once the page had shown it. */
  | { type: 'clients'; documentKey: string; renderId: number; report: ClientsView }
  | { type: 'result'; action: Action; result: ActionResultView };

// ---- webview → extension

export type FromWebview =
  | { type: 'ready' }
  /** The fields the user edited (all of them, not only the last one). */
  | { type: 'headers'; fields: Partial<HeaderFields> }
  | { type: 'action'; action: Action }
  | { type: 'revealLine'; line: number }
  | { type: 'openLink'; href: string }
  | { type: 'loadRemoteImages' }
  /** Set Up Sending: the settings (or the account flow) to fill in. */
  | { type: 'setUp' }
  /** The account selector: send this document with the account named (its `name`; '' = the SMTP settings). */
  | { type: 'account'; name: string }
  /** Images a render lists that the webview neither holds nor expects (pre-sent bytes that did not arrive). */
  | { type: 'needImages'; cids: string[] }
  /** A render is shown with all of its images: the slower work that waits for it (the recipients check) may start. */
  | { type: 'shown'; renderId: number }
  /** Show another row of the mail merge (1-based position among the rows). */
  | { type: 'mergeRow'; index: number };

/** The event the page dispatches on `window` after it displayed a render (observers read the frame themselves). */
export const RENDERED_EVENT = 'sae-rendered';
export interface RenderedDetail {
  renderId: number;
  documentVersion: number;
  /** Images shown as placeholders because their bytes are still on the way (the render is shown again with 0). */
  imagesPending: number;
  /** Webview time from receiving the render to showing it, ms. */
  renderMs: number;
}
