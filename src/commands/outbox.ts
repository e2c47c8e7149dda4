import * as vscode from 'vscode';
import type { Outbox } from '../core/outbox';
import type { Mailer } from '../mailer';

/** Email: Open Outbox — what is waiting (failed sends keep their exact bytes), with Retry. */
export function openOutboxCommand(mailer: Mailer, outbox: () => Promise<Outbox>) {
  return async (): Promise<void> => {
    const box = await outbox();
    const pending = await box.pending();
    if (pending.length === 0) {
      const sent = await box.sent();
      void vscode.window.showInformationMessage(`The outbox is empty: nothing is waiting to be sent (${sent.length} sent).`);
      return;
    }
    const pick = await vscode.window.showQuickPick(
      pending.map((e) => ({
        label: e.subject || '(no subject)',
        description: e.envelope.to.join(', '),
        detail: e.lastError ? `${e.lastError.code}: ${e.lastError.message}` : 'not sent yet',
        entry: e,
      })),
      { placeHolder: `${pending.length} message${pending.length === 1 ? '' : 's'} waiting: pick one to retry or open` },
    );
    if (!pick) return;
    const action = await vscode.window.showQuickPick(['Retry', 'Open .eml'], { placeHolder: pick.label });
    if (action === 'Retry') {
      await mailer.retry(pick.entry.id);
    } else if (action === 'Open .eml') {
      await vscode.window.showTextDocument(vscode.Uri.file(pick.entry.file));
    }
  };
}
