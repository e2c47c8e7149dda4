/**
 * The status bar item that shows the account the active document sends with (or, with no document, the workspace's
 * default), shown once there is a named account; clicking it runs Email: Switch Account.
 */
import * as vscode from 'vscode';
import { accountLabel, pickAccount, type Account } from '../core/accounts/accounts';
import type { Accounts } from './accounts';
import { isMailDocument } from './mailDocument';

/** How a document's account is shown: its name, or the legacy SMTP settings' server. */
export function accountTitle(account: Account): string {
  return account.name || vscode.l10n.t('SMTP settings');
}

/** What the account is, in one line: who at which server, how it logs in. */
export function accountDetail(account: Account): string {
  const who = account.user || account.from || vscode.l10n.t('(no login)');
  const how = account.auth === 'oauth2' ? (account.oauth2?.tokenCommand ? vscode.l10n.t('token command') : vscode.l10n.t('Microsoft sign-in')) : vscode.l10n.t('password');
  return vscode.l10n.t('{0} at {1}:{2}, {3}', who, account.host || vscode.l10n.t('(no host)'), account.port, how);
}

export class AccountStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Increases with each update: an older, slower one never overwrites a newer one. */
  private seq = 0;
  private shown: { text: string; account: string | undefined } = { text: '', account: undefined };

  constructor(private readonly accounts: Accounts) {
    this.item = vscode.window.createStatusBarItem('sendAsEmail.account', vscode.StatusBarAlignment.Right, 100);
    this.item.name = vscode.l10n.t('Send as Email Account');
    this.item.command = 'sendAsEmail.switchAccount';
    this.disposables.push(
      this.item,
      accounts.onDidChange(() => void this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document && e.contentChanges.length > 0) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.update(), 300);
        }
      }),
    );
    void this.update();
  }

  /** What the item shows now: its text and the account's name (undefined while hidden). */
  state(): { text: string; account: string | undefined } {
    return this.shown;
  }

  /** Shows the active document's account; hidden while no named account exists (the single SMTP settings need no switch). */
  async update(): Promise<void> {
    const seq = ++this.seq;
    const document = vscode.window.activeTextEditor?.document;
    const scope = document?.uri.scheme === 'file' ? document.uri : vscode.workspace.workspaceFolders?.[0]?.uri;
    let text: string;
    let tooltip: string;
    let account: Account | undefined;
    try {
      const all = this.accounts.list(scope);
      if (!all.some((a) => a.name)) return this.hide(seq);
      const mail = document && isMailDocument(document) ? await this.accounts.forDocument(document) : undefined;
      account = mail?.account ?? pickAccount(this.accounts.settings(scope));
      text = `$(mail) ${accountTitle(account)}`;
      const why = mail?.fromDocument ? vscode.l10n.t('named by the document') : vscode.l10n.t('the default for this workspace');
      tooltip = vscode.l10n.t('Sends with account {0} ({1}): {2}. Click to switch.', accountLabel(account), why, accountDetail(account));
    } catch (e) {
      // A document naming an account that does not exist, or a broken accounts list: shown, not hidden.
      text = `$(warning) ${vscode.l10n.t('No account')}`;
      tooltip = e instanceof Error ? e.message : String(e);
    }
    if (seq !== this.seq) return;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
    this.shown = { text, account: account?.name };
  }

  dispose(): void {
    clearTimeout(this.timer);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private hide(seq: number): void {
    if (seq !== this.seq) return;
    this.item.hide();
    this.shown = { text: '', account: undefined };
  }
}
