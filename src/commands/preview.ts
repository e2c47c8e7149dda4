import type * as vscode from 'vscode';
import type { PreviewManager } from '../preview/previewManager';
import { targetDocument } from './document';

/**
 * Email: Preview Email, and Email: Send as Email — both open the preview beside the editor; a message goes out only
 * when the user presses Send there.
 */
export function previewCommand(previews: PreviewManager) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const document = await targetDocument(uri);
    if (document) previews.show(document);
  };
}
