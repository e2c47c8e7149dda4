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

/**
 * Opens the Settings editor (User tab) on exactly the settings named (keys below `sendAsEmail.`), by their ids; with
 * none, on all of the extension's settings. Our settings are read from User settings in local and remote windows
 * alike (their scope is `resource` or `window`), so the User tab shows them.
 */
export function openSettings(keys: readonly string[] = []): Thenable<unknown> {
  const query = keys.length > 0 ? keys.map((k) => `@id:${SETTINGS_SECTION}.${k}`).join(' ') : `@ext:${EXTENSION_ID}`;
  return vscode.commands.executeCommand('workbench.action.openSettings', { query });
}

/** publisher.name in package.json. */
export const EXTENSION_ID = 'send-as-email.send-as-email';
