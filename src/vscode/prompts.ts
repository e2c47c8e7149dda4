import * as vscode from 'vscode';

/**
 * The places the extension asks the user something: `vscode.window` (in Test mode the composition root takes
 * scripted answers instead, since a notification button, a quick pick or an input box cannot be answered from a test).
 */
export interface Prompts {
  info(message: string, ...buttons: string[]): Thenable<string | undefined>;
  warn(message: string, ...buttons: string[]): Thenable<string | undefined>;
  error(message: string, ...buttons: string[]): Thenable<string | undefined>;
  password(prompt: string): Thenable<string | undefined>;
  /** A quick pick of `items`: the item chosen, undefined when dismissed. */
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: { title: string; placeHolder?: string }): Thenable<T | undefined>;
  /** An input box: the text entered, undefined when dismissed. */
  input(options: { title: string; prompt: string; value?: string; placeHolder?: string; password?: boolean; validate?: (value: string) => string | undefined }): Thenable<string | undefined>;
  /** A modal question (the workbench's dialog, with its own Cancel): the button chosen, undefined when dismissed. */
  confirm(message: string, detail: string, ...buttons: string[]): Thenable<string | undefined>;
  /** A progress notification with Cancel around `work`: `report` replaces its text and adds `increment` percent. */
  progress<T>(title: string, work: (report: (message: string, increment?: number) => void, token: vscode.CancellationToken) => Thenable<T>): Thenable<T>;
}

export const windowPrompts: Prompts = {
  info: (m, ...b) => vscode.window.showInformationMessage(m, ...b),
  warn: (m, ...b) => vscode.window.showWarningMessage(m, ...b),
  error: (m, ...b) => vscode.window.showErrorMessage(m, ...b),
  password: (prompt) =>
    vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true, placeHolder: vscode.l10n.t('SMTP password') }),
  pick: (items, o) => vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, ignoreFocusOut: true, matchOnDescription: true }),
  input: (o) =>
    vscode.window.showInputBox({
      title: o.title,
      prompt: o.prompt,
      value: o.value,
      placeHolder: o.placeHolder,
      password: o.password,
      ignoreFocusOut: true,
      validateInput: o.validate,
    }),
  confirm: (m, detail, ...b) => vscode.window.showWarningMessage(m, { modal: true, detail }, ...b),
  progress: (title, work) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
      work((message, increment) => progress.report({ message, increment }), token),
    ),
};
