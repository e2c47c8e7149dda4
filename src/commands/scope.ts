import * as vscode from 'vscode';

/**
 * Whose settings a command uses: the explorer's file it was invoked on, else the active editor's document, else the
 * only workspace folder, else the folder the user picks. In a multi-root workspace each folder may name its own SMTP
 * server, and the password belongs to that server. Undefined: the user dismissed the pick.
 */
export async function settingsScope(uri: unknown): Promise<{ scope: vscode.Uri | undefined } | undefined> {
  if (uri instanceof vscode.Uri) return { scope: uri };
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file') return { scope: active };
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return { scope: folders[0]?.uri };
  const folder = await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t("Which folder's SMTP settings?") });
  return folder ? { scope: folder.uri } : undefined;
}
