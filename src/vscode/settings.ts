import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION, settingsFromLookup, type EmailSettings } from '../core/settings';

const RESTRICTED = new Set(SETTINGS.filter((s) => s.restricted).map((s) => s.key));

/**
 * The `sendAsEmail.*` settings as the core wants them, for a document's scope. In an untrusted workspace (`trusted`
 * false) a restricted key (the accounts, the server, the sender...: package.json restrictedConfigurations) takes only
 * the user's value: VS Code drops such workspace values itself, and this says so in our own code too, so that no
 * repository's `.vscode/settings.json` can point a stored password or token at its own server.
 */
export function readSettings(scope?: vscode.Uri, trusted: boolean = vscode.workspace.isTrusted): EmailSettings {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return settingsFromLookup((key) => {
    if (trusted || !RESTRICTED.has(key)) return cfg.get(key);
    const values = cfg.inspect(key);
    return values?.globalValue ?? values?.defaultValue;
  });
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
