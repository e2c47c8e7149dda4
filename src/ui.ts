import * as vscode from 'vscode';

/**
 * The few places the extension asks the user something. Production uses `vscode.window`;
 * the integration tests script the answers (a notification button cannot be clicked from a test).
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
    vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true, placeHolder: 'SMTP password' }),
};

/** Delegates to `windowPrompts` unless a test has put its own answers in place. */
export class SwitchablePrompts implements Prompts {
  private impl: Prompts = windowPrompts;

  use(impl: Prompts | undefined): void {
    this.impl = impl ?? windowPrompts;
  }

  info(m: string, ...b: string[]): Thenable<string | undefined> {
    return this.impl.info(m, ...b);
  }
  warn(m: string, ...b: string[]): Thenable<string | undefined> {
    return this.impl.warn(m, ...b);
  }
  error(m: string, ...b: string[]): Thenable<string | undefined> {
    return this.impl.error(m, ...b);
  }
  password(prompt: string): Thenable<string | undefined> {
    return this.impl.password(prompt);
  }
}
