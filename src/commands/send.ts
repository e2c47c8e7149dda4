import type * as vscode from 'vscode';
import type { PreviewManager } from '../preview/panel';
import { targetDocument } from './document';

/** Email: Send as Email — opens the preview; the message goes out when the user presses Send there. */
export function sendCommand(previews: PreviewManager) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const document = await targetDocument(uri);
    if (document) previews.show(document);
  };
}
