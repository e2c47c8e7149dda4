import type * as vscode from 'vscode';
import { namesMergeData } from '../preview/mergeRows';
import type { PreviewManager } from '../preview/previewManager';
import type { MergeRunOutcome, MergeSender } from '../vscode/mergeSender';
import { targetDocument } from './document';

/**
 * Email: Send as Email — opens the preview beside the editor; a single message goes out when the user presses Send
 * there. A mail merge (front matter `data:`) asks at once: "Send to N recipients?", naming the first addresses.
 */
export function sendCommand(previews: PreviewManager, merges: MergeSender) {
  return async (uri?: vscode.Uri): Promise<MergeRunOutcome | undefined> => {
    const document = await targetDocument(uri);
    if (!document) return undefined;
    previews.show(document);
    return namesMergeData(document.getText()) ? merges.send(document) : undefined;
  };
}
