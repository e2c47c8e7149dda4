/**
 * Test mode only: what the integration tests and the benchmark see of the preview. Everything goes through the
 * paths a user's input takes: `setHeaders` types into the form, `clickSend` clicks the button (the probe script in
 * the page does it), and the figures come from the panel's own events.
 */
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import type { PreviewMessage } from '../core/types';
import type { SendOutcome } from '../vscode/notifications';
import type { HeaderFields } from '../preview/messages';
import type { PreviewManager, ShowEvent } from '../preview/previewManager';
import type { PreviewPanel } from '../preview/previewPanel';
import type { FromProbe, RenderReport, ToProbe, UiState } from './messages';

export type { RenderReport, UiState } from './messages';

const MAX_SAMPLES = 200;

export interface PreviewTimings {
  /** show() that opened a new panel → the page's first render with every image (webview load, compose, display), ms; latest first. */
  firstRenderMs: number[];
  /** show() that opened a new panel → the email shown with placeholders for images still on their way, ms. */
  firstPaintMs: number[];
  /** show() that retargeted an open panel → its next render with every image, ms. */
  showToRenderMs: number[];
  /** Like `firstPaintMs`, for a panel that switched documents. */
  showToPaintMs: number[];
  /** First change of the source in a debounced batch → a render of a version that includes it, ms (includes the debounce). */
  editToRenderMs: number[];
  /** The debounce applied to edits, ms. */
  debounceMs: number;
  /** Compose (lenient) of each render, ms. */
  composeMs: number[];
  /** Webview time from receiving a render to showing it, ms. */
  webviewRenderMs: number[];
  /** show() → the page's `ready` (page and script loaded), ms. */
  readyMs: number[];
  /** show() → the render posted to the page, ms. */
  postMs: number[];
  /** The recipients check of a shown render (the first one includes loading the checker), ms. */
  checkMs: number[];
}

export interface PreviewTestApi {
  /** The open preview and the document it shows. */
  current(): { panel: vscode.WebviewPanel; document: vscode.TextDocument } | undefined;
  /** The report of a render composed from a document version greater than `afterVersion` (without it: the latest, or the next). */
  waitForRender(afterVersion?: number, timeoutMs?: number): Promise<RenderReport>;
  /** The report of the next render after the one numbered `renderId` (a mail-merge row stepped to, say). */
  renderAfter(renderId: number, timeoutMs?: number): Promise<RenderReport>;
  /** Types into the form's fields; resolves with the report of the render that applied them. */
  setHeaders(fields: Partial<HeaderFields>, timeoutMs?: number): Promise<RenderReport>;
  /** Chooses the account `name` in the selector beside From; resolves when a render composed with it was shown. */
  selectAccount(name: string, timeoutMs?: number): Promise<RenderReport>;
  /** Clicks Send; resolves with what the send ended with. */
  clickSend(timeoutMs?: number): Promise<SendOutcome>;
  /** Clicks Send Test to Me. */
  clickSendTest(timeoutMs?: number): Promise<SendOutcome>;
  /**
   * Posts `{ type: 'action', action }` from the page as its script would, whatever its buttons show (a page whose state
   * is behind the extension's); resolves with what the action ended with.
   */
  postAction(action: 'send' | 'sendTest', timeoutMs?: number): Promise<SendOutcome>;
  /** Clicks the element of the page that `selector` matches, or with `frame:<selector>` inside the email. */
  click(selector: string): Promise<void>;
  /** Scrolls the preview to `y`; resolves with the position it reached. */
  scrollTo(y: number): Promise<number>;
  ui(): Promise<UiState>;
  /** The message last composed for the preview (MIME bytes counted, not built). */
  lastComposed(): PreviewMessage | undefined;
  /** Shows `html` in a throwaway frame built like the email frames (or, `allowScripts`, one where scripts run); did a script run? */
  probeScriptDetection(html: string, allowScripts?: boolean): Promise<boolean>;
  /** While on, links clicked in the email (and help pages) are recorded instead of opened in the browser; turning it on empties the list. */
  captureLinks(on: boolean): void;
  /** Links the preview asked to open, in order. */
  openedLinks(): readonly string[];
  timings(): PreviewTimings;
  /** While on, a new page drops the image bytes posted while it loads, as if they had not arrived. */
  losePreSentImages(on: boolean): void;
  /** How many images the pages have asked for again because they lacked them. */
  imagesAskedAgain(): number;
}

