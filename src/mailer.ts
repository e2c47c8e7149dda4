import * as path from 'path';
import * as vscode from 'vscode';
import { readSettings, workspaceFolderPaths, openSettings } from './config';
import { ErrorCode, isSendAsEmailError, SendAsEmailError } from './core/errors';
import { formatBytes } from './core/format';
import type { ReadCache } from './core/assets';
import type { ComposedMessage, ComposeOptions, HeaderOverrides, PreviewMessage, SendResult, SmtpTarget, SourceDocument, VerifyResult } from './core/types';
import type { EmailSettings } from './core/settings';
import type { Outbox } from './core/outbox';
import type { SmtpOptions } from './core/smtp';
import type { Log } from './log';
import { SmtpSecrets } from './secrets';
import type { MailService, SendOutcome } from './mailService';
import type { Prompts } from './ui';

export const Button = {
  openSettings: 'Open Settings',
  reenterPassword: 'Re-enter Password',
  showLog: 'Show Log',
  openOutbox: 'Open Outbox',
  retry: 'Retry',
  trust: 'Manage Workspace Trust',
  reveal: 'Reveal in Explorer',
} as const;

export interface MailerDeps {
  secrets: SmtpSecrets;
  outbox: () => Promise<Outbox>;
  log: Log;
  prompts: Prompts;
}

/** Which setting a failure points at, for the "Open Settings" button. */
const SETTING_FOR: Partial<Record<ErrorCode, string>> = {
  SMTP_NOT_CONFIGURED: 'smtp.host',
  SMTP_HOST_NOT_FOUND: 'smtp.host',
  SMTP_CONNECTION_REFUSED: 'smtp',
  SMTP_TIMEOUT: 'smtp',
  SMTP_TLS_FAILED: 'smtp.security',
  SMTP_CERT_UNTRUSTED: 'smtp.caFile',
  SMTP_STARTTLS_UNAVAILABLE: 'smtp.security',
  SMTP_PLAINTEXT_AUTH_REFUSED: 'smtp.security',
  NO_FROM: 'from',
  NO_RECIPIENTS: 'to',
  STYLESHEET_NOT_FOUND: 'markdown.stylesheet',
  IMAGE_OUTSIDE_WORKSPACE: 'images.allowOutsideWorkspace',
  SETTINGS_INVALID: '',
};

/** Composes documents and sends them: the VS Code side of the core (settings, secrets, progress, messages). */
export class Mailer implements MailService {
  private sizeLimit: number | undefined;
  /** The warning about unchecked certificates was shown in this session. */
  private insecureTlsShown = false;

  constructor(private readonly deps: MailerDeps) {}

  knownSizeLimit(): number | undefined {
    return this.sizeLimit;
  }

  async compose(
    document: vscode.TextDocument,
    overrides?: HeaderOverrides,
    options: { lenient?: boolean } = {},
  ): Promise<ComposedMessage> {
    const { composeMessage } = await import('./core/compose');
    return composeMessage(sourceOf(document), { ...composeOptions(document, overrides), lenient: options.lenient });
  }

  async composePreview(document: vscode.TextDocument, overrides: HeaderOverrides | undefined, readCache: ReadCache): Promise<PreviewMessage> {
    const { composePreview } = await import('./core/compose');
    return composePreview(sourceOf(document), { ...composeOptions(document, overrides), lenient: true, readCache });
  }

  async send(composed: ComposedMessage, source?: vscode.Uri): Promise<SendOutcome> {
    const untrusted = this.refuseUntrusted();
    if (untrusted) return untrusted;
    const settings = readSettings(source);
    try {
      if (composed.envelope.to.length === 0) {
        throw new SendAsEmailError(
          ErrorCode.NO_RECIPIENTS,
          `"${composed.headers.subject}" has no recipients: add "to:" to the front matter, fill in To in the preview, or set sendAsEmail.to.`,
        );
      }
      const target = await this.target(settings, true);
      return await this.withProgress(`Sending "${composed.headers.subject}"`, target, async (signal) => {
        const { deliver } = await import('./core/deliver');
        const outbox = await this.deps.outbox();
        const { result } = await deliver(
          {
            raw: composed.raw,
            messageId: composed.messageId,
            envelope: composed.envelope,
            subject: composed.headers.subject,
            source: source?.fsPath,
          },
          target,
          outbox,
          this.smtpOptions(signal),
        );
        await this.rememberPassword(target);
        return this.reportSent(composed.headers.subject, result);
      });
    } catch (e) {
      return this.reportFailure(e, settings, composed);
    }
  }

