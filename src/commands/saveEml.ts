import * as vscode from 'vscode';
import type { ComposedStream } from '../core/types';
import { namesMergeData } from '../preview/mergeRows';
import type { Mailer } from '../vscode/mailer';
import type { MergeSender } from '../vscode/mergeSender';
import type { Notifications } from '../vscode/notifications';
import { targetDocument } from './document';

/**
 * Email: Save as .eml — composes the document and writes the exact message bytes; of a mail merge, row 1's message.
 * With a second argument (a file URI) it writes there without asking (scripts and tests).
 */
export function saveEmlCommand(mailer: Mailer, notifications: Notifications, merges: MergeSender) {
  return async (uri?: vscode.Uri, target?: vscode.Uri): Promise<vscode.Uri | undefined> => {
    const document = await targetDocument(uri);
    if (!document) return undefined;
    let composed: ComposedStream;
    try {
      composed = namesMergeData(document.getText()) ? await merges.composeRow(document, 1) : await mailer.compose(document);
    } catch (e) {
      await notifications.composeFailed(e, document);
      return undefined;
    }
    if (target instanceof vscode.Uri) {
      await mailer.writeEml(composed, target);
      return target;
    }
    return mailer.saveEml(composed, document.uri);
  };
}
