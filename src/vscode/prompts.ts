import * as vscode from 'vscode';

/**
 * The few places the extension asks the user something: `vscode.window` (in Test mode the composition root takes
 * scripted answers instead, since a notification button cannot be clicked from a test).
 */
export interface Prompts {
  info(message: string, ...buttons: string[]): Thenable<string | undefined>;
  warn(message: string, ...buttons: string[]): Thenable<string | undefined>;
  error(message: string, ...buttons: string[]): Thenable<string | undefined>;
  password(prompt: string): Thenable<string | undefined>;
}

export const windowPrompts: Prompts = {
  info: (m, ...b) => vscode.window.showInformationMessage(m, ...b),
  warn: (m, ...b) => vscode.window.showWarningMessage(m, ...b),
  error: (m, ...b) => vscode.window.showErrorMessage(m, ...b),
  password: (prompt) =>
    vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true, placeHolder: vscode.l10n.t('SMTP password') }),
};
