/**
 * Composes documents and sends them: the VS Code side of the core. Settings come from the document's scope, the
 * password from `SmtpLogin`, messages from `Notifications`; every send streams the message into the outbox and from
 * there to the server (the same pipeline as the command-line tool), never holding it whole in memory.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { documentKind, isMailDocument } from './mailDocument';
import { ErrorCode, isSendAsEmailError, toSendAsEmailError } from '../core/errors';
import { formatBytes } from '../core/format';
import type { ReadCache } from '../core/assets/readCache';
import { accountSmtpSettings, pickAccount, type Account } from '../core/accounts/accounts';
import type { EmailSettings } from '../core/settings';
import type { Outbox } from '../core/send/outbox';
import type { SmtpOptions } from '../core/send/smtp';
import { requireRecipients, requireSmtpHost } from '../core/send/smtpTarget';
import type { ComposedStream, ComposeOptions, HeaderOverrides, Logger, PreviewMessage, SmtpTarget, SourceDocument, VerifyResult } from '../core/types';
import type { Accounts } from './accounts';
import type { Log } from './log';
import { Button, type Notifications, type SendOutcome } from './notifications';
import type { OAuthLogin } from './oauthLogin';
import { workspaceFolderPaths } from './settings';
import { STAND_IN_FROM } from './setup';
import type { SmtpLogin } from './smtpLogin';

export type { SendOutcome } from './notifications';

export interface MailerDeps {
  accounts: Accounts;
  login: SmtpLogin;
  oauth: OAuthLogin;
  notifications: Notifications;
  outbox: () => Promise<Outbox>;
  log: Log;
}

/** A retry of an outbox entry ended (Open Outbox, or "Re-enter Password" after a send): what the entry's document shows. */
export interface RetryEvent {
  entryId: string;
  /** The file the entry was composed from, when known. */
  source: string | undefined;
  outcome: SendOutcome;
}

export class Mailer implements vscode.Disposable {
  private sizeLimit: number | undefined;
  private readonly retryEmitter = new vscode.EventEmitter<RetryEvent>();
  /** Every retry's outcome: a preview of the entry's document replaces what it showed of the earlier attempt. */
  readonly onDidRetry = this.retryEmitter.event;

  constructor(private readonly deps: MailerDeps) {}

  dispose(): void {
    this.retryEmitter.dispose();
  }

  /** The server's SIZE limit in bytes once a connection test or a send has learned it. */
  knownSizeLimit(): number | undefined {
    return this.sizeLimit;
  }

  /** Composes the document's current (possibly unsaved) text strictly, as a stream of MIME bytes for a send or a save. */
  async compose(document: vscode.TextDocument, overrides?: HeaderOverrides): Promise<ComposedStream> {
    const { composeMessageStream } = await import('../core/message/compose');
    return composeMessageStream(sourceOf(document), this.composeOptions(document, overrides));
  }

  /**
   * Composes for the preview: lenient (missing images become problems), the MIME bytes counted but not built,
   * unchanged local images taken from `readCache` (one per preview panel).
   */
  async composePreview(document: vscode.TextDocument, overrides: HeaderOverrides | undefined, readCache: ReadCache): Promise<PreviewMessage> {
    const { composePreview } = await import('../core/message/compose');
    return composePreview(sourceOf(document), this.previewComposeOptions(document, overrides, readCache));
  }

  /** Settings for the document's scope (with the workspace's account choice) and the workspace folders, as every compose takes them. */
  composeOptions(document: vscode.TextDocument, overrides: HeaderOverrides | undefined): ComposeOptions {
    return { settings: this.deps.accounts.settings(document.uri), workspaceFolders: workspaceFolderPaths(), overrides };
  }

  /** A lenient compose for the preview, through the panel's image cache; no sender set up yet: a stand-in the panel marks. */
  previewComposeOptions(document: vscode.TextDocument, overrides: HeaderOverrides | undefined, readCache: ReadCache): ComposeOptions {
    const options = this.composeOptions(document, overrides);
    if (!options.settings.from.trim()) options.settings = { ...options.settings, from: STAND_IN_FROM };
    return { ...options, lenient: true, readCache };
  }

  /** Sends with a progress notification (Cancel), asking for the password when needed; shows the outcome. */
  async send(composed: ComposedStream, source?: vscode.Uri): Promise<SendOutcome> {
    if (!this.deps.accounts.isTrusted()) return this.deps.notifications.untrusted();
    const settings = this.deps.accounts.settings(source);
    let account: Account | undefined;
    try {
      requireRecipients(composed.envelope, composed.headers.subject, vscode.l10n.t('Add "to:" to the front matter, fill in To in the preview, or set sendAsEmail.to.'));
      account = this.deps.accounts.named(settings, composed.account);
      const target = await this.target(account, settings, true);
      return await this.withProgress(vscode.l10n.t('Sending "{0}" through {1}:{2}', composed.headers.subject, target.host, target.port), async (signal) => {
        const { deliverComposed } = await import('../core/send/deliver');
        const { result } = await deliverComposed(composed, source?.fsPath, target, await this.deps.outbox(), this.smtpOptions(signal));
        await this.deps.login.accepted(target);
        return this.deps.notifications.sent(composed.headers.subject, result);
      });
    } catch (e) {
      return this.failed(e, settings, account, { keptInOutbox: true });
    }
  }

