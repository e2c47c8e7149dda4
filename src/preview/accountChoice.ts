/**
 * The preview's account selector: which account this panel's document sends with. A choice made here lasts for the
 * panel's document (like the fields typed into the form) and wins over the document's `account:`; it travels to
 * compose and send as `HeaderOverrides.account`.
 */
import type * as vscode from 'vscode';
import type { Accounts } from '../vscode/accounts';
import { accountDetail, accountTitle } from '../vscode/accountStatus';
import type { CheckedFields } from './fields';
import type { AccountView } from './messages';

export class AccountChoice {
  private chosen: string | undefined;

  constructor(private readonly accounts: Accounts) {}

  /** Another document: its own account applies again. */
  reset(): void {
    this.chosen = undefined;
  }

  choose(name: string): void {
    this.chosen = name;
  }

  /** The form's overrides with the account chosen here, if any. */
  apply(checked: CheckedFields): CheckedFields {
    if (this.chosen === undefined) return checked;
    return { ...checked, overrides: { ...checked.overrides, account: this.chosen } };
  }

  /** The selector for a render composed with `composedAccount`; undefined while there is no named account to pick. */
  view(scope: vscode.Uri, composedAccount: string): AccountView | undefined {
    let all;
    try {
      all = this.accounts.list(scope);
    } catch {
      return undefined; // a broken accounts list: the compose error says so
    }
    if (!all.some((a) => a.name)) return undefined;
    return { options: all.map((a) => ({ value: a.name, label: accountTitle(a), detail: accountDetail(a) })), selected: composedAccount };
  }
}
