/**
 * The context keys the walkthrough "Send your first email" completes its steps on (package.json
 * `contributes.walkthroughs`, `onContext:` events): an account is set up, a preview opened, a test reached the user.
 *
 * Not set at activation: VS Code (1.100) never ticks off a step whose context expression is already true when the
 * walkthrough registers, which can be seconds after startup (it counts the event as seen without progressing the
 * step). So `accountReady` follows the settings as they change, and is set when a preview opens.
 */
import * as vscode from 'vscode';
import type { PreviewManager } from '../preview/previewManager';
import { ContextKey } from '../vscode/contextKeys';
import { readSettings } from '../vscode/settings';
import { accountReady } from '../vscode/setup';

export class Onboarding implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready: boolean | undefined;

  constructor(previews: PreviewManager) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sendAsEmail')) this.updateAccount();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.updateAccount()),
      previews.onDidShow(({ panel, created }) => {
        void set(ContextKey.previewOpened, true);
        this.updateAccount();
        if (!created) return;
        const sub = panel.onDidFinishAction(({ action, outcome }) => {
          if (action === 'sendTest' && outcome?.status === 'sent') void set(ContextKey.testSent, true);
        });
        const end = panel.onDidDispose(() => {
          sub.dispose();
          end.dispose();
        });
      }),
    );
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private updateAccount(): void {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
    const ready = [undefined, ...folders].some((scope) => {
      try {
        return accountReady(readSettings(scope));
      } catch {
        return false; // a setting of the wrong type: not ready (the preview says which)
      }
    });
    if (ready === this.ready) return;
    this.ready = ready;
    void set(ContextKey.accountReady, ready);
  }
}

function set(key: string, value: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