  /**
   * Resends an outbox entry's exact bytes (same Message-ID), through the SMTP settings of the document it was composed
   * from (its workspace folder's, in a multi-root workspace), as the first send used them.
   */
  async retry(entryId: string): Promise<SendOutcome> {
    if (!this.deps.accounts.isTrusted()) return this.deps.notifications.untrusted();
    let settings = this.deps.accounts.settings();
    let account: Account | undefined;
    let source: string | undefined;
    let outcome: SendOutcome;
    try {
      const outbox = await this.deps.outbox();
      // A mail merge's row the server accepted (its record says so) is never sent again from here.
      const { settleMergeEntry } = await import('../core/merge/record');
      await settleMergeEntry(outbox, entryId);
      const recorded = await outbox.get(entryId);
      source = recorded?.source;
      settings = this.deps.accounts.settings(source ? vscode.Uri.file(source) : undefined);
      // The account the entry was sent with; an entry without one: the document's account as it reads now.
      account = recorded?.account ? this.deps.accounts.named(settings, recorded.account) : await this.accountOfSource(source, settings);
      const target = await this.target(account, settings, true);
      outcome = await this.withProgress(vscode.l10n.t('Retrying "{0}" through {1}:{2}', recorded?.subject ?? entryId, target.host, target.port), async (signal) => {
        const { retry } = await import('../core/send/deliver');
        const result = await retry(outbox, entryId, target, this.smtpOptions(signal));
        await this.deps.login.accepted(target);
        return this.deps.notifications.sent(recorded?.subject ?? entryId, result);
      });
    } catch (e) {
      outcome = await this.failed(e, settings, account, { keptInOutbox: true, entryId });
    }
    this.retryEmitter.fire({ entryId, source, outcome });
    return outcome;
  }

