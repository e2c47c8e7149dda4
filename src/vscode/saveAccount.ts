/** Writes an account into `sendAsEmail.accounts` at the settings level the user chose (never a secret: those go to SecretStorage). */
import * as vscode from 'vscode';
import type { AccountSetting } from '../core/settings';

export type AccountLevel = 'user' | 'workspace' | 'folder';

const TARGET: Record<AccountLevel, vscode.ConfigurationTarget> = {
  user: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
  folder: vscode.ConfigurationTarget.WorkspaceFolder,
};

/** Adds `entry` to the accounts of `level` (`scope`: the folder, for `folder`), replacing one of the same name there. */
export async function saveAccount(entry: AccountSetting & { name: string }, level: AccountLevel, scope?: vscode.Uri): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('sendAsEmail', scope);
  const values = cfg.inspect<AccountSetting[]>('accounts');
  const current = (level === 'user' ? values?.globalValue : level === 'workspace' ? values?.workspaceValue : values?.workspaceFolderValue) ?? [];
  const others = current.filter((a) => a.name !== entry.name);
  const at = current.findIndex((a) => a.name === entry.name);
  const next = at === -1 ? [...others, entry] : [...others.slice(0, at), entry, ...others.slice(at)];
  await cfg.update('accounts', next, TARGET[level]);
}
