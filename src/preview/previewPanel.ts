/**
 * The preview panel: shows exactly what will be sent (composed leniently, so that missing images are listed instead
 * of stopping the preview), follows the document's edits (debounced), lets the user edit the headers, and runs the
 * buttons. The page script is src/webview/preview.ts; the messages between them are in ./messages.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import type { ReadCache } from '../core/assets/readCache';
import type { Logger, PreviewMessage } from '../core/types';
import { type Mailer, type RetryEvent } from '../vscode/mailer';
import { documentKind } from '../vscode/mailDocument';
import type { MergeSender } from '../vscode/mergeSender';
import type { SendOutcome } from '../vscode/notifications';
import { readSettings } from '../vscode/settings';
import { missingSetup, openSetup } from '../vscode/setup';
import type { Accounts } from '../vscode/accounts';
import { AccountChoice } from './accountChoice';
import { ClientCheck, checkInputOf, type CheckEvent } from './clientCheck';
import { composeProblems, outcomeView, runAction, settleAction } from './actions';
import { checkFields, type CheckedFields } from './fields';
import { createNonce, previewHtml } from './html';
import { ImageDelivery } from './imageDelivery';
import { runMergeAction } from './mergeActions';
import { MergeRows, type MergeRowShown } from './mergeRows';
import { openLink, revealLine } from './pageLinks';
import { pageStrings } from './pageStrings';
import type { Action, FromWebview, HeaderFields, ToWebview } from './messages';
import { pictureSourceWarnings } from './pictureSources';
import { renderMessage, type View } from './renderMessage';
import { checkFromWebview } from './webviewMessages';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  mailer: Mailer;
  accounts: Accounts;
  /** A document with front matter `data:` is a mail merge: its Send, Send Test and Save go here. */
  merges: MergeSender;
  log: Logger;
  /** Opens a link the user clicked in the email (http, https and mailto only reach it). */
  openExternal(uri: vscode.Uri): Thenable<boolean>;
  /** A page script in place of media/preview.js, with the folder it comes from (the tests' probe; none in production). */
  pageScript?(): { script: vscode.Uri; root: vscode.Uri };
}

/** Events of a panel, for whoever observes it (the manager, the status of an action). */
export interface ComposeEvent {
  uri: string;
  documentVersion: number;
  ms: number;
}
export interface PostEvent {
  uri: string;
  renderId: number;
  documentVersion: number;
}
export interface ActionEvent {
  action: Action;
  outcome: SendOutcome | undefined;
}

export class PreviewPanel implements vscode.Disposable {
  static readonly viewType = 'sendAsEmail.preview';
  static readonly debounceMs = 300;

  /** Opens a new preview beside the editor for `document`. */
  static create(deps: PreviewDeps, document: vscode.TextDocument): PreviewPanel {
    const panel = vscode.window.createWebviewPanel(
      PreviewPanel.viewType,
      l10n.t('Email: {0}', path.basename(document.uri.fsPath)),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [mediaOf(deps), ...(deps.pageScript ? [deps.pageScript().root] : [])], enableFindWidget: true },
    );
    panel.iconPath = vscode.Uri.joinPath(mediaOf(deps), 'icon.png');
    return new PreviewPanel(panel, deps, document);
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly composeEmitter = new vscode.EventEmitter<ComposeEvent>();
  private readonly postEmitter = new vscode.EventEmitter<PostEvent>();
  private readonly actionEmitter = new vscode.EventEmitter<ActionEvent>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  private readonly checkEmitter = new vscode.EventEmitter<CheckEvent>();
  /** A lenient compose for the preview finished. */
  readonly onDidCompose = this.composeEmitter.event;
  /** A render went to the page. */
  readonly onDidPostRender = this.postEmitter.event;
  /** Send, Send Test or Save as .eml finished. */
  readonly onDidFinishAction = this.actionEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;
  /** The recipients check of a shown render went to the page. */
  readonly onDidCheckClients = this.checkEmitter.event;

