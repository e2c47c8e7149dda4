/**
 * What the user is told: one message per outcome, naming the thing, with the buttons that fix it. Each method shows
 * its message and acts on the button pressed; the log gets the details.
 */
import * as vscode from 'vscode';
import type { Account } from '../core/accounts/accounts';
import { ErrorCode, isSendAsEmailError, SendAsEmailError, toSendAsEmailError, type LoginFix } from '../core/errors';
import type { SendResult } from '../core/types';
import type { Log } from './log';
import type { Prompts } from './prompts';
import { openSettings } from './settings';

/** What a send ended with, for the preview panel to show (the notification is shown by `Notifications`). */
export type SendOutcome =
  | { status: 'sent'; result: SendResult }
  | { status: 'partial'; result: SendResult }
  /** `entryId`: the outbox entry that keeps the message for Retry, when there is one. */
  | { status: 'failed'; code: string; message: string; entryId?: string }
  | { status: 'cancelled'; message: string };

export const Button = {
  openSettings: vscode.l10n.t('Open Settings'),
  reenterPassword: vscode.l10n.t('Re-enter Password'),
  showLog: vscode.l10n.t('Show Log'),
  openOutbox: vscode.l10n.t('Open Outbox'),
  trust: vscode.l10n.t('Manage Workspace Trust'),
  reveal: vscode.l10n.t('Reveal in Explorer'),
  openHelp: vscode.l10n.t('Open Help Page'),
  enableSmtpAuth: vscode.l10n.t('How to Turn On SMTP AUTH'),
  switchToOAuth: vscode.l10n.t('Switch to Microsoft Sign-In'),
  addAccount: vscode.l10n.t('Add Account'),
} as const;

/** What Add Account is started with from a notification: the account to make again with Microsoft sign-in. */
export interface AddAccountRequest {
  switchToOAuth?: { name: string; user: string; from: string; provider?: string };
}

/** Which settings a failure points at, for the "Open Settings" button (none listed: all of the extension's). */
const SETTINGS_FOR: Partial<Record<ErrorCode, readonly string[]>> = {
  SMTP_NOT_CONFIGURED: ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.user'],
  SMTP_HOST_NOT_FOUND: ['smtp.host'],
  SMTP_CONNECTION_REFUSED: ['smtp.host', 'smtp.port', 'smtp.security'],
  SMTP_TIMEOUT: ['smtp.host', 'smtp.port', 'smtp.timeoutSeconds'],
  SMTP_TLS_FAILED: ['smtp.security', 'smtp.port'],
  SMTP_CERT_UNTRUSTED: ['smtp.caFile', 'smtp.rejectUnauthorized'],
  SMTP_STARTTLS_UNAVAILABLE: ['smtp.security', 'smtp.port'],
  SMTP_PLAINTEXT_AUTH_REFUSED: ['smtp.security'],
  NO_FROM: ['from'],
  NO_RECIPIENTS: ['to'],
  STYLESHEET_NOT_FOUND: ['markdown.stylesheet'],
  IMAGE_OUTSIDE_WORKSPACE: ['images.allowOutsideWorkspace'],
  SETTINGS_INVALID: [],
  ACCOUNT_NOT_FOUND: ['defaultAccount', 'accounts'],
};

/** Failures the guided Add Account flow fixes. */
const ADD_ACCOUNT_FIXES: readonly string[] = [ErrorCode.SMTP_NOT_CONFIGURED, ErrorCode.ACCOUNT_NOT_FOUND];

export class Notifications {
  /** The warning about unchecked certificates was shown in this session. */
  private insecureTlsShown = false;

  constructor(
    private readonly prompts: Prompts,
    private readonly log: Log,
    /** Opens a help page in the browser (Test mode records it instead). */
    private readonly openExternal: (uri: vscode.Uri) => Thenable<boolean> = (uri) => vscode.env.openExternal(uri),
  ) {}

  info(message: string): void {
    void this.prompts.info(message);
  }

