/**
 * The preview panel: shows exactly what will be sent (composed by the MailService, lenient so that missing
 * images are listed instead of stopping the preview), lets the user edit the headers, and sends.
 * The webview side is media/preview.js; the messages between them are in ./messages.
 */
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { isSendAsEmailError } from '../core/errors';
import { formatBytes } from '../core/format';
import type { ReadCache } from '../core/assets';
import type { ComposedMessage, InlineImage, Logger, PreviewMessage, WarningKind } from '../core/types';
import type { MailService, SendOutcome } from '../mailService';
import { checkFields, type CheckedFields } from './fields';
import { createNonce, previewHtml } from './html';
import {
  FIELD_NAMES,
  isFromWebview,
  type Action,
  type ActionResultView,
  type FromWebview,
  type HeaderFields,
  type ImageData,
  type RenderMessage,
  type RenderReport,
  type ToWebview,
  type UiState,
  type WarningView,
} from './messages';
import type { PreviewTestApi, PreviewTimings } from './testApi';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  mail: MailService;
  log: Logger;
}

/** Warnings that come from problems: each one would stop a send. */
const BLOCKING: ReadonlySet<WarningKind> = new Set<WarningKind>([
  'image-not-found',
  'image-outside-workspace',
  'image-invalid',
  'attachment-not-found',
  'attachment-outside-workspace',
  'invalid-address',
]);

const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
const MAX_SAMPLES = 200;

/** Timing samples shared by every panel of a manager (read by the tests and the benchmark). */
export class TimingRecorder {
  readonly data: PreviewTimings = {
    firstRenderMs: [],
    firstPaintMs: [],
    showToRenderMs: [],
    showToPaintMs: [],
    editToRenderMs: [],
    debounceMs: PreviewPanel.debounceMs,
    composeMs: [],
    webviewRenderMs: [],
    readyMs: [],
    postMs: [],
  };
  add(key: Exclude<keyof PreviewTimings, 'debounceMs'>, ms: number): void {
    const list = this.data[key];
    list.unshift(Math.round(ms * 10) / 10);
    if (list.length > MAX_SAMPLES) list.length = MAX_SAMPLES;
  }
}

/** What every panel of a manager shares: timing samples and the link capture switch of the tests. */
export class PanelShared {
  readonly timings = new TimingRecorder();
  /** While true, links are recorded and not opened (tests). */
  captureLinks = false;
  readonly openedLinks: string[] = [];
  /** Tests: images pre-sent while a page loads are dropped instead of posted, as if they never reached it. */
  losePreSent = false;
  /** Images the webviews asked for again (`needImages`). */
  imagesAskedAgain = 0;
}

/** A report with what the panel knows about the render it describes. */
export interface RenderEvent {
  report: RenderReport;
  uri: string;
  /** The form generation the render was composed with (see `fill`). */
  fieldsGeneration: number;
}

interface TokenWaiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface RenderMeta {
  uri: string;
  fieldsGeneration: number;
}

/** The last successful compose, as shown. */
interface View {
  composed: PreviewMessage;
  documentVersion: number;
  checked: CheckedFields;
  edited: Partial<HeaderFields>;
  fieldsGeneration: number;
}

export class PreviewPanel implements vscode.Disposable {
  static readonly viewType = 'sendAsEmail.preview';
  static readonly debounceMs = 300;
  /** New image bytes up to this many travel with the render; more follow it (see `postView`). */
  static readonly inlineImageBytes = 512 * 1024;

