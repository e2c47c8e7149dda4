/** Which editor documents Send as Email works on, and how it reads them: the one test for every command and view. */
import type * as vscode from 'vscode';

/** A Markdown or HTML document, by its language or, for one VS Code has not classified, its file name. */
export function isMailDocument(document: vscode.TextDocument): boolean {
  return ['markdown', 'html'].includes(document.languageId) || /\.(md|markdown|html?)$/i.test(document.uri.fsPath);
}

/** How the core reads it: HTML by its language or file name, else Markdown. */
export function documentKind(document: vscode.TextDocument): 'markdown' | 'html' {
  if (document.languageId === 'html') return 'html';
  if (document.languageId === 'markdown') return 'markdown';
  return /\.html?$/i.test(document.uri.fsPath) ? 'html' : 'markdown';
}