  /** Delivered: to everyone, or to some with the others refused (for good, or for now and kept for Retry). */
  sent(subject: string, result: SendResult): SendOutcome {
    if (result.rejected.length === 0 && result.deferred.length === 0) {
      const n = result.accepted.length;
      this.log.info(vscode.l10n.t('Sent {0} to {1}: {2}', result.messageId, result.accepted.join(', '), result.response));
      void this.prompts.info(n === 1 ? vscode.l10n.t('Sent "{0}" to 1 recipient.', subject) : vscode.l10n.t('Sent "{0}" to {1} recipients.', subject, n));
      return { status: 'sent', result };
    }
    const refused = result.rejected.map((r) => `${r.address} (${r.response})`).join('; ');
    const deferred = result.deferred.map((r) => `${r.address} (${r.response})`).join('; ');
    this.log.warn(vscode.l10n.t('Partial delivery of {0}: refused {1}; refused for now {2}', result.messageId, refused || '-', deferred || '-'));
    const parts = [vscode.l10n.t('"{0}" was delivered to {1}.', subject, result.accepted.join(', ') || vscode.l10n.t('nobody'))];
    if (refused) parts.push(vscode.l10n.t('The server refused {0}.', refused));
    if (deferred) parts.push(vscode.l10n.t('It refused {0} for now: Retry in the outbox sends the message to them alone.', deferred));
    void this.prompts.warn(parts.join(' '), ...(deferred ? [Button.openOutbox] : []), Button.showLog).then((b) => {
      if (b === Button.openOutbox) void vscode.commands.executeCommand('sendAsEmail.openOutbox');
      else if (b === Button.showLog) this.log.show();
    });
    return { status: 'partial', result };
  }

  cancelled(e: SendAsEmailError): SendOutcome {
    this.log.info(e.message);
    void this.prompts.info(e.message);
    return { status: 'cancelled', message: e.message };
  }

  /**
   * A refused password: true when the user chose to enter it again. A provider that wants an app password or an
   * authorization code (授权码) also gets the button that opens its page (where the user makes one to enter here).
   */
  async authFailed(err: SendAsEmailError): Promise<boolean> {
    this.logError(err);
    const fix = err.extra.fix?.kind === 'openUrl' ? err.extra.fix : undefined;
    // The provider's rule travels as the hint: shown with its button.
    const message = fix && err.extra.hint && !err.message.includes(err.extra.hint) ? `${err.message} ${err.extra.hint}` : err.message;
    const choice = await this.prompts.error(message, ...(fix ? [Button.openHelp] : []), Button.reenterPassword, Button.showLog);
    if (choice === Button.showLog) this.log.show();
    if (fix && choice === Button.openHelp) await this.openExternal(vscode.Uri.parse(fix.url));
    return choice === Button.reenterPassword;
  }

  /**
   * Any other failure: the message with its hint; the login fix as the first button (a help page, the switch to
   * Microsoft sign-in, how to turn SMTP AUTH on); Add Account or Open Settings where they fix it; Open Outbox when the
   * message waits there. `account`: the account that failed (the switch to OAuth makes it again).
   */
  async failed(e: unknown, keptInOutbox = false, account?: Account): Promise<SendOutcome> {
    const err = toSendAsEmailError(e);
    this.logError(err);
    const buttons: string[] = [];
    const fix = err.extra.fix;
    const fixButton = fix ? fixLabel(fix) : undefined;
    if (fixButton) buttons.push(fixButton);
    if (ADD_ACCOUNT_FIXES.includes(err.code)) buttons.push(Button.addAccount);
    const setting = SETTINGS_FOR[err.code as ErrorCode];
    if (setting !== undefined) buttons.push(Button.openSettings);
    if (keptInOutbox && (err.code.startsWith('SMTP_') || err.code.startsWith('OUTBOX_')) && err.code !== ErrorCode.SMTP_NOT_CONFIGURED) {
      buttons.push(Button.openOutbox);
    }
    buttons.push(Button.showLog);
    const message = err.extra.hint && !err.message.includes(err.extra.hint) ? `${err.message} ${err.extra.hint}` : err.message;
    void this.prompts.error(message, ...buttons).then(async (choice) => {
      if (fix && choice === fixButton) await this.applyFix(fix, account);
      else if (choice === Button.addAccount) await vscode.commands.executeCommand('sendAsEmail.addAccount');
      else if (choice === Button.openSettings) await openSettings(setting);
      else if (choice === Button.openOutbox) await vscode.commands.executeCommand('sendAsEmail.openOutbox');
      else if (choice === Button.showLog) this.log.show();
    });
    return { status: 'failed', code: err.code, message: err.message };
  }

