import * as vscode from 'vscode';
import { isMailDocument } from '../vscode/mailDocument';

/**
 * The Markdown or HTML document a command acts on: the explorer's file when invoked from its
 * context menu, else the active editor's. The editor's unsaved text is what gets composed.
 */
export async function targetDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const document = uri instanceof vscode.Uri
    ? await vscode.workspace.openTextDocument(uri)
    : vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Open a Markdown or HTML file first, then run the command again.'));
    return undefined;
  }
  if (!isMailDocument(document)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a Markdown or HTML file.', vscode.workspace.asRelativePath(document.uri)));
    return undefined;
  }
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a local file; Send as Email works on files on disk.', document.uri.toString()));
    return undefined;
  }
  return document;
}
