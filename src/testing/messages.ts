/**
 * Test mode only: the messages between the test API (./preview.ts) and the probe script the preview page loads in
 * Test mode (./webview/probe.ts). The product's own messages are in src/preview/messages.ts.
 */
import type { FieldName, HeaderFields, MergeView } from '../preview/messages';

/** What the probe reports after the page displayed a render: measured in the webview, from the frame itself. */
export interface RenderReport {
  renderId: number;
  documentVersion: number;
  /** The URI of the document the render shows. */
  documentKey: string;
  /** The header values the form displays. */
  from: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  /** The fields the render was composed with (the form's typed values over the document's headers). */
  renderedFields: HeaderFields;
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
  /** Images shown as placeholders because their bytes were still on the way (reported again with 0 later). */
  imagesPending: number;
  /** Webview time from receiving the render to showing it (frame loaded, images decoded), ms. */
  renderMs: number;
  /** Scroll position of the preview after the render. */
  scrollY: number;
  /** The mail-merge row the render shows, as the extension sent it. */
  merge?: MergeView;
}

/** The state of the page's controls. */
export interface UiState {
  /** The From line of the form. */
  from: string;
  fields: HeaderFields;
  fieldErrors: Partial<Record<FieldName, string>>;
  sendDisabled: boolean;
  sendTestDisabled: boolean;
  saveDisabled: boolean;
  /** The text beside the buttons that says why Send is off ('' when it is on). */
  sendReason: string;
  /** The "Set Up Sending" button is shown. */
  setUpShown: boolean;
  sending: boolean;
  /** Text of the result area (send outcome, compose error). */
  status: string;
  /** An email is shown in the frame (false: the paper shows a placeholder). */
  bodyShown: boolean;
  /** The email as laid out: its content width, the frame's width, and whether the page lets the user see all of it. */
  email: { contentWidth: number; frameWidth: number; paperWidth: number; paperScrolls: boolean };
  warnings: string[];
  width: 'wide' | 'w600' | 'narrow' | 'w320';
  frameWidth: number;
  tab: 'html' | 'text' | 'parts' | 'clients';
  /** The simulated dark mode, as the frame shows it. */
  dark: DarkState;
  /** The Clients tab, as rendered. */
  clients: ClientsState;
  /** Rendered text of the Text tab. */
  text: string;
  parts: string[];
  totalSize: string;
  scrollY: number;
  /** The Send button's words. */
  sendLabel: string;
  /** The mail-merge stepper as shown (undefined: hidden). */
  merge?: { row: string; recipient: string; errors: string[]; prevDisabled: boolean; nextDisabled: boolean };
  /** The account selector beside From: shown, the account selected, the labels of its options. */
  account: { shown: boolean; selected: string; options: string[] };
}

export interface DarkState {
  /** The mode the page applies ('off', 'invert', 'scheme'). */
  mode: string;
  /** Computed `filter` and `color-scheme` of the email frame shown. */
  frameFilter: string;
  frameColorScheme: string;
  /** Inside the frame: are images inverted back (the style the forced mode adds)? */
  imagesReinverted: boolean;
  /** Computed background and text colours of the email's `<body>`. */
  bodyBackground: string;
  bodyColor: string;
}

export interface ClientRowState {
  severity: string;
  feature: string;
  /** One mark per family column ('✖', '◐' or ''). */
  marks: string[];
  /** Text of the line cell. */
  line: string;
  phone: boolean;
  tested: string;
}

export interface ClientsState {
  /** The tab button's text. */
  tabLabel: string;
  /** Column headers between the feature and the line. */
  families: string[];
  rows: ClientRowState[];
  other: ClientRowState[];
  /** Every paragraph of the tab (summary, legend, the clients the data does not cover, the data's date, a failure). */
  notes: string[];
  atPhoneWidth: boolean;
}

/** Test API → probe. */
export type ToProbe =
  | { type: 'probe:fill'; token: number; fields: Partial<HeaderFields> }
  | { type: 'probe:click'; token: number; selector: string }
  | { type: 'probe:select'; token: number; selector: string; value: string }
  /** Posts a message to the extension as the page script would (a page whose state is behind the extension's). */
  | { type: 'probe:post'; token: number; message: unknown }
  | { type: 'probe:scroll'; token: number; y: number }
  | { type: 'probe:queryUi'; token: number }
  | { type: 'probe:scripts'; token: number; html: string; allowScripts: boolean };

/** Probe → test API. */
export type FromProbe =
  | { type: 'probe:rendered'; report: RenderReport }
  | { type: 'probe:answer'; token: number; value: unknown };
