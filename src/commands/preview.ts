import type * as vscode from 'vscode';
import type { PreviewManager } from '../preview/previewManager';
import { targetDocument } from './document';

/** Email: Preview Email — opens the preview beside the editor (Send as Email does too: see ./send.ts). */
export function previewCommand(previews: PreviewManager) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const document = await targetDocument(uri);
    if (document) previews.show(document);
  };
}