  /** Asks where (default: beside the source), writes the .eml, offers to reveal it. */
  async saveEml(composed: ComposedStream, source: vscode.Uri): Promise<vscode.Uri | undefined> {
    const base = path.basename(source.fsPath).replace(/\.(md|markdown|html?)$/i, '');
    const defaultUri = vscode.Uri.file(path.join(path.dirname(source.fsPath), `${base}.eml`));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: { [vscode.l10n.t('Email')]: ['eml'] }, saveLabel: vscode.l10n.t('Save .eml') });
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

  /**
   * Connects, negotiates TLS, logs in and reports what the server offered, without sending. `scope`: whose settings
   * (a document: its account, as a send would use it).
   */
  async testConnection(scope: vscode.Uri | undefined): Promise<VerifyResult | undefined> {
    const settings = this.deps.accounts.settings(scope);
    let account: Account | undefined;
    try {
      account = await this.accountOfSource(scope?.scheme === 'file' ? scope.fsPath : undefined, settings);
    } catch (e) {
      await this.failed(e, settings, undefined, { keptInOutbox: false });
      return undefined;
    }
    return this.testAccount(account, settings, () => this.testConnection(scope));
  }

  /** Tests `account` (one not saved yet: Add Account), reporting the outcome; undefined when it failed. */
  async testAccount(account: Account, settings: EmailSettings, again?: () => Promise<unknown>): Promise<VerifyResult | undefined> {
    try {
      const target = await this.target(account, settings, true);
      const result = await this.withProgress(vscode.l10n.t('Testing the connection to {0}:{1}', target.host, target.port), async (signal) => {
        const { verifySmtp } = await import('../core/send/smtp');
        return verifySmtp(target, this.smtpOptions(signal));
      });
      await this.deps.login.accepted(target);
      this.sizeLimit = result.sizeLimit;
      const parts = [
        vscode.l10n.t('Connected to {0}:{1}', result.host, result.port),
        result.tlsVersion ? vscode.l10n.t('over {0}', result.tlsVersion) : vscode.l10n.t('without TLS'),
        result.authenticated
          ? result.authMethod
            ? vscode.l10n.t('logged in as {0} with {1}', target.user, result.authMethod)
            : vscode.l10n.t('logged in as {0}', target.user)
          : vscode.l10n.t('no login'),
        result.authMethods.length ? vscode.l10n.t('the server offers AUTH {0}', result.authMethods.join(' ')) : vscode.l10n.t('no AUTH offered'),
        result.sizeLimit ? vscode.l10n.t('size limit {0}', formatBytes(result.sizeLimit)) : vscode.l10n.t('no size limit announced'),
      ];
      const named = account.name ? vscode.l10n.t('Account "{0}": ', account.name) : '';
      this.deps.notifications.info(named + vscode.l10n.t('{0}.', parts.join(vscode.l10n.t(', '))));
      return result;
    } catch (e) {
      await this.failed(e, settings, account, { keptInOutbox: false, again });
      return undefined;
    }
  }

  /** The SMTP target a document sends with: its account (account:, the workspace's switch, the default), asking for a password when needed. */
  async targetOf(document: vscode.TextDocument): Promise<SmtpTarget> {
    const { account } = await this.deps.accounts.forDocument(document);
    return this.target(account, this.deps.accounts.settings(document.uri), true);
  }

  /** The SMTP target of `account`: its server, with its password (stored, typed or asked when `ask`) or its OAuth token. */
  private async target(account: Account, settings: EmailSettings, ask: boolean): Promise<SmtpTarget> {
    const smtp = accountSmtpSettings(account, settings);
    if (account.auth === 'oauth2') {
      requireSmtpHost(smtp, vscode.l10n.t('Fill in the host of account "{0}" in sendAsEmail.accounts.', account.name));
      return { ...smtp, provider: account.provider, oauth2: await this.deps.oauth.credential(account) };
    }
    // The provider preset lets a refused login say the provider's rule (an app password, a 授权码) with its page.
    return { ...(await this.deps.login.target({ ...settings, smtp }, ask)), provider: account.provider };
  }

  /** The account a document on disk sends with as it reads now; without one, the scope's default. */
  private async accountOfSource(source: string | undefined, settings: EmailSettings): Promise<Account> {
    if (!source) return pickAccount(settings);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === source);
    if (open && isMailDocument(open)) {
      return (await this.deps.accounts.forDocument(open)).account;
    }
    if (!/\.(md|markdown|html?)$/i.test(source)) return pickAccount(settings);
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(source));
      return (await this.deps.accounts.forDocument(document)).account;
    } catch {
      return pickAccount(settings); // the source is gone: the default account
    }
  }

  /**
   * Reports a failure and returns at once: the outcome never waits for the user to answer the notification. After a
   * 535 of a password account, "Re-enter Password" asks for the password and tries again: a send retries its outbox
   * entry (the same message), a connection test tests again (`again`). A login refused for a reason a password does
   * not fix (the provider wants an app password, an authorization code or OAuth) offers that fix instead.
   */
  /**
   * A login refused while a merge of `document` sent: handled as a single send's refusal, with the document's account.
   * Re-enter Password asks and runs `again` (the merge, never one of its rows retried alone); the password is stored
   * once the server accepts it.
   */
  async loginFailed(document: vscode.TextDocument, e: unknown, again: () => Promise<unknown>): Promise<SendOutcome> {
    const { account } = await this.deps.accounts.forDocument(document);
    return this.failed(e, this.deps.accounts.settings(document.uri), account, { keptInOutbox: true, again });
  }

  private async failed(
    e: unknown,
    settings: EmailSettings,
    account: Account | undefined,
    o: { keptInOutbox: boolean; entryId?: string; again?: () => Promise<unknown> },
  ): Promise<SendOutcome> {
    if (isSendAsEmailError(e, ErrorCode.SMTP_CANCELLED)) return this.deps.notifications.cancelled(e);
    const err = toSendAsEmailError(e);
    const entryId = o.entryId ?? err.extra.outboxEntryId;
    const smtp = account ? accountSmtpSettings(account, settings) : settings.smtp;
    // A password the server refused: entering it again helps, unless the account must switch to OAuth or the admin act.
    if (err.code === ErrorCode.SMTP_AUTH_FAILED && account?.auth !== 'oauth2' && (!err.extra.fix || err.extra.fix.kind === 'openUrl')) {
      this.deps.login.refused(smtp);
      const again = o.again ?? (entryId ? () => this.retry(entryId) : undefined);
      void this.deps.notifications.authFailed(err).then(async (reenter) => {
        try {
          if (reenter && (await this.deps.login.reenter(smtp)) && again) await again();
        } catch (x) {
          this.deps.log.error(vscode.l10n.t('Trying again with the new password failed: {0}', x instanceof Error ? x.message : String(x)));
        }
      });
      return { status: 'failed', code: err.code, message: err.message, entryId };
    }
    if (err.code === ErrorCode.SMTP_AUTH_FAILED) this.deps.login.refused(smtp);
    const outcome = await this.deps.notifications.failed(err, o.keptInOutbox && entryId !== undefined, account);
    return outcome.status === 'failed' ? { ...outcome, entryId } : outcome;
  }

  /** What every connection gets: the log, Cancel, and the warning about unchecked certificates. */
  private smtpOptions(signal: AbortSignal): SmtpOptions {
    return { logger: transcriptAtInfo(this.deps.log), signal, onInsecureTls: (where) => this.deps.notifications.insecureTls(where) };
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

/**
 * The log of a send or a connection test: the SMTP transcript (which the core writes as detail, never with
 * credentials or the message body) at Info, so that Show Log shows it at the output channel's default level.
 */
function transcriptAtInfo(log: Logger): Logger {
  return { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: (m) => log.info(m) };
}

/** The editor's text (saved or not) as the core reads a document. */
function sourceOf(document: vscode.TextDocument): SourceDocument {
  return { path: document.uri.fsPath, text: document.getText(), kind: documentKind(document) };
}