  /** Sending from an untrusted workspace is refused (its settings could redirect the password): says so, with the button. */
  private refuseUntrusted(): SendOutcome | undefined {
    if (vscode.workspace.isTrusted) return undefined;
    const message =
      'This workspace is not trusted, so Send as Email will not send from it: trust the workspace first (its SMTP settings could redirect your password).';
    void this.deps.prompts.warn(message, Button.trust).then((b) => {
      if (b === Button.trust) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { status: 'failed', code: ErrorCode.WORKSPACE_UNTRUSTED, message };
  }

  /**
   * Resends an outbox entry's exact bytes (same Message-ID), through the SMTP settings of the document it was composed
   * from (its workspace folder's, in a multi-root workspace), as the first send used them.
   */
  async retry(entryId: string): Promise<SendOutcome> {
    const untrusted = this.refuseUntrusted();
    if (untrusted) return untrusted;
    let settings: EmailSettings | undefined;
    try {
      const recorded = await (await this.deps.outbox()).get(entryId);
      settings = readSettings(recorded?.source ? vscode.Uri.file(recorded.source) : undefined);
      const target = await this.target(settings, true);
      return await this.withProgress('Retrying message', target, async (signal) => {
        const { retry } = await import('./core/deliver');
        const outbox = await this.deps.outbox();
        const entry = await outbox.get(entryId);
        const result = await retry(outbox, entryId, target, this.smtpOptions(signal));
        await this.rememberPassword(target);
        return this.reportSent(entry?.subject ?? entryId, result);
      });
    } catch (e) {
      return this.reportFailure(e, settings ?? readSettings(), undefined, entryId);
    }
  }

  async saveEml(composed: ComposedMessage, source: vscode.Uri): Promise<vscode.Uri | undefined> {
    const base = path.basename(source.fsPath).replace(/\.(md|markdown|html?)$/i, '');
    const defaultUri = vscode.Uri.file(path.join(path.dirname(source.fsPath), `${base}.eml`));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: { Email: ['eml'] }, saveLabel: 'Save .eml' });
    if (!target) return undefined;
    await this.writeEml(composed, target);
    void this.deps.prompts.info(`Saved "${composed.headers.subject}" to ${target.fsPath}.`, Button.reveal).then((b) => {
      if (b === Button.reveal) void vscode.commands.executeCommand('revealFileInOS', target);
    });
    return target;
  }

  async writeEml(composed: ComposedMessage, target: vscode.Uri): Promise<void> {
    const { writeEml } = await import('./core/eml');
    await writeEml(target.fsPath, composed.raw);
    this.deps.log.info(`Saved ${composed.raw.length} bytes to ${target.fsPath}`);
  }

  /** Connects, negotiates TLS, logs in and reports what the server offered, without sending. `scope`: the document whose settings apply. */
  async testConnection(scope?: vscode.Uri): Promise<VerifyResult | undefined> {
    const settings = readSettings(scope);
    try {
      const target = await this.target(settings, true);
      const result = await this.withProgress(`Testing ${target.host}:${target.port}`, target, async (signal) => {
        const { verifySmtp } = await import('./core/smtp');
        return verifySmtp(target, this.smtpOptions(signal));
      });
      await this.rememberPassword(target);
      this.sizeLimit = result.sizeLimit;
      const parts = [
        `Connected to ${result.host}:${result.port}`,
        result.tlsVersion ? `over ${result.tlsVersion}` : 'without TLS',
        result.authenticated ? `logged in as ${target.user}` : 'no login',
        result.authMethods.length ? `AUTH ${result.authMethods.join(' ')}` : 'no AUTH offered',
        result.sizeLimit ? `size limit ${formatBytes(result.sizeLimit)}` : 'no size limit announced',
      ];
      void this.deps.prompts.info(`${parts.join(', ')}.`);
      return result;
    } catch (e) {
      await this.reportFailure(e, settings);
      return undefined;
    }
  }

