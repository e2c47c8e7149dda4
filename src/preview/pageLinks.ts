/**
 * Where the preview page's links lead: a warning's line in the source editor, and a link clicked in the email (in
 * the browser, and only http, https and mailto).
 */
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { Logger } from '../core/types';

const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Shows `line` (1-based) of `doc` in its editor (opened again if it was closed), unless the panel was closed meanwhile. */
export async function revealLine(doc: vscode.TextDocument, line: number, o: { log: Logger; disposed(): boolean }): Promise<void> {
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  const range = new vscode.Range(pos, pos);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString());
  try {
    const target = doc.isClosed ? await vscode.workspace.openTextDocument(doc.uri) : doc;
    if (o.disposed()) return;
    const editor = await vscode.window.showTextDocument(target, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: range,
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  } catch (e) {
    o.log.warn(l10n.t('Could not reveal line {0} of {1}: {2}', line, doc.uri.fsPath, String(e)));
  }
}

/** Opens a link the user clicked in the email, when it is a web or mail link. */
export async function openLink(href: string, o: { log: Logger; openExternal(uri: vscode.Uri): Thenable<boolean> }): Promise<void> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    o.log.warn(l10n.t('Preview: not opening "{0}", which is not a valid link.', href));
    return;
  }
  if (!LINK_SCHEMES.has(uri.scheme)) {
    o.log.warn(l10n.t('Preview: not opening "{0}": only http, https and mailto links open from an email.', href));
    return;
  }
  await o.openExternal(uri);
}
