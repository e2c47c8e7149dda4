/** Test mode only: the notifications, pickers, input boxes, modal questions and progress, answered by the workbench unless a test put its own answers in place. */
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
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: { title: string; placeHolder?: string }): Thenable<T | undefined> {
    return this.impl.pick(items, options);
  }
  input(options: Parameters<Prompts['input']>[0]): Thenable<string | undefined> {
    return this.impl.input(options);
  }
  confirm(m: string, detail: string, ...b: string[]): Thenable<string | undefined> {
    return this.impl.confirm(m, detail, ...b);
  }
  progress<T>(title: string, work: (report: (message: string, increment?: number) => void, token: vscode.CancellationToken) => Thenable<T>): Thenable<T> {
    return this.impl.progress(title, work);
  }
}