  /**
   * Opens (or reveals) the preview beside the editor for `document`. With `current` still open, that panel
   * switches to `document` and is revealed instead of opening another one.
   */
  static createOrShow(deps: PreviewDeps, document: vscode.TextDocument, current?: PreviewPanel, shared?: PanelShared): PreviewPanel {
    if (current && !current.disposed) {
      current.retarget(document);
      current.panel.reveal(undefined, true);
      return current;
    }
    const started = performance.now();
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(
      PreviewPanel.viewType,
      `Email: ${path.basename(document.uri.fsPath)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media], enableFindWidget: true },
    );
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
    return new PreviewPanel(panel, deps, document, shared ?? new PanelShared(), started);
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly renderEmitter = new vscode.EventEmitter<RenderEvent>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the webview has displayed a render. */
  readonly onDidRender = this.renderEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  private disposed = false;
  private document: vscode.TextDocument;
  /** Field values the user typed (the form's edited fields); they override the document's headers. */
  private edited: Partial<HeaderFields> = {};
  private checked: CheckedFields = { overrides: {}, errors: {} };
  private fieldsGeneration = 0;
  private allowRemoteImages = false;
  private view: View | undefined;
  private composeError: string | undefined;
  /** The body preparation module (cheerio), loaded with the first render. */
  private body: typeof import('./body') | undefined;
  private composed: PreviewMessage | undefined;
  /** Local images of this panel's composes, read once while unchanged. */
  private readCache: ReadCache | undefined;
  private sent: ComposedMessage | undefined;
  private report: RenderEvent | undefined;

  private webviewReady = false;
  private readyWaiters: (() => void)[] = [];
  /** Inline images (by cid) whose bytes the current webview already holds. */
  private readonly sentCids = new Set<string>();
  /**
   * Images posted while the page was still loading (the host queues messages until the page is up, so the bytes
   * travel while it loads). The webview asks (`needImages`) for any that did not reach it.
   */
  private readonly preSent = new Set<string>();
  /** The page set by the last `setHtml` has said `ready` at least once. */
  private readySinceHtml = false;
  private renderSeq = 0;
  private readonly renderMeta = new Map<number, RenderMeta>();
  private rendering = false;
  private renderWanted = false;
  private debounce: NodeJS.Timeout | undefined;

  private busy: Action | undefined;
  private readonly actions: Promise<SendOutcome | undefined>[] = [];
  private tokenSeq = 0;
  private readonly waiters = new Map<number, TokenWaiter>();

  private pendingShow: { started: number; created: boolean; uri: string; painted?: boolean } | undefined;
  private pendingEdit: { started: number; version: number } | undefined;

  private readonly timings: TimingRecorder;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PreviewDeps,
    document: vscode.TextDocument,
    private readonly shared: PanelShared,
    started: number,
  ) {
    this.timings = shared.timings;
    this.document = document;
    this.pendingShow = { started, created: true, uri: document.uri.toString() };
    this.disposables.push(
      this.renderEmitter,
      this.disposeEmitter,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromWebview(m)) this.onMessage(m);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.isMine(e.document)) this.onSourceChanged(e.document);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (this.isMine(d)) this.document = d;
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sendAsEmail', this.document.uri)) this.scheduleRender();
      }),
    );
    this.setHtml();
    // Compose while the webview loads: the render goes out as soon as both are done.
    this.requestRender();
  }

  get documentShown(): vscode.TextDocument {
    return this.document;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  lastComposed(): PreviewMessage | undefined {
    return this.composed;
  }

  lastSent(): ComposedMessage | undefined {
    return this.sent;
  }

  lastRender(): RenderEvent | undefined {
    return this.report;
  }

  lastComposeError(): string | undefined {
    return this.composeError;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.debounce);
    for (const [, w] of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('The preview was closed.'));
    }
    this.waiters.clear();
    this.disposeEmitter.fire();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  // ---- document and rendering

  private isMine(d: vscode.TextDocument): boolean {
    return d.uri.toString() === this.document.uri.toString();
  }

  private retarget(document: vscode.TextDocument): void {
    this.pendingShow = { started: performance.now(), created: false, uri: document.uri.toString() };
    if (!this.isMine(document)) {
      this.document = document;
      this.edited = {};
      this.checked = { overrides: {}, errors: {} };
      this.fieldsGeneration++;
      this.report = undefined;
      this.view = undefined;
    }
    this.requestRender();
  }

  private onSourceChanged(document: vscode.TextDocument): void {
    this.document = document;
    if (!this.pendingEdit) this.pendingEdit = { started: performance.now(), version: document.version };
    this.scheduleRender();
  }

  private scheduleRender(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.requestRender(), PreviewPanel.debounceMs);
  }

  /** Composes now, or once more after the compose in progress (never two at a time). */
  private requestRender(): void {
    this.renderWanted = true;
    if (!this.rendering) void this.renderLoop();
  }

  private async renderLoop(): Promise<void> {
    this.rendering = true;
    try {
      while (this.renderWanted && !this.disposed) {
        this.renderWanted = false;
        await this.composeForPreview();
      }
    } finally {
      this.rendering = false;
    }
  }

  private async composeForPreview(): Promise<void> {
    const document = this.document;
    const version = document.version;
    const checked = this.checked;
    const edited = this.edited;
    const generation = this.fieldsGeneration;
    const started = performance.now();
    let composed: PreviewMessage;
    try {
      composed = await this.composeLenient(document, checked.overrides);
    } catch (e) {
      if (this.disposed || document !== this.document) return;
      const message = e instanceof Error ? e.message : String(e);
      this.composeError = message;
      this.deps.log.warn(`Preview of ${document.uri.fsPath}: ${message}`);
      const problems = isSendAsEmailError(e) ? e.problems.map((p) => ({ message: p.message, line: p.line })) : [];
      this.post({ type: 'composeError', message, problems });
      return;
    }
    // cheerio loads on the first render, not at activation
    this.body ??= await import('./body');
    if (this.disposed || document !== this.document) return;
    this.timings.add('composeMs', performance.now() - started);
    this.composeError = undefined;
    this.composed = composed;
    this.view = { composed, documentVersion: version, checked, edited, fieldsGeneration: generation };
    this.postView();
  }

  /** Lenient compose for the preview, through this panel's image cache. */
  private async composeLenient(document: vscode.TextDocument, overrides: CheckedFields['overrides']): Promise<PreviewMessage> {
    this.readCache ??= new (await import('../core/assets')).ReadCache();
    return this.deps.mail.composePreview(document, overrides, this.readCache);
  }

  /** Posts image bytes in batches of about 8 MB (one image may be larger). */
  private postImages(list: ImageData[]): void {
    for (let i = 0; i < list.length; ) {
      const batch: ImageData[] = [];
      for (let bytes = 0; i < list.length && (batch.length === 0 || bytes + list[i]!.bytes.length <= 8 * 1024 * 1024); i++) {
        bytes += list[i]!.bytes.length;
        batch.push(list[i]!);
      }
      this.post({ type: 'images', imageData: batch });
    }
  }

  private imageData(images: readonly InlineImage[]): ImageData[] {
    return images.map((img) => ({ cid: img.cid, contentType: img.contentType, bytes: new Uint8Array(img.content) }));
  }

  private postView(): void {
    const view = this.view;
    if (!view || this.disposed) return;
    if (!this.webviewReady) {
      // The first page of this HTML is loading: its images go now, the render once it is ready.
      if (!this.readySinceHtml) {
        const fresh = view.composed.inlineImages.filter((img) => !this.preSent.has(img.cid));
        for (const img of fresh) this.preSent.add(img.cid);
        if (!this.shared.losePreSent) this.postImages(this.imageData(fresh));
      }
      return;
    }
    const started = performance.now();
    const { composed } = view;
    if (!this.body) return;
    const body = this.body.prepareBody(composed.html, { allowRemoteImages: this.allowRemoteImages });
    const imageData = this.imageData(composed.inlineImages.filter((img) => !this.sentCids.has(img.cid)));
    // Many new image bytes (a first render of a newsletter): the email goes first with placeholders, the bytes
    // right after it, so the text shows while they travel.
    const newBytes = imageData.reduce((n, d) => n + d.bytes.length, 0);
    const deferred = newBytes > PreviewPanel.inlineImageBytes ? imageData : [];
    const renderId = ++this.renderSeq;
    this.renderMeta.set(renderId, { uri: this.document.uri.toString(), fieldsGeneration: view.fieldsGeneration });
    this.renderMeta.delete(renderId - 50);
    const h = composed.headers;
    const fromComposed: HeaderFields = { to: h.to.join(', '), cc: h.cc.join(', '), bcc: h.bcc.join(', '), subject: h.subject };
    const fields = { ...fromComposed };
    for (const name of FIELD_NAMES) if (view.edited[name] !== undefined) fields[name] = view.edited[name];
    const errors = view.checked.errors;
    const warnings = this.warnings(composed);
    const message: RenderMessage = {
      type: 'render',
      renderId,
      documentVersion: view.documentVersion,
      source: path.basename(this.document.uri.fsPath),
      documentKey: this.document.uri.toString(),
      from: h.from,
      fields,
      overridden: FIELD_NAMES.filter((n) => view.edited[n] !== undefined),
      fieldErrors: errors,
      html: body.html,
      text: composed.text,
      images: composed.inlineImages.map((img) => ({
        cid: img.cid,
        filename: img.filename,
        contentType: img.contentType,
        size: img.size,
        lines: img.refs.map((r) => r.line),
        ...(deferred.length > 0 ? this.body!.imageDimensions(img.content) : {}),
      })),
      imageData: deferred.length > 0 ? [] : imageData,
      expectImages: deferred.map((d) => d.cid),
      attachments: composed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
      totalSize: composed.size,
      htmlSize: Buffer.byteLength(composed.html),
      sizeLimit: this.deps.mail.knownSizeLimit(),
      warnings,
      remoteImages: body.remoteImages.length,
      remoteAllowed: this.allowRemoteImages,
      // Problems (a missing image...) do not disable Send: pressing it composes strictly and shows why nothing was sent.
      canSend: Object.keys(errors).length === 0 && composed.envelope.to.length > 0,
    };
    this.panel.title = `Email: ${h.subject}`;
    if (this.post(message)) for (const img of imageData) this.sentCids.add(img.cid);
    this.postImages(deferred);
    if (this.pendingShow) this.timings.add('postMs', performance.now() - this.pendingShow.started);
    this.deps.log.debug(
      `Preview render ${renderId} of ${message.source} v${view.documentVersion}: ${formatBytes(message.totalSize)}, ` +
        `${imageData.length} new image(s), prepared in ${(performance.now() - started).toFixed(1)} ms`,
    );
  }

  private warnings(composed: PreviewMessage): WarningView[] {
    const list: WarningView[] = composed.warnings.map((w) => ({
      message: w.message,
      line: w.line,
      severity: BLOCKING.has(w.kind) ? 'error' : 'warning',
    }));
    for (const p of composed.problems) {
      if (!list.some((w) => w.message.startsWith(p.message))) list.push({ message: p.message, line: p.line, severity: 'error' });
    }
    const limit = this.deps.mail.knownSizeLimit();
    if (limit !== undefined && composed.size > limit) {
      list.push({
        message: `The message is ${formatBytes(composed.size)}, more than the ${formatBytes(limit)} the SMTP server accepts.`,
        severity: 'warning',
      });
    }
    return list;
  }

  private setHtml(): void {
    const webview = this.panel.webview;
    const media = vscode.Uri.joinPath(this.deps.extensionUri, 'media');
    this.webviewReady = false;
    this.readySinceHtml = false;
    this.sentCids.clear();
    this.preSent.clear();
    webview.html = previewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.css')).toString(),
      allowRemoteImages: this.allowRemoteImages,
    });
  }

  private post(message: ToWebview): boolean {
    if (this.disposed) return false;
    void this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.deps.log.debug(`Preview message not delivered: ${String(e)}`));
    return true;
  }

  // ---- messages from the webview

  private onMessage(m: FromWebview): void {
    switch (m.type) {
      case 'ready':
        if (this.pendingShow) this.timings.add('readyMs', performance.now() - this.pendingShow.started);
        this.webviewReady = true;
        // A page that reloaded (hidden, then shown again) holds no image; the first one holds what was pre-sent.
        this.sentCids.clear();
        if (!this.readySinceHtml) for (const cid of this.preSent) this.sentCids.add(cid);
        this.readySinceHtml = true;
        this.preSent.clear();
        for (const w of this.readyWaiters.splice(0)) w();
        if (this.view) this.postView();
        if (this.composeError) this.post({ type: 'composeError', message: this.composeError, problems: [] });
        return;
      case 'headers': {
        this.edited = pickFields(m.fields);
        this.checked = checkFields(this.edited);
        this.fieldsGeneration++;
        if (m.token !== undefined) this.settle(m.token, this.fieldsGeneration);
        this.requestRender();
        return;
      }
      case 'action':
        this.startAction(m.action);
        return;
      case 'revealLine':
        void this.revealLine(m.line);
        return;
      case 'openLink':
        void this.openLink(m.href);
        return;
      case 'loadRemoteImages':
        if (this.allowRemoteImages) return;
        this.allowRemoteImages = true;
        this.deps.log.info(`Preview: loading remote images of ${this.document.uri.fsPath}.`);
        this.setHtml();
        return;
      case 'rendered':
        this.onRendered(m.report);
        return;
      case 'needImages': {
        // Pre-sent bytes that did not reach the page: send them again.
        const wanted = new Set(m.cids);
        const missing = (this.view?.composed.inlineImages ?? []).filter((img) => wanted.has(img.cid));
        this.deps.log.debug(`Preview: the webview asked again for ${missing.length} image(s).`);
        this.shared.imagesAskedAgain += missing.length;
        this.postImages(this.imageData(missing));
        for (const img of missing) this.sentCids.add(img.cid);
        return;
      }
      case 'clicked':
        this.settle(m.token, m.ok);
        return;
      case 'scrolled':
        this.settle(m.token, m.y);
        return;
      case 'ui':
        this.settle(m.token, m.state);
        return;
      case 'probeResult':
        this.settle(m.token, m.scriptRan);
        return;
    }
  }

  private onRendered(report: RenderReport): void {
    const meta = this.renderMeta.get(report.renderId);
    if (!meta || meta.uri !== this.document.uri.toString()) return;
    const now = performance.now();
    if (report.imagesPending > 0) {
      // Shown with placeholders while image bytes travel; the render is reported again when they are all in.
      if (this.pendingShow && this.pendingShow.uri === meta.uri && !this.pendingShow.painted) {
        this.pendingShow.painted = true;
        this.timings.add(this.pendingShow.created ? 'firstPaintMs' : 'showToPaintMs', now - this.pendingShow.started);
      }
      return;
    }
    this.timings.add('webviewRenderMs', report.renderMs);
    if (this.pendingShow && this.pendingShow.uri === meta.uri) {
      this.timings.add(this.pendingShow.created ? 'firstRenderMs' : 'showToRenderMs', now - this.pendingShow.started);
      this.pendingShow = undefined;
    }
    if (this.pendingEdit && report.documentVersion >= this.pendingEdit.version) {
      this.timings.add('editToRenderMs', now - this.pendingEdit.started);
      this.pendingEdit = undefined;
    }
    const event: RenderEvent = { report, uri: meta.uri, fieldsGeneration: meta.fieldsGeneration };
    this.report = event;
    this.renderEmitter.fire(event);
  }

  private async revealLine(line: number): Promise<void> {
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    const range = new vscode.Range(pos, pos);
    const doc = this.document;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString());
    try {
      const target = doc.isClosed ? await vscode.workspace.openTextDocument(doc.uri) : doc;
      if (this.disposed) return;
      const editor = await vscode.window.showTextDocument(target, {
        viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
        selection: range,
        preserveFocus: false,
      });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (e) {
      this.deps.log.warn(`Could not reveal line ${line} of ${doc.uri.fsPath}: ${String(e)}`);
    }
  }

  private async openLink(href: string): Promise<void> {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(href, true);
    } catch {
      this.deps.log.warn(`Preview: not opening "${href}", which is not a valid link.`);
      return;
    }
    if (!LINK_SCHEMES.has(uri.scheme)) {
      this.deps.log.warn(`Preview: not opening "${href}": only http, https and mailto links open from an email.`);
      return;
    }
    this.shared.openedLinks.push(href);
    if (!this.shared.captureLinks) await vscode.env.openExternal(uri);
  }

  // ---- actions: Send, Send Test to Me, Save as .eml

  private startAction(action: Action): void {
    if (this.busy) {
      this.deps.log.info(`Preview: ${action} ignored, ${this.busy} is in progress.`);
      return;
    }
    this.actions.push(this.runAction(action));
  }

  /** The promise of the action started as number `index` (see `actionCount`). */
  actionAt(index: number): Promise<SendOutcome | undefined> | undefined {
    return this.actions[index];
  }

  get actionCount(): number {
    return this.actions.length;
  }

  private async runAction(action: Action): Promise<SendOutcome | undefined> {
    this.busy = action;
    this.post({ type: 'busy', action });
    try {
      if (action === 'saveEml') {
        const result = await this.saveEml();
        if (!this.disposed) this.post({ type: 'result', action, result });
        return undefined;
      }
      const outcome = await this.send(action === 'sendTest');
      if (!this.disposed) this.post({ type: 'result', action, result: outcomeView(outcome) });
      return outcome;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`Preview: ${action} failed: ${message}`);
      if (!this.disposed) this.post({ type: 'result', action, result: { status: 'failed', message, recipients: [] } });
      return { status: 'failed', code: isSendAsEmailError(e) ? e.code : 'PREVIEW_FAILED', message };
    } finally {
      this.busy = undefined;
    }
  }

  /** Composes strictly (a missing image stops it here, shown in the panel) and sends. */
  private async send(toSelf: boolean): Promise<SendOutcome> {
    const document = this.document;
    const { overrides, errors } = this.checked;
    let effective = overrides;
    if (toSelf) {
      if (errors.subject) return { status: 'failed', code: 'INVALID_FIELD', message: errors.subject };
      const from = this.composed?.headers.from ?? (await this.composeLenient(document, overrides)).headers.from;
      if (this.disposed) return { status: 'cancelled', message: 'The preview was closed.' };
      effective = { ...overrides, to: [from], cc: [], bcc: [] };
    } else {
      const first = Object.values(errors)[0];
      if (first) return { status: 'failed', code: 'INVALID_ADDRESS', message: first };
    }
    let composed: ComposedMessage;
    try {
      composed = await this.deps.mail.compose(document, effective, { lenient: false });
    } catch (e) {
      const message = composeFailure(e);
      this.deps.log.error(`Preview: not sent, ${message}`);
      return { status: 'failed', code: isSendAsEmailError(e) ? e.code : 'COMPOSE_FAILED', message };
    }
    if (this.disposed) return { status: 'cancelled', message: 'The preview was closed before sending; nothing was sent.' };
    this.composed = { ...composed, size: composed.raw.length };
    this.sent = composed;
    return this.deps.mail.send(composed, document.uri);
  }

  private async saveEml(): Promise<ActionResultView> {
    const document = this.document;
    let composed: ComposedMessage;
    try {
      composed = await this.deps.mail.compose(document, this.checked.overrides, { lenient: false });
    } catch (e) {
      return { status: 'failed', message: composeFailure(e), recipients: [] };
    }
    if (this.disposed) return { status: 'cancelled', message: 'The preview was closed.', recipients: [] };
    this.composed = { ...composed, size: composed.raw.length };
    const target = await this.deps.mail.saveEml(composed, document.uri);
    if (!target) return { status: 'cancelled', message: 'Not saved.', recipients: [] };
    return { status: 'saved', message: `Saved ${formatBytes(composed.raw.length)} to ${target.fsPath}.`, recipients: [] };
  }

  // ---- test hooks: the same message paths the user's input takes

  private whenReady(timeoutMs: number): Promise<void> {
    if (this.webviewReady) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The preview webview was not ready within ${timeoutMs} ms.`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private settle(token: number, value: unknown): void {
    const w = this.waiters.get(token);
    if (!w) return;
    this.waiters.delete(token);
    clearTimeout(w.timer);
    w.resolve(value);
  }

  private async request<T>(make: (token: number) => ToWebview, what: string, timeoutMs = 10_000): Promise<T> {
    await this.whenReady(timeoutMs);
    if (this.disposed) throw new Error('The preview was closed.');
    const token = ++this.tokenSeq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(token);
        reject(new Error(`The preview did not answer "${what}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiters.set(token, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.post(make(token));
    });
  }

  /** Types `fields` into the form; resolves with the form generation that carries them. */
  fill(fields: Partial<HeaderFields>): Promise<number> {
    return this.request<number>((token) => ({ type: 'fill', token, fields }), 'fill the form');
  }

  async click(selector: string): Promise<void> {
    const ok = await this.request<boolean>((token) => ({ type: 'click', token, selector }), `click ${selector}`);
    if (!ok) throw new Error(`The preview has no enabled element "${selector}".`);
  }

  scrollTo(y: number): Promise<number> {
    return this.request<number>((token) => ({ type: 'scroll', token, y }), 'scroll');
  }

  ui(): Promise<UiState> {
    return this.request<UiState>((token) => ({ type: 'queryUi', token }), 'read the controls');
  }

  probeScripts(html: string, allowScripts: boolean): Promise<boolean> {
    return this.request<boolean>((token) => ({ type: 'probeScripts', token, html, allowScripts }), 'probe script detection', 20_000);
  }
}

function pickFields(fields: Partial<HeaderFields>): Partial<HeaderFields> {
  const out: Partial<HeaderFields> = {};
  for (const name of FIELD_NAMES) {
    const v = fields?.[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function composeFailure(e: unknown): string {
  if (!isSendAsEmailError(e)) return e instanceof Error ? e.message : String(e);
  const details = e.problems.map((p) => p.message).filter((m) => m !== e.message);
  return details.length > 0 ? `${e.message} ${details.join(' ')}` : e.message;
}

function outcomeView(outcome: SendOutcome): ActionResultView {
  switch (outcome.status) {
    case 'sent':
    case 'partial': {
      const r = outcome.result;
      const recipients = [
        ...r.accepted.map((address) => ({ address, accepted: true })),
        ...r.rejected.map((x) => ({ address: x.address, accepted: false, response: x.response })),
      ];
      const total = recipients.length;
      const message =
        outcome.status === 'sent'
          ? `Sent to ${total} recipient${total === 1 ? '' : 's'} (${formatBytes(r.size)}): ${r.response}`
          : `Delivered to ${r.accepted.length} of ${total} recipients; the server refused the others.`;
      return { status: outcome.status, message, recipients };
    }
    case 'failed':
      return { status: 'failed', message: outcome.message, recipients: [] };
    case 'cancelled':
      return { status: 'cancelled', message: outcome.message, recipients: [] };
  }
}

/** Owns the (single) preview panel: the commands call `show`, the tests use `testApi`. */
export class PreviewManager implements vscode.Disposable {
  private panel: PreviewPanel | undefined;
  private readonly shared = new PanelShared();
  private readonly renderEmitter = new vscode.EventEmitter<RenderEvent>();
  private readonly subscriptions: vscode.Disposable[] = [this.renderEmitter];
  readonly testApi: PreviewTestApi;

  constructor(private readonly deps: PreviewDeps) {
    this.testApi = this.createTestApi();
  }

  show(document: vscode.TextDocument): PreviewPanel {
    const panel = PreviewPanel.createOrShow(this.deps, document, this.panel, this.shared);
    if (panel !== this.panel) {
      this.panel = panel;
      const subs = [
        panel.onDidRender((e) => this.renderEmitter.fire(e)),
        panel.onDidDispose(() => {
          if (this.panel === panel) this.panel = undefined;
          for (const s of subs) s.dispose();
        }),
      ];
    }
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
    while (this.subscriptions.length) this.subscriptions.pop()?.dispose();
  }

  private requirePanel(): PreviewPanel {
    if (!this.panel || this.panel.isDisposed) throw new Error('No email preview is open.');
    return this.panel;
  }

  /** The next render event (of the current panel and document) that `accept` takes, or the latest one if it does. */
  private waitForEvent(accept: (e: RenderEvent) => boolean, timeoutMs: number, what: string): Promise<RenderEvent> {
    const latest = this.panel?.lastRender();
    if (latest && accept(latest)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        const err = this.panel?.lastComposeError();
        reject(new Error(`The preview did not report ${what} within ${timeoutMs} ms${err ? ` (last compose error: ${err})` : ''}.`));
      }, timeoutMs);
      const sub = this.renderEmitter.event((e) => {
        if (!this.panel || e.uri !== this.panel.documentShown.uri.toString() || !accept(e)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(e);
      });
    });
  }

  private async clickAction(selector: string, timeoutMs: number): Promise<SendOutcome> {
    const panel = this.requirePanel();
    const index = panel.actionCount;
    await panel.click(selector);
    const action = panel.actionAt(index);
    if (!action) throw new Error(`Clicking ${selector} started no action.`);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      action,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${selector} did not finish within ${timeoutMs} ms.`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!outcome) throw new Error(`${selector} ended without a send outcome.`);
    return outcome;
  }

  private createTestApi(): PreviewTestApi {
    return {
      current: () => (this.panel && !this.panel.isDisposed ? { panel: this.panel.panel, document: this.panel.documentShown } : undefined),
      waitForRender: async (afterVersion, timeoutMs = 20_000) => {
        const e = await this.waitForEvent(
          (ev) => afterVersion === undefined || ev.report.documentVersion > afterVersion,
          timeoutMs,
          afterVersion === undefined ? 'a render' : `a render after document version ${afterVersion}`,
        );
        return e.report;
      },
      setHeaders: async (fields, timeoutMs = 20_000) => {
        const generation = await this.requirePanel().fill(fields);
        const e = await this.waitForEvent((ev) => ev.fieldsGeneration >= generation, timeoutMs, 'a render with the new headers');
        return e.report;
      },
      clickSend: (timeoutMs = 60_000) => this.clickAction('#send', timeoutMs),
      clickSendTest: (timeoutMs = 60_000) => this.clickAction('#sendTest', timeoutMs),
      click: (selector) => this.requirePanel().click(selector),
      scrollTo: (y) => this.requirePanel().scrollTo(y),
      ui: () => this.requirePanel().ui(),
      lastComposed: () => this.panel?.lastComposed(),
      lastSent: () => this.panel?.lastSent(),
      probeScriptDetection: (html, allowScripts = false) => this.requirePanel().probeScripts(html, allowScripts),
      captureLinks: (on) => {
        this.shared.captureLinks = on;
      },
      openedLinks: () => [...this.shared.openedLinks],
      timings: () => structuredClone(this.shared.timings.data),
      losePreSentImages: (on) => {
        this.shared.losePreSent = on;
      },
      imagesAskedAgain: () => this.shared.imagesAskedAgain,
    };
  }
}
