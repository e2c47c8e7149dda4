/**
 * Composes documents and sends them: the VS Code side of the core. Settings come from the document's scope, the
 * password from `SmtpLogin`, messages from `Notifications`; every send streams the message into the outbox and from
 * there to the server (the same pipeline as the command-line tool), never holding it whole in memory.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ErrorCode, isSendAsEmailError, toSendAsEmailError } from '../core/errors';
import { formatBytes } from '../core/format';
import type { ReadCache } from '../core/assets/readCache';
import type { EmailSettings } from '../core/settings';
import type { Outbox } from '../core/send/outbox';
import type { SmtpOptions } from '../core/send/smtp';
import { requireRecipients } from '../core/send/smtpTarget';
import type { ComposedStream, ComposeOptions, HeaderOverrides, PreviewMessage, SourceDocument, VerifyResult } from '../core/types';
import type { Log } from './log';
import { Button, type Notifications, type SendOutcome } from './notifications';
import { readSettings, workspaceFolderPaths } from './settings';
import type { SmtpLogin } from './smtpLogin';

export type { SendOutcome } from './notifications';

export interface MailerDeps {
  login: SmtpLogin;
  notifications: Notifications;
  outbox: () => Promise<Outbox>;
  log: Log;
}

export class Mailer {
  private sizeLimit: number | undefined;

  constructor(private readonly deps: MailerDeps) {}

  /** The server's SIZE limit in bytes once a connection test or a send has learned it. */
  knownSizeLimit(): number | undefined {
    return this.sizeLimit;
  }

  /** Composes the document's current (possibly unsaved) text strictly, as a stream of MIME bytes for a send or a save. */
  async compose(document: vscode.TextDocument, overrides?: HeaderOverrides): Promise<ComposedStream> {
    const { composeMessageStream } = await import('../core/message/compose');
    return composeMessageStream(sourceOf(document), composeOptions(document, overrides));
  }

  /**
   * Composes for the preview: lenient (missing images become problems), the MIME bytes counted but not built,
   * unchanged local images taken from `readCache` (one per preview panel).
   */
  async composePreview(document: vscode.TextDocument, overrides: HeaderOverrides | undefined, readCache: ReadCache): Promise<PreviewMessage> {
    const { composePreview } = await import('../core/message/compose');
    return composePreview(sourceOf(document), { ...composeOptions(document, overrides), lenient: true, readCache });
  }

  /** Sends with a progress notification (Cancel), asking for the password when needed; shows the outcome. */
  async send(composed: ComposedStream, source?: vscode.Uri): Promise<SendOutcome> {
    if (!vscode.workspace.isTrusted) return this.deps.notifications.untrusted();
    const settings = readSettings(source);
    try {
      requireRecipients(composed.envelope, composed.headers.subject, vscode.l10n.t('Add "to:" to the front matter, fill in To in the preview, or set sendAsEmail.to.'));
      const target = await this.deps.login.target(settings, true);
      return await this.withProgress(vscode.l10n.t('Sending "{0}" through {1}:{2}', composed.headers.subject, target.host, target.port), async (signal) => {
        const { deliverComposed } = await import('../core/send/deliver');
        const { result } = await deliverComposed(composed, source?.fsPath, target, await this.deps.outbox(), this.smtpOptions(signal));
        await this.deps.login.accepted(target);
        return this.deps.notifications.sent(composed.headers.subject, result);
      });
    } catch (e) {
      return this.failed(e, settings, true);
    }
  }

  /**
   * Resends an outbox entry's exact bytes (same Message-ID), through the SMTP settings of the document it was composed
   * from (its workspace folder's, in a multi-root workspace), as the first send used them.
   */
  async retry(entryId: string): Promise<SendOutcome> {
    if (!vscode.workspace.isTrusted) return this.deps.notifications.untrusted();
    let settings = readSettings();
    try {
      const outbox = await this.deps.outbox();
      const recorded = await outbox.get(entryId);
      settings = readSettings(recorded?.source ? vscode.Uri.file(recorded.source) : undefined);
      const target = await this.deps.login.target(settings, true);
      return await this.withProgress(vscode.l10n.t('Retrying "{0}" through {1}:{2}', recorded?.subject ?? entryId, target.host, target.port), async (signal) => {
        const { retry } = await import('../core/send/deliver');
        const result = await retry(outbox, entryId, target, this.smtpOptions(signal));
        await this.deps.login.accepted(target);
        return this.deps.notifications.sent(recorded?.subject ?? entryId, result);
      });
    } catch (e) {
      return this.failed(e, settings, true, entryId);
    }
  }

  /** Asks where (default: beside the source), writes the .eml, offers to reveal it. */
  async saveEml(composed: ComposedStream, source: vscode.Uri): Promise<vscode.Uri | undefined> {
    const base = path.basename(source.fsPath).replace(/\.(md|markdown|html?)$/i, '');
    const defaultUri = vscode.Uri.file(path.join(path.dirname(source.fsPath), `${base}.eml`));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: { Email: ['eml'] }, saveLabel: vscode.l10n.t('Save .eml') });
    if (!target) return undefined;
    await this.writeEml(composed, target);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved "{0}" to {1}.', composed.headers.subject, target.fsPath), Button.reveal).then((b) => {
      if (b === Button.reveal) void vscode.commands.executeCommand('revealFileInOS', target);
    });
    return target;
  }

  async writeEml(composed: ComposedStream, target: vscode.Uri): Promise<void> {
    const { writeEml } = await import('../core/message/eml');
    await writeEml(target.fsPath, composed.chunks());
    this.deps.log.info(vscode.l10n.t('Saved {0} bytes to {1}', composed.size, target.fsPath));
  }

  /** Connects, negotiates TLS, logs in and reports what the server offered, without sending. `scope`: whose settings. */
  async testConnection(scope: vscode.Uri | undefined): Promise<VerifyResult | undefined> {
    const settings = readSettings(scope);
    try {
      const target = await this.deps.login.target(settings, true);
      const result = await this.withProgress(vscode.l10n.t('Testing {0}:{1}', target.host, target.port), async (signal) => {
        const { verifySmtp } = await import('../core/send/smtp');
        return verifySmtp(target, this.smtpOptions(signal));
      });
      await this.deps.login.accepted(target);
      this.sizeLimit = result.sizeLimit;
      const parts = [
        vscode.l10n.t('Connected to {0}:{1}', result.host, result.port),
        result.tlsVersion ? vscode.l10n.t('over {0}', result.tlsVersion) : vscode.l10n.t('without TLS'),
        result.authenticated ? vscode.l10n.t('logged in as {0}', target.user) : vscode.l10n.t('no login'),
        result.authMethods.length ? vscode.l10n.t('AUTH {0}', result.authMethods.join(' ')) : vscode.l10n.t('no AUTH offered'),
        result.sizeLimit ? vscode.l10n.t('size limit {0}', formatBytes(result.sizeLimit)) : vscode.l10n.t('no size limit announced'),
      ];
      this.deps.notifications.info(`${parts.join(vscode.l10n.t(', '))}.`);
      return result;
    } catch (e) {
      await this.failed(e, settings, false);
      return undefined;
    }
  }

  /** Reports a failure; after a 535, "Re-enter Password" forgets the stored one and retries the kept message, which asks. */
  private async failed(e: unknown, settings: EmailSettings, keptInOutbox: boolean, entryId?: string): Promise<SendOutcome> {
    if (isSendAsEmailError(e, ErrorCode.SMTP_CANCELLED)) return this.deps.notifications.cancelled(e);
    const err = toSendAsEmailError(e);
    if (err.code === ErrorCode.SMTP_AUTH_FAILED) {
      if (await this.deps.notifications.authFailed(err)) {
        await this.deps.login.forget(settings);
        const id = entryId ?? err.extra.outboxEntryId;
        if (id) return this.retry(id);
      }
      return { status: 'failed', code: err.code, message: err.message };
    }
    return this.deps.notifications.failed(err, keptInOutbox && (entryId !== undefined || err.extra.outboxEntryId !== undefined));
  }

  /** What every connection gets: the log, Cancel, and the warning about unchecked certificates. */
  private smtpOptions(signal: AbortSignal): SmtpOptions {
    return { logger: this.deps.log, signal, onInsecureTls: (where) => this.deps.notifications.insecureTls(where) };
  }

  private withProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        return work(controller.signal).finally(() => sub.dispose());
      }),
    );
  }
}

/** The editor's text (saved or not) as the core reads a document. */
function sourceOf(document: vscode.TextDocument): SourceDocument {
  return { path: document.uri.fsPath, text: document.getText(), kind: documentKind(document) };
}

/** Settings for the document's scope and the workspace folders, as every compose takes them. */
function composeOptions(document: vscode.TextDocument, overrides: HeaderOverrides | undefined): ComposeOptions {
  return { settings: readSettings(document.uri), workspaceFolders: workspaceFolderPaths(), overrides };
}

export function documentKind(document: vscode.TextDocument): 'markdown' | 'html' {
  if (document.languageId === 'html') return 'html';
  if (document.languageId === 'markdown') return 'markdown';
  return /\.html?$/i.test(document.uri.fsPath) ? 'html' : 'markdown';
}

