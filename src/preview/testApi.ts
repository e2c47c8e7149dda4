import type * as vscode from 'vscode';
import type { ComposedMessage, PreviewMessage } from '../core/types';
import type { SendOutcome } from '../mailService';
import type { HeaderFields, RenderReport, UiState } from './messages';

export type { RenderReport, UiState } from './messages';

export interface PreviewTimings {
  /** show() that opened a new panel → the webview's first `rendered` with every image (webview load, compose, display), ms; latest first. */
  firstRenderMs: number[];
  /**
   * show() that opened a new panel → the email shown with placeholders for images still on their way (only when
   * their bytes were sent after the render, see `PreviewPanel.inlineImageBytes`), ms.
   */
  firstPaintMs: number[];
  /** show() that retargeted an open panel → its next `rendered` with every image, ms. */
  showToRenderMs: number[];
  /** Like `firstPaintMs`, for a panel that switched documents. */
  showToPaintMs: number[];
  /** First change of the source in a debounced batch → `rendered` of a version that includes it, ms (includes the debounce). */
  editToRenderMs: number[];
  /** The debounce applied to edits, ms. */
  debounceMs: number;
  /** Compose (lenient) of each render, ms. */
  composeMs: number[];
  /** Webview time from receiving a render to showing it, ms. */
  webviewRenderMs: number[];
  /** show() → the webview's `ready` (page and script loaded), ms. */
  readyMs: number[];
  /** show() → the render posted to the webview, ms. */
  postMs: number[];
}

/**
 * What the integration tests (and the benchmark) see of the preview. Everything goes through the same
 * message paths as the user's input: `setHeaders` types into the form, `clickSend` clicks the button.
 */
export interface PreviewTestApi {
  /** The open preview and the document it shows. */
  current(): { panel: vscode.WebviewPanel; document: vscode.TextDocument } | undefined;
  /**
   * Resolves with the webview's report of a render composed from a document version greater than `afterVersion`
   * (without it: the latest report, or the next one when there is none yet). Rejects after `timeoutMs` (default 20 s).
   */
  waitForRender(afterVersion?: number, timeoutMs?: number): Promise<RenderReport>;
  /** Types into the form's fields; resolves with the report of the render that applied them. */
  setHeaders(fields: Partial<HeaderFields>, timeoutMs?: number): Promise<RenderReport>;
  /** Clicks Send; resolves with what the send ended with. */
  clickSend(timeoutMs?: number): Promise<SendOutcome>;
  /** Clicks Send Test to Me. */
  clickSendTest(timeoutMs?: number): Promise<SendOutcome>;
  /** Clicks the element of the panel that `selector` matches, or with `frame:<selector>` inside the email (rejects when none does, or it is disabled). */
  click(selector: string): Promise<void>;
  /** Scrolls the preview to `y`; resolves with the position it reached. */
  scrollTo(y: number): Promise<number>;
  /** The state of the panel's controls, read in the webview. */
  ui(): Promise<UiState>;
  /** The message last composed for the preview (MIME bytes counted, not built) or a send. */
  lastComposed(): PreviewMessage | undefined;
  /** The message the last Send or Send Test composed (strictly) and handed to the mail service. */
  lastSent(): ComposedMessage | undefined;
  /**
   * The script check on any HTML (compose already strips scripts, so this shows the frame alone stops them):
   * shows `html` in a throwaway frame built like the email frames and returns whether a script ran, by the
   * same detection the renders use. `allowScripts` is the control: a frame where scripts may run (our nonce on
   * its `<script>` elements), to show the detection sees a script that did run. The email frames never allow scripts.
   */
  probeScriptDetection(html: string, allowScripts?: boolean): Promise<boolean>;
  /** While on, links clicked in the email are recorded instead of opened in the browser. */
  captureLinks(on: boolean): void;
  /** Links the preview asked to open (http, https and mailto only), in order. */
  openedLinks(): readonly string[];
  timings(): PreviewTimings;
  /** While on, the image bytes a new panel posts while its page loads are dropped, as if they had not arrived. */
  losePreSentImages(on: boolean): void;
  /** How many images the webviews have asked for again because they lacked them. */
  imagesAskedAgain(): number;
}