interface RenderEvent {
  report: RenderReport;
  uri: string;
}

export class PreviewProbe implements vscode.Disposable {
  private readonly timings: PreviewTimings = {
    firstRenderMs: [],
    firstPaintMs: [],
    showToRenderMs: [],
    showToPaintMs: [],
    editToRenderMs: [],
    debounceMs: 0,
    composeMs: [],
    webviewRenderMs: [],
    readyMs: [],
    postMs: [],
    checkMs: [],
  };
  private readonly links: string[] = [];
  private capture = false;
  /** A new page loses the image bytes posted before its first render (see `onShow`). */
  private losePreSent = false;
  private askedAgain = 0;
  private latest: RenderEvent | undefined;
  private readonly renderEmitter = new vscode.EventEmitter<RenderEvent>();
  private readonly actionEmitter = new vscode.EventEmitter<SendOutcome | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.renderEmitter, this.actionEmitter];
  private pendingShow: { started: number; created: boolean; uri: string; painted?: boolean } | undefined;
  private pendingEdit: { started: number; version: number } | undefined;
  private tokenSeq = 0;
  private readonly waiters = new Map<number, { resolve(v: unknown): void; timer: NodeJS.Timeout }>();

  constructor(private readonly previews: PreviewManager) {
    this.disposables.push(
      previews.onDidShow((e) => this.onShow(e)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const panel = this.previews.current;
        if (panel && e.contentChanges.length > 0 && e.document.uri.toString() === panel.documentShown.uri.toString() && !this.pendingEdit) {
          this.pendingEdit = { started: performance.now(), version: e.document.version };
        }
      }),
    );
  }

  /** Opens a link as the product would, unless links are being captured. */
  openExternal(uri: vscode.Uri): Thenable<boolean> {
    this.links.push(uri.toString(true));
    return this.capture ? Promise.resolve(true) : vscode.env.openExternal(uri);
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private add(key: Exclude<keyof PreviewTimings, 'debounceMs'>, ms: number): void {
    const list = this.timings[key];
    list.unshift(Math.round(ms * 10) / 10);
    if (list.length > MAX_SAMPLES) list.length = MAX_SAMPLES;
  }

  private onShow(e: ShowEvent): void {
    const uri = e.panel.documentShown.uri.toString();
    this.pendingShow = { started: e.started, created: e.created, uri };
    if (!e.created) {
      if (this.latest?.uri !== uri) this.latest = undefined;
      return;
    }
    this.latest = undefined;
    const panel = e.panel;
    this.timings.debounceMs = (panel.constructor as typeof PreviewPanel).debounceMs;
    if (this.losePreSent) this.loseImagesBeforeFirstRender(panel.webviewPanel.webview);
    const subs = [
      panel.webviewPanel.webview.onDidReceiveMessage((m: unknown) => this.onPageMessage(panel, m)),
      panel.onDidCompose((c) => this.add('composeMs', c.ms)),
      panel.onDidPostRender(() => {
        if (this.pendingShow) this.add('postMs', performance.now() - this.pendingShow.started);
      }),
      panel.onDidFinishAction((a) => this.actionEmitter.fire(a.outcome)),
      panel.onDidCheckClients((c) => this.add('checkMs', c.ms)),
    ];
    const sub = panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      sub.dispose();
    });
  }

  /** Drops the `images` messages posted before the page's first `render`, as if they never reached the page. */
  private loseImagesBeforeFirstRender(webview: vscode.Webview): void {
    const post = webview.postMessage.bind(webview);
    let rendered = false;
    webview.postMessage = (message: unknown) => {
      const type = (message as { type?: string } | undefined)?.type;
      if (type === 'render') rendered = true;
      return type === 'images' && !rendered ? Promise.resolve(true) : post(message);
    };
  }

  private onPageMessage(panel: PreviewPanel, value: unknown): void {
    const m = value as FromProbe | { type: 'ready' } | { type: 'needImages'; cids: string[] };
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'ready':
        if (this.pendingShow) this.add('readyMs', performance.now() - this.pendingShow.started);
        return;
      case 'needImages':
        if (Array.isArray(m.cids)) this.askedAgain += m.cids.filter((cid) => panel.lastComposed()?.inlineImages.some((i) => i.cid === cid)).length;
        return;
      case 'probe:answer': {
        const w = this.waiters.get(m.token);
        if (!w) return;
        this.waiters.delete(m.token);
        clearTimeout(w.timer);
        w.resolve(m.value);
        return;
      }
      case 'probe:rendered':
        this.onRendered(panel, m.report);
        return;
    }
  }

  private onRendered(_panel: PreviewPanel, report: RenderReport): void {
    const uri = report.documentKey;
    const now = performance.now();
    const show = this.pendingShow && this.pendingShow.uri === uri ? this.pendingShow : undefined;
    if (report.imagesPending > 0) {
      if (show && !show.painted) {
        show.painted = true;
        this.add(show.created ? 'firstPaintMs' : 'showToPaintMs', now - show.started);
      }
      return;
    }
    this.add('webviewRenderMs', report.renderMs);
    if (show) {
      this.add(show.created ? 'firstRenderMs' : 'showToRenderMs', now - show.started);
      this.pendingShow = undefined;
    }
    if (this.pendingEdit && report.documentVersion >= this.pendingEdit.version) {
      this.add('editToRenderMs', now - this.pendingEdit.started);
      this.pendingEdit = undefined;
    }
    const event = { report, uri };
    this.latest = event;
    this.renderEmitter.fire(event);
  }

  private requirePanel(): PreviewPanel {
    const panel = this.previews.current;
    if (!panel) throw new Error('No email preview is open.');
    return panel;
  }

  private request<T>(make: (token: number) => ToProbe, what: string, timeoutMs = 10_000): Promise<T> {
    const panel = this.requirePanel();
    const token = ++this.tokenSeq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(token);
        reject(new Error(`The preview did not answer "${what}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiters.set(token, { resolve: resolve as (v: unknown) => void, timer });
      void panel.webviewPanel.webview.postMessage(make(token));
    });
  }

  /** The next render event of the current panel and document that `accept` takes, or the latest one if it does. */
  private waitForEvent(accept: (e: RenderEvent) => boolean, timeoutMs: number, what: string): Promise<RenderEvent> {
    const matches = (e: RenderEvent): boolean => {
      const panel = this.previews.current;
      return !!panel && e.uri === panel.documentShown.uri.toString() && accept(e);
    };
    if (this.latest && matches(this.latest)) return Promise.resolve(this.latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        const err = this.previews.current?.lastComposeError();
        reject(new Error(`The preview did not report ${what} within ${timeoutMs} ms${err ? ` (last compose error: ${err})` : ''}.`));
      }, timeoutMs);
      const sub = this.renderEmitter.event((e) => {
        if (!matches(e)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(e);
      });
    });
  }

  private async click(selector: string): Promise<void> {
    const ok = await this.request<boolean>((token) => ({ type: 'probe:click', token, selector }), `click ${selector}`);
    if (!ok) throw new Error(`The preview has no enabled element "${selector}".`);
  }

  private clickAction(selector: string, timeoutMs: number): Promise<SendOutcome> {
    return this.runAction(selector, () => this.click(selector), timeoutMs);
  }

  private async runAction(what: string, start: () => Promise<void>, timeoutMs: number): Promise<SendOutcome> {
    let timer: NodeJS.Timeout | undefined;
    let sub: vscode.Disposable | undefined;
    const finished = new Promise<SendOutcome | undefined>((resolve, reject) => {
      sub = this.actionEmitter.event(resolve);
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms.`)), timeoutMs);
    });
    try {
      await start();
      const outcome = await finished;
      if (!outcome) throw new Error(`${what} ended without a send outcome.`);
      return outcome;
    } finally {
      clearTimeout(timer);
      sub?.dispose();
    }
  }

  api(): PreviewTestApi {
    return {
      current: () => {
        const panel = this.previews.current;
        return panel ? { panel: panel.webviewPanel, document: panel.documentShown } : undefined;
      },
      waitForRender: async (afterVersion, timeoutMs = 20_000) => {
        const e = await this.waitForEvent(
          (ev) => afterVersion === undefined || ev.report.documentVersion > afterVersion,
          timeoutMs,
          afterVersion === undefined ? 'a render' : `a render after document version ${afterVersion}`,
        );
        return e.report;
      },
      renderAfter: async (renderId, timeoutMs = 20_000) =>
        (await this.waitForEvent((ev) => ev.report.renderId > renderId, timeoutMs, `a render after render ${renderId}`)).report,
      setHeaders: async (fields, timeoutMs = 20_000) => {
        await this.request<boolean>((token) => ({ type: 'probe:fill', token, fields }), 'fill the form');
        const applied = (e: RenderEvent): boolean =>
          Object.entries(fields).every(([name, value]) => e.report.renderedFields[name as keyof HeaderFields] === value);
        const e = await this.waitForEvent(applied, timeoutMs, 'a render with the new headers');
        return e.report;
      },
      selectAccount: async (name, timeoutMs = 20_000) => {
        const panel = this.previews.current;
        if (!panel) throw new Error('No preview is open.');
        // The renders posted with that account (a render of the earlier account may still be on its way to the page).
        const posted = new Set<number>();
        const sub = panel.onDidPostRender((p) => {
          if (panel.lastComposed()?.account === name) posted.add(p.renderId);
        });
        try {
          const ok = await this.request<boolean>((token) => ({ type: 'probe:select', token, selector: '#account', value: name }), `choose account ${name}`);
          if (!ok) throw new Error(`The preview's account selector has no account "${name}" (or is hidden).`);
          const e = await this.waitForEvent((ev) => posted.has(ev.report.renderId), timeoutMs, `a render composed with account ${name}`);
          return e.report;
        } finally {
          sub.dispose();
        }
      },
      clickSend: (timeoutMs = 60_000) => this.clickAction('#send', timeoutMs),
      clickSendTest: (timeoutMs = 60_000) => this.clickAction('#sendTest', timeoutMs),
      postAction: (action, timeoutMs = 60_000) =>
        this.runAction(
          `the posted action ${action}`,
          () => this.request<boolean>((token) => ({ type: 'probe:post', token, message: { type: 'action', action } }), `post ${action}`).then(() => undefined),
          timeoutMs,
        ),
      click: (selector) => this.click(selector),
      scrollTo: (y) => this.request<number>((token) => ({ type: 'probe:scroll', token, y }), 'scroll'),
      ui: () => this.request<UiState>((token) => ({ type: 'probe:queryUi', token }), 'read the controls'),
      lastComposed: () => this.previews.current?.lastComposed(),
      probeScriptDetection: (html, allowScripts = false) =>
        this.request<boolean>((token) => ({ type: 'probe:scripts', token, html, allowScripts }), 'probe script detection', 20_000),
      captureLinks: (on) => {
        // Each capture starts with an empty list: links an earlier test opened are not this one's.
        if (on && !this.capture) this.links.length = 0;
        this.capture = on;
      },
      openedLinks: () => [...this.links],
      timings: () => structuredClone(this.timings),
      losePreSentImages: (on) => {
        this.losePreSent = on;
      },
      imagesAskedAgain: () => this.askedAgain,
    };
  }
}
