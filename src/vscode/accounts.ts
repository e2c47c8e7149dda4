/**
 * Which account a document sends with, in VS Code: the settings of the document's scope (honouring Workspace Trust),
 * the document's own `account:`, and the account the user switched to in this workspace (the status bar item).
 */
import * as vscode from 'vscode';
import { documentKind } from './mailDocument';
import { legacyAccount, listAccounts, pickAccount, type Account } from '../core/accounts/accounts';
import { documentAccountName } from '../core/source/documentAccount';
import type { EmailSettings } from '../core/settings';
import { readSettings } from './settings';

/** workspaceState key of the account switched to with the status bar item ('' = the sendAsEmail.smtp.* account). */
const CHOSEN_KEY = 'sendAsEmail.chosenAccount';

export interface AccountsDeps {
  /** Per-workspace storage of the extension (context.workspaceState). */
  state: vscode.Memento;
  /** Whether the workspace is trusted (Test mode can play an untrusted one). */
  trusted(): boolean;
}

/** The account a document sends with, and how it got it. */
export interface ActiveAccount {
  account: Account;
  /** The document names it (`account:` / `email:account`). */
  fromDocument: boolean;
  /** Every account the document's scope has, in settings order (the legacy one last). */
  all: Account[];
}

export class Accounts implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** The accounts, the default or the workspace's choice changed. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deps: AccountsDeps) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sendAsEmail')) this.changeEmitter.fire();
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  isTrusted(): boolean {
    return this.deps.trusted();
  }

  /**
   * The settings of `scope`, with the account switched to in this workspace as the default (a document's own
   * `account:` still wins). A choice the scope does not have (another folder's account) is left out.
   */
  settings(scope?: vscode.Uri): EmailSettings {
    const settings = readSettings(scope, this.deps.trusted());
    const chosen = this.chosen();
    if (chosen === undefined) return settings;
    try {
      const exists = chosen === '' ? settings.smtp.host.trim() !== '' : listAccounts(settings).some((a) => a.name === chosen);
      return exists ? { ...settings, defaultAccount: chosen } : settings;
    } catch {
      return settings; // an invalid accounts list is reported where it is used
    }
  }

  /** The account switched to in this workspace: a name, '' for the sendAsEmail.smtp.* one, undefined when none. */
  chosen(): string | undefined {
    return this.deps.state.get<string>(CHOSEN_KEY);
  }

  /**
   * Switches the workspace to `name` (undefined: back to sendAsEmail.defaultAccount). Kept in workspaceState, not in
   * a settings file: a switch is an everyday, reversible choice, and writing it would either change a repository's
   * shared `.vscode/settings.json` or the user's settings for every other window. It lasts across reloads of this
   * workspace, like the editor's other per-workspace choices.
   */
  async choose(name: string | undefined): Promise<void> {
    await this.deps.state.update(CHOSEN_KEY, name);
    this.changeEmitter.fire();
  }

  /** Every account of `scope` (throws SETTINGS_INVALID naming a bad entry). */
  list(scope?: vscode.Uri): Account[] {
    return listAccounts(this.settings(scope));
  }

  /** The account named `name` in `settings` ('' = the sendAsEmail.smtp.* one): what a composed message names. */
  named(settings: EmailSettings, name: string): Account {
    return name === '' ? legacyAccount(settings) : pickAccount(settings, name);
  }

  /** The account `document` sends with (its `account:`, the workspace's choice, the default...); throws ACCOUNT_NOT_FOUND. */
  async forDocument(document: vscode.TextDocument, override?: string): Promise<ActiveAccount> {
    const settings = this.settings(document.uri);
    const all = listAccounts(settings);
    // The document is only read for its account when it could name one: no HTML parser loads for nothing.
    const named = override ?? (settings.accounts.length > 0 ? await documentAccountName(document.getText(), documentKind(document)) : undefined);
    return { account: pickAccount(settings, named), fromDocument: override === undefined && named !== undefined, all };
  }
}

