/** Test mode only: the notifications and the password box, answered by the workbench unless a test put its own answers in place. */
import type * as vscode from 'vscode';
import { windowPrompts, type Prompts } from '../vscode/prompts';

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
  confirm(m: string, detail: string, ...b: string[]): Thenable<string | undefined> {
    return this.impl.confirm(m, detail, ...b);
  }
  progress<T>(title: string, work: (report: (message: string, increment?: number) => void, token: vscode.CancellationToken) => Thenable<T>): Thenable<T> {
    return this.impl.progress(title, work);
  }
}
