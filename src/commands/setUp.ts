import * as vscode from 'vscode';
import { readSettings } from '../vscode/settings';
import { missingSetup, openSetup } from '../vscode/setup';

/**
 * Email: Set Up Sending — opens the Settings editor on what is still missing for the active document's folder (a
 * server, a sender), or on the whole account when nothing is. The walkthrough's first step runs it.
 */
export function setUpCommand() {
  return (): Thenable<unknown> => {
    const active = vscode.window.activeTextEditor?.document.uri;
    const scope = active?.scheme === 'file' ? active : vscode.workspace.workspaceFolders?.[0]?.uri;
    return openSetup(missingSetup(readSettings(scope)));
  };
}