  /** Asks for the SMTP password and stores it (Set SMTP Password), for the server `scope`'s settings name. */
  async setPassword(scope?: vscode.Uri): Promise<boolean> {
    const s = readSettings(scope).smtp;
    if (!s.host || !s.user) {
      await this.showError(
        new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, 'Set sendAsEmail.smtp.host and sendAsEmail.smtp.user before storing a password.'),
      );
      return false;
    }
    const pw = await this.deps.prompts.password(`Password for ${s.user} at ${s.host}:${s.port}`);
    if (!pw) return false;
    await this.deps.secrets.store(s, pw);
    void this.deps.prompts.info(`Stored the SMTP password for ${s.user} at ${s.host}:${s.port} in Secret Storage.`);
    return true;
  }

  async clearPassword(scope?: vscode.Uri): Promise<void> {
    const s = readSettings(scope).smtp;
    await this.deps.secrets.delete(s);
    void this.deps.prompts.info(`Cleared the stored SMTP password for ${s.user || '(no user)'} at ${s.host || '(no host)'}:${s.port}.`);
  }

  /** A compose failure (missing image, bad address...): the message names each problem; a button jumps to the first line. */
  async showComposeError(e: unknown, document: vscode.TextDocument): Promise<void> {
    const err = toError(e);
    this.deps.log.error(`${err.code}: ${err.message}`);
    for (const p of err.problems) this.deps.log.error(`  ${p.code}: ${p.message}`);
    const line = err.problems.find((p) => p.line !== undefined)?.line;
    const goTo = line !== undefined ? `Go to Line ${line}` : undefined;
    const setting = SETTING_FOR[err.code];
    const buttons = [goTo, setting !== undefined ? Button.openSettings : undefined, Button.showLog].filter((b): b is string => !!b);
    const choice = await this.deps.prompts.error(err.message, ...buttons);
    if (choice && choice === goTo && line !== undefined) {
      const pos = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(pos, pos) });
    } else if (choice === Button.openSettings) {
      await openSettings(setting);
    } else if (choice === Button.showLog) {
      this.deps.log.show();
    }
  }

  // ---- internals

  /** The SMTP target with its password: stored one, or asked for (kept only once the server accepts it). */
  private pendingPassword: { key: string; password: string } | undefined;

  private async target(settings: EmailSettings, askPassword: boolean): Promise<SmtpTarget> {
    const s = settings.smtp;
    if (!s.host) {
      throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, 'No SMTP server is set: fill in sendAsEmail.smtp.host (and port, security, user).');
    }
    let password: string | undefined;
    this.pendingPassword = undefined;
    if (s.user) {
      password = await this.deps.secrets.get(s);
      if (!password && askPassword) {
        password = await this.deps.prompts.password(`Password for ${s.user} at ${s.host}:${s.port}`);
        if (!password) {
          throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, `No password for ${s.user} at ${s.host}:${s.port}; nothing was sent.`);
        }
        this.pendingPassword = { key: SmtpSecrets.key(s), password };
      }
      this.deps.log.redact(password, s.user);
    }
    return { ...s, password };
  }

  /** What every connection gets: the log, Cancel, and a warning shown once per session when certificates are not checked. */
  private smtpOptions(signal: AbortSignal): SmtpOptions {
    return {
      logger: this.deps.log,
      signal,
      onInsecureTls: (where) => {
        if (this.insecureTlsShown) return;
        this.insecureTlsShown = true;
        void this.deps.prompts
          .warn(`Certificates are not checked for ${where} (sendAsEmail.smtp.rejectUnauthorized is false): anyone on the network path could read your password and mail.`, Button.openSettings)
          .then((b) => {
            if (b === Button.openSettings) void openSettings('smtp.rejectUnauthorized');
          });
      },
    };
  }

  private async rememberPassword(target: SmtpTarget): Promise<void> {
    const p = this.pendingPassword;
    this.pendingPassword = undefined;
    if (p && p.key === SmtpSecrets.key(target)) {
      await this.deps.secrets.store(target, p.password);
      this.deps.log.info(`Stored the password for ${target.user} at ${target.host}:${target.port} (the server accepted it).`);
    }
  }

  private withProgress<T>(title: string, target: SmtpTarget, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `${title} via ${target.host}:${target.port}`, cancellable: true },
        (_progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          return work(controller.signal).finally(() => sub.dispose());
        },
      ),
    );
  }

  private reportSent(subject: string, result: SendResult): SendOutcome {
    if (result.rejected.length === 0 && result.deferred.length === 0) {
      const n = result.accepted.length;
      this.deps.log.info(`Sent ${result.messageId} to ${result.accepted.join(', ')}: ${result.response}`);
      void this.deps.prompts.info(`Sent "${subject}" to ${n} recipient${n === 1 ? '' : 's'}.`);
      return { status: 'sent', result };
    }
    const refused = result.rejected.map((r) => `${r.address} (${r.response})`).join('; ');
    const deferred = result.deferred.map((r) => `${r.address} (${r.response})`).join('; ');
    this.deps.log.warn(`Partial delivery of ${result.messageId}:${refused ? ` refused ${refused}` : ''}${deferred ? ` refused for now ${deferred}` : ''}`);
    const them = result.deferred.length === 1 ? 'that recipient' : 'them';
    void this.deps.prompts.warn(
      `"${subject}" was delivered to ${result.accepted.join(', ')}${refused ? `, but the server refused ${refused}` : ''}${
        deferred ? `${refused ? ';' : ', but'} the server refused ${deferred} for now: Retry in the outbox sends it to ${them} alone` : ''
      }.`,
      ...(deferred ? [Button.openOutbox] : []),
      Button.showLog,
    ).then((b) => {
      if (b === Button.openOutbox) void vscode.commands.executeCommand('sendAsEmail.openOutbox');
      else if (b === Button.showLog) this.deps.log.show();
    });
    return { status: 'partial', result };
  }

  /** Says what failed; `settings` are the ones the attempt used (Re-enter Password stores for that very server). */
  private async reportFailure(e: unknown, settings: EmailSettings, composed?: ComposedMessage, entryId?: string): Promise<SendOutcome> {
    if (isSendAsEmailError(e, ErrorCode.SMTP_CANCELLED)) {
      this.deps.log.info(e.message);
      void this.deps.prompts.info(e.message);
      return { status: 'cancelled', message: e.message };
    }
    const err = toError(e);
    this.deps.log.error(`${err.code}: ${err.message}${err.extra.serverResponse ? ` [server: ${err.extra.serverResponse}]` : ''}`);
    if (err.code === ErrorCode.SMTP_AUTH_FAILED) {
      const s = settings.smtp;
      const choice = await this.deps.prompts.error(err.message, Button.reenterPassword, Button.showLog);
      if (choice === Button.reenterPassword) {
        await this.deps.secrets.delete(s);
        // The failed send kept its message in the outbox: the error names the entry.
        const id = entryId ?? err.extra.outboxEntryId;
        if (id) return this.retry(id);
      } else if (choice === Button.showLog) {
        this.deps.log.show();
      }
      return { status: 'failed', code: err.code, message: err.message };
    }
    void this.showError(err, composed !== undefined || entryId !== undefined);
    return { status: 'failed', code: err.code, message: err.message };
  }

  private async showError(err: SendAsEmailError, keptInOutbox = false): Promise<void> {
    const buttons: string[] = [];
    const setting = SETTING_FOR[err.code];
    if (setting !== undefined) buttons.push(Button.openSettings);
    if (keptInOutbox && err.code.startsWith('SMTP_') && err.code !== ErrorCode.SMTP_NOT_CONFIGURED) buttons.push(Button.openOutbox);
    buttons.push(Button.showLog);
    const message = err.extra.hint && !err.message.includes(err.extra.hint) ? `${err.message} ${err.extra.hint}` : err.message;
    const choice = await this.deps.prompts.error(message, ...buttons);
    if (choice === Button.openSettings) await openSettings(setting);
    else if (choice === Button.openOutbox) await vscode.commands.executeCommand('sendAsEmail.openOutbox');
    else if (choice === Button.showLog) this.deps.log.show();
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

function toError(e: unknown): SendAsEmailError {
  if (e instanceof SendAsEmailError) return e;
  if (e instanceof Error && e.name === 'SettingsError') return new SendAsEmailError(ErrorCode.SETTINGS_INVALID, e.message);
  return new SendAsEmailError(ErrorCode.SMTP_REJECTED, e instanceof Error ? e.message : String(e), { cause: e });
}