  private disposed = false;
  private document: vscode.TextDocument;
  /** Field values the user typed (the form's edited fields); they override the document's headers. */
  private edited: Partial<HeaderFields> = {};
  private checked: CheckedFields = { overrides: {}, errors: {} };
  private allowRemoteImages = false;
  private view: View | undefined;
  /** Why the document shown cannot be composed now (the page shows it with the document's name). */
  private composeError: { message: string; problems: { message: string; line?: number }[] } | undefined;
  /** The body preparation module (cheerio), loaded with the first render. */
  private body: typeof import('./body') | undefined;
  /** Local images of this panel's composes, read once while unchanged. */
  private readCache: ReadCache | undefined;
  private readonly images: ImageDelivery;
  private readonly account: AccountChoice;
  private readonly clients: ClientCheck;
  private webviewReady = false;
  private renderSeq = 0;
  private rendering = false;
  private renderWanted = false;
  private debounce: NodeJS.Timeout | undefined;
  private busy: Action | undefined;
  /** A mail merge: the plan and the row shown (`mergeShown` for the last compose; none for a single message). */
  private readonly merge = new MergeRows();
  private mergeShown: MergeRowShown | undefined;

  private constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private readonly deps: PreviewDeps,
    document: vscode.TextDocument,
  ) {
    this.document = document;
    this.images = new ImageDelivery((m) => this.post(m));
    this.account = new AccountChoice(deps.accounts);
    const load = async () => (await import('../core/check/checkMessage')).checkMessage;
    this.clients = new ClientCheck({ load, post: (m) => this.post(m), log: deps.log, disposed: () => this.disposed }, (e) => this.checkEmitter.fire(e));
    this.disposables.push(
      this.checkEmitter,
      this.composeEmitter,
      this.postEmitter,
      this.actionEmitter,
      this.disposeEmitter,
      webviewPanel.onDidDispose(() => this.dispose()),
      webviewPanel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.isMine(e.document)) {
          this.document = e.document;
          this.scheduleRender();
        }
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (this.isMine(d)) this.document = d;
      }),
      // The settings, and the account switched to in the workspace (debounced: a settings change fires both).
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sendAsEmail', this.document.uri)) this.scheduleRender();
      }),
      deps.accounts.onDidChange(() => this.scheduleRender()),
      deps.mailer.onDidRetry((e) => this.onRetry(e)),
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

  /** The message last composed for the preview (MIME bytes counted, not built). */
  lastComposed(): PreviewMessage | undefined {
    return this.view?.composed;
  }

  lastComposeError(): string | undefined {
    return this.composeError?.message;
  }

  /** Switches to `document` (the form forgets what was typed for another one) and reveals the panel. */
  show(document: vscode.TextDocument): void {
    if (!this.isMine(document)) {
      this.document = document;
      this.edited = {};
      this.checked = { overrides: {}, errors: {} };
      this.account.reset();
      this.view = undefined;
      this.composeError = undefined;
    }
    this.requestRender();
    this.webviewPanel.reveal(undefined, true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.debounce);
    this.clients.cancel();
    this.disposeEmitter.fire();
    this.webviewPanel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  // ---- document and rendering

  private isMine(d: vscode.TextDocument): boolean {
    return d.uri.toString() === this.document.uri.toString();
  }

  private scheduleRender(): void {
    this.clients.cancel();
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.requestRender(), PreviewPanel.debounceMs);
  }

  /** Composes now, or once more after the compose in progress (never two at a time). */
  private requestRender(): void {
    this.clients.cancel();
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
    const { edited } = this;
    const checked = this.account.apply(this.checked);
    const started = performance.now();
    let composed: PreviewMessage;
    try {
      composed = await this.composeLenient(document, checked.overrides);
    } catch (e) {
      if (this.disposed || document !== this.document) return;
      const message = e instanceof Error ? e.message : String(e);
      this.composeError = { message, problems: composeProblems(e) };
      this.deps.log.warn(l10n.t('Preview of {0}: {1}', document.uri.fsPath, message));
      // The panel names the document it shows, even when nothing of it could be composed.
      this.webviewPanel.title = l10n.t('Email: {0}', path.basename(document.uri.fsPath));
      this.postComposeError();
      return;
    }
    // cheerio loads on the first render, not at activation
    this.body ??= await import('./body');
    if (this.disposed || document !== this.document) return;
    this.composeEmitter.fire({ uri: document.uri.toString(), documentVersion: version, ms: performance.now() - started });
    this.composeError = undefined;
    const setup = missingSetup(readSettings(document.uri), composed.headers.from);
    this.view = {
      composed,
      documentVersion: version,
      checked,
      edited,
      sourceWarnings: [...pictureSourceWarnings(document.getText(), documentKind(document)), ...(this.mergeShown?.warnings ?? [])],
      merge: this.mergeShown?.merge,
      setup: setup.length > 0 ? { missing: setup } : undefined,
    };
    this.postView();
  }

  private postComposeError(): void {
    if (!this.composeError || !this.webviewReady) return;
    const source = path.basename(this.document.uri.fsPath);
    this.post({ type: 'composeError', source, documentKey: this.document.uri.toString(), ...this.composeError });
  }

  /** A retry of an entry composed from this document (Open Outbox, "Re-enter Password"): its outcome replaces the old one. */
  private onRetry(e: RetryEvent): void {
    if (this.disposed || this.busy || !e.source || e.source !== this.document.uri.fsPath) return;
    this.post({ type: 'result', action: 'send', result: outcomeView(e.outcome) });
  }

  /** Lenient compose for the preview, through this panel's image cache; of a merge, the row shown (the document's own headers). */
  private async composeLenient(document: vscode.TextDocument, overrides: CheckedFields['overrides']): Promise<PreviewMessage> {
    this.readCache ??= new (await import('../core/assets/readCache')).ReadCache();
    const key = { key: document.uri.toString(), path: document.uri.fsPath, text: document.getText() };
    this.mergeShown = await this.merge.compose(key, () => this.deps.mailer.previewComposeOptions(document, undefined, this.readCache!));
    return this.mergeShown?.composed ?? this.deps.mailer.composePreview(document, overrides, this.readCache);
  }

  private postView(): void {
    const view = this.view;
    if (!view || this.disposed || !this.body) return;
    if (!this.webviewReady) {
      this.images.preSend(view.composed.inlineImages);
      return;
    }
    const started = performance.now();
    const body = this.body.prepareBody(view.composed.html, { allowRemoteImages: this.allowRemoteImages });
    const images = this.images.forRender(view.composed.inlineImages);
    const renderId = ++this.renderSeq;
    const message = renderMessage({
      view,
      renderId,
      source: path.basename(this.document.uri.fsPath),
      documentKey: this.document.uri.toString(),
      body: { html: body.html, remoteImages: body.remoteImages.length },
      remoteAllowed: this.allowRemoteImages,
      imageData: images.withRender,
      expectImages: images.after.map((d) => d.cid),
      dimensions: this.body.imageDimensions,
      sizeLimit: this.deps.mailer.knownSizeLimit(),
      account: this.account.view(this.document.uri, view.composed.account),
    });
    this.webviewPanel.title = l10n.t('Email: {0}', view.composed.headers.subject);
    if (!this.post(message)) return;
    this.images.rendered(images);
    const source = { text: this.document.getText(), kind: documentKind(this.document) };
    this.clients.rendered({ renderId, documentKey: message.documentKey, input: checkInputOf(view.composed, source, readSettings(this.document.uri).check) });
    this.postEmitter.fire({ uri: message.documentKey, renderId, documentVersion: view.documentVersion });
    this.deps.log.debug(
      `Preview render ${renderId} of ${message.source} v${view.documentVersion}: ${formatBytes(message.totalSize)}, ` +
        `${images.withRender.length + images.after.length} new image(s), prepared in ${(performance.now() - started).toFixed(1)} ms`,
    );
  }

  private setHtml(): void {
    const webview = this.webviewPanel.webview;
    const media = mediaOf(this.deps);
    this.webviewReady = false;
    this.images.newPage();
    webview.html = previewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUris: [webview.asWebviewUri(this.deps.pageScript?.().script ?? vscode.Uri.joinPath(media, 'preview.js')).toString()],
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.css')).toString(),
      allowRemoteImages: this.allowRemoteImages,
      strings: pageStrings(),
      lang: vscode.env.language,
    });
  }

  private post(message: ToWebview): boolean {
    if (this.disposed) return false;
    void this.webviewPanel.webview.postMessage(message).then(undefined, (e: unknown) => this.deps.log.debug(`Preview message not delivered: ${String(e)}`));
    return true;
  }

  // ---- messages from the webview

  private receive(value: unknown): void {
    const checked = checkFromWebview(value);
    if ('ignored' in checked) {
      this.deps.log.debug(`Preview: ignored ${checked.ignored}.`);
      return;
    }
    try {
      this.onMessage(checked.message);
    } catch (e) {
      this.deps.log.error(l10n.t('Preview: handling a "{0}" message failed: {1}', checked.message.type, e instanceof Error ? e.message : String(e)));
    }
  }

  private onMessage(m: FromWebview): void {
    switch (m.type) {
      case 'ready':
        this.webviewReady = true;
        this.images.ready();
        if (this.view) this.postView();
        this.postComposeError();
        return;
      case 'headers':
        this.edited = m.fields;
        this.checked = checkFields(this.edited);
        this.requestRender();
        return;
      case 'action':
        this.startAction(m.action);
        return;
      case 'revealLine':
        void revealLine(this.document, m.line, { log: this.deps.log, disposed: () => this.disposed });
        return;
      case 'openLink':
        void openLink(m.href, this.deps);
        return;
      case 'account':
        this.account.choose(m.name);
        this.requestRender();
        return;
      case 'setUp':
        void openSetup(this.view?.setup?.missing ?? missingSetup(readSettings(this.document.uri)));
        return;
      case 'loadRemoteImages':
        if (this.allowRemoteImages) return;
        this.allowRemoteImages = true;
        this.deps.log.info(l10n.t('Preview: loading remote images of {0}.', this.document.uri.fsPath));
        this.setHtml();
        return;
      case 'shown':
        this.clients.shown(m.renderId);
        return;
      case 'mergeRow':
        if (this.merge.select(m.index)) this.requestRender();
        return;
      case 'needImages': {
        const n = this.images.resend(m.cids, this.view?.composed.inlineImages ?? []);
        this.deps.log.debug(`Preview: the webview asked again for ${n} image(s).`);
        return;
      }
    }
  }

  // ---- actions: Send, Send Test to Me, Save as .eml

  private startAction(action: Action): void {
    if (this.busy) {
      this.deps.log.info(l10n.t('Preview: {0} ignored, {1} is in progress.', action, this.busy));
      return;
    }
    void this.runAction(action);
  }

  private async runAction(action: Action): Promise<void> {
    this.busy = action;
    this.post({ type: 'busy', action });
    const document = this.document;
    const merge = this.mergeShown?.merge;
    const done = await settleAction(action, this.deps.log, () =>
      merge
        ? runMergeAction(action, { merges: this.deps.merges, mailer: this.deps.mailer, document, row: merge.index })
        : runAction(action, {
            mailer: this.deps.mailer,
            document,
            checked: this.account.apply(this.checked),
            composed: this.view?.composed,
            composeLenient: () => this.composeLenient(document, this.account.apply(this.checked).overrides),
            disposed: () => this.disposed,
          }),
    );
    this.busy = undefined;
    if (!this.disposed) this.post({ type: 'result', action, result: done.view });
    this.actionEmitter.fire({ action, outcome: done.outcome });
  }
}

function mediaOf(deps: PreviewDeps): vscode.Uri {
  return vscode.Uri.joinPath(deps.extensionUri, 'media');
}
