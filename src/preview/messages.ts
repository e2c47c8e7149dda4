/**
 * The messages between the preview panel (extension side) and its webview script (media/preview.js).
 * Both directions are discriminated unions keyed by `type`. The webview starts with `ready`; the extension
 * sends a `render` only after it. media/preview.js is plain browser JavaScript: keep it in step with this file.
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
  /** False while an invalid field or the lack of recipients makes Send pointless. */
  canSend: boolean;
}

export interface RecipientView {
  address: string;
  accepted: boolean;
  response?: string;
}

/** The outcome of Send, Send Test or Save as .eml as the panel shows it. */
export interface ActionResultView {
  status: 'sent' | 'partial' | 'failed' | 'cancelled' | 'saved';
  message: string;
  recipients: RecipientView[];
}

export type Action = 'send' | 'sendTest' | 'saveEml';

/** What the preview reports after it displayed a render: measured in the webview, from the frame itself. */
export interface RenderReport {
  renderId: number;
  documentVersion: number;
  /** The header values the form displays. */
  from: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  /** `<img>` elements in the email frame that loaded (naturalWidth > 0). */
  imageCount: number;
  /** All `<img>` elements in the email frame. */
  imgElements: number;
  /** [naturalWidth, naturalHeight] of each loaded image, in document order. */
  imageSizes: [number, number][];
  /** Remote images held back (not loaded). */
  remoteBlocked: number;
  /** Whether any script of the email content ran (title changed, a message from the frame, its marker attribute). */
  scriptRan: boolean;
  /**
   * Images of the render shown as placeholders because their bytes were still on the way. A render with pending
   * images is shown again, and reported again with 0, once they have all arrived.
   */
  imagesPending: number;
  /** Webview time from receiving the render to showing it (frame loaded, images decoded), ms. */
  renderMs: number;
  /** Scroll position of the preview after the render. */
  scrollY: number;
}

/** The state of the webview's controls, for tests. */
export interface UiState {
  fields: HeaderFields;
  fieldErrors: Partial<Record<FieldName, string>>;
  sendDisabled: boolean;
  sending: boolean;
  /** Text of the result area (send outcome, compose error). */
  status: string;
  warnings: string[];
  width: 'wide' | 'narrow';
  frameWidth: number;
  tab: 'html' | 'text' | 'parts';
  /** Rendered text of the Text tab. */
  text: string;
  parts: string[];
  totalSize: string;
  scrollY: number;
}

// ---- extension → webview

export type ToWebview =
  | RenderMessage
  /** Bytes of inline images that a render listed without them (posted right after it, in order). */
  | { type: 'images'; imageData: ImageData[] }
  | { type: 'composeError'; message: string; problems: { message: string; line?: number }[] }
  | { type: 'busy'; action: Action }
  | { type: 'result'; action: Action; result: ActionResultView }
  // Test hooks: the same paths the user's input takes (fill the form, click a control), and a control probe.
  | { type: 'fill'; token: number; fields: Partial<HeaderFields> }
  | { type: 'click'; token: number; selector: string }
  | { type: 'scroll'; token: number; y: number }
  | { type: 'queryUi'; token: number }
  | { type: 'probeScripts'; token: number; html: string; allowScripts: boolean };

// ---- webview → extension

export type FromWebview =
  | { type: 'ready' }
  /** The fields the user edited (all of them, not only the last one). `token` echoes a `fill`. */
  | { type: 'headers'; fields: Partial<HeaderFields>; token?: number }
  | { type: 'action'; action: Action }
  | { type: 'revealLine'; line: number }
  | { type: 'openLink'; href: string }
  | { type: 'loadRemoteImages' }
  | { type: 'rendered'; report: RenderReport }
  /** Images a render lists that the webview neither holds nor expects (pre-sent bytes that did not arrive). */
  | { type: 'needImages'; cids: string[] }
  | { type: 'clicked'; token: number; ok: boolean }
  | { type: 'scrolled'; token: number; y: number }
  | { type: 'ui'; token: number; state: UiState }
  | { type: 'probeResult'; token: number; scriptRan: boolean };

export function isFromWebview(value: unknown): value is FromWebview {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
