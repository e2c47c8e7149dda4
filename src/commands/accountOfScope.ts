import * as vscode from 'vscode';
import { accountSmtpSettings, pickAccount, type Account } from '../core/accounts/accounts';
import type { SmtpSettings } from '../core/settings';
import type { Accounts } from '../vscode/accounts';
import { isMailDocument } from '../vscode/mailDocument';

/**
 * The account a command about a password acts on: the document's (its `account:`, the workspace's switch, the
 * default) when the scope is an open Markdown or HTML document, else the scope's default; with its server settings.
 */
export async function accountOfScope(accounts: Accounts, scope: vscode.Uri | undefined): Promise<{ account: Account; smtp: SmtpSettings }> {
  const settings = accounts.settings(scope);
  const document = scope ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === scope.toString()) : undefined;
  const mail = document && isMailDocument(document);
  const account = mail ? (await accounts.forDocument(document)).account : pickAccount(settings);
  return { account, smtp: accountSmtpSettings(account, settings) };
}
