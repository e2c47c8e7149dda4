import * as vscode from 'vscode';
import { SETTINGS_SECTION, settingsFromLookup, type EmailSettings } from '../core/settings';

/** The `sendAsEmail.*` settings as the core wants them, for a document's scope. */
export function readSettings(scope?: vscode.Uri): EmailSettings {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return settingsFromLookup((key) => cfg.get(key));
}

/** Absolute paths of the open workspace folders (local images must live below one of them). */
export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Opens the Settings editor filtered to one of our keys. */
export function openSettings(key = ''): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.${key}`);
}