  /** A compose failure (missing image, bad address...): names each problem; a button jumps to the first line. */
  async composeFailed(e: unknown, document: vscode.TextDocument): Promise<void> {
    const err = toSendAsEmailError(e);
    this.logError(err);
    const line = err.problems.find((p) => p.line !== undefined)?.line;
    const goTo = line !== undefined ? vscode.l10n.t('Go to Line {0}', line) : undefined;
    const setting = SETTINGS_FOR[err.code as ErrorCode];
    const buttons = [goTo, setting !== undefined ? Button.openSettings : undefined, Button.showLog].filter((b): b is string => !!b);
    const choice = await this.prompts.error(err.message, ...buttons);
    if (choice && choice === goTo && line !== undefined) {
      const pos = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(pos, pos) });
    } else if (choice === Button.openSettings) {
      await openSettings(setting);
    } else if (choice === Button.showLog) {
      this.log.show();
    }
  }

  /** Sending from an untrusted workspace is refused (its settings could redirect the password). */
  untrusted(): SendOutcome {
    const message = vscode.l10n.t(
      'This workspace is not trusted, so Send as Email will not send from it: trust the workspace first (its SMTP settings could redirect your password).',
    );
    void this.prompts.warn(message, Button.trust).then((b) => {
      if (b === Button.trust) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { status: 'failed', code: ErrorCode.WORKSPACE_UNTRUSTED, message };
  }

  /** Certificates not checked (rejectUnauthorized false): once per session; the log has every connection. */
  insecureTls(where: string): void {
    if (this.insecureTlsShown) return;
    this.insecureTlsShown = true;
    void this.prompts
      .warn(
        vscode.l10n.t(
          'Certificates are not checked for {0} (sendAsEmail.smtp.rejectUnauthorized is false): anyone on the network path could read your password and mail.',
          where,
        ),
        Button.openSettings,
      )
      .then((b) => {
        if (b === Button.openSettings) void openSettings(['smtp.rejectUnauthorized', 'smtp.caFile']);
      });
  }

  /** The fix of a refused login: its page, or Add Account again with Microsoft sign-in for the same account. */
  private async applyFix(fix: LoginFix, account: Account | undefined): Promise<void> {
    if (fix.kind === 'switchToOAuth') {
      const request: AddAccountRequest = account
        ? { switchToOAuth: { name: account.name, user: account.user, from: account.from, provider: account.provider } }
        : {};
      await vscode.commands.executeCommand('sendAsEmail.addAccount', request);
      return;
    }
    await this.openExternal(vscode.Uri.parse(fix.url));
  }

  private logError(err: SendAsEmailError): void {
    this.log.error(`${err.code}: ${err.message}${err.extra.serverResponse ? ` [server: ${err.extra.serverResponse}]` : ''}`);
    for (const p of err.problems) this.log.error(`  ${p.code}: ${p.message}`);
  }
}

export { isSendAsEmailError };

/** The button a login fix shows. */
function fixLabel(fix: LoginFix): string {
  switch (fix.kind) {
    case 'openUrl':
      return Button.openHelp;
    case 'enableSmtpAuth':
      return Button.enableSmtpAuth;
    case 'switchToOAuth':
      return Button.switchToOAuth;
  }
}
