import * as vscode from 'vscode';

/**
 * The Markdown or HTML document a command acts on: the explorer's file when invoked from its
 * context menu, else the active editor's. The editor's unsaved text is what gets composed.
 */
export async function targetDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const document = uri instanceof vscode.Uri
    ? await vscode.workspace.openTextDocument(uri)
    : vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showErrorMessage('Open a Markdown or HTML file first, then run the command again.');
    return undefined;
  }
  if (!['markdown', 'html'].includes(document.languageId) && !/\.(md|markdown|html?)$/i.test(document.uri.fsPath)) {
    void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(document.uri)} is not a Markdown or HTML file.`);
    return undefined;
  }
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') {
    void vscode.window.showErrorMessage(`${document.uri.toString()} is not a local file; Send as Email works on files on disk.`);
    return undefined;
  }
  return document;
}
