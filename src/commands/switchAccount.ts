import * as vscode from 'vscode';
import type { Account } from '../core/accounts/accounts';
import type { Accounts } from '../vscode/accounts';
import { accountDetail, accountTitle } from '../vscode/accountStatus';
import type { Notifications } from '../vscode/notifications';
import type { Prompts } from '../vscode/prompts';

interface AccountItem extends vscode.QuickPickItem {
  /** An account's name ('' = the SMTP settings), null = back to the default, undefined = Add Account. */
  choice: string | null | undefined;
}

/**
 * Email: Switch Account (the status bar item runs it): the account documents that name none send with in this
 * workspace. A document's own `account:` still wins: it says which account it is written for.
 */
export function switchAccountCommand(deps: { accounts: Accounts; prompts: Prompts; notifications: Notifications }) {
  return async (): Promise<string | undefined> => {
    const active = vscode.window.activeTextEditor?.document;
    const scope = active?.uri.scheme === 'file' ? active.uri : vscode.workspace.workspaceFolders?.[0]?.uri;
    let all: Account[];
    try {
      all = deps.accounts.list(scope);
    } catch (e) {
      await deps.notifications.failed(e);
      return undefined;
    }
    const chosen = deps.accounts.chosen();
    const items: AccountItem[] = all.map((a) => ({
      label: accountTitle(a),
      description: a.name === chosen ? vscode.l10n.t('(current)') : undefined,
      detail: accountDetail(a),
      choice: a.name,
    }));
    items.push({ label: vscode.l10n.t('Use the default account'), detail: vscode.l10n.t('sendAsEmail.defaultAccount, or the SMTP settings'), choice: null });
    items.push({ label: vscode.l10n.t('Add Account…'), choice: undefined });
    const pick = await deps.prompts.pick(items, { title: vscode.l10n.t('Send with which account?'), placeHolder: vscode.l10n.t('Documents that name no account send with it in this workspace') });
    if (!pick) return undefined;
    if (pick.choice === undefined) {
      await vscode.commands.executeCommand('sendAsEmail.addAccount');
      return undefined;
    }
    await deps.accounts.choose(pick.choice ?? undefined);
    return pick.choice ?? undefined;
  };
}
