import type * as vscode from 'vscode';
import type { PreviewManager } from '../preview/panel';
import { targetDocument } from './document';

/** Email: Preview Email — the preview beside the editor, without sending. */
export function previewCommand(previews: PreviewManager) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const document = await targetDocument(uri);
    if (document) previews.show(document);
  };
}
