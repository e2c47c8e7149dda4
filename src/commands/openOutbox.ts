import * as vscode from 'vscode';
import type { Outbox, OutboxEntry } from '../core/send/outbox';
import type { Mailer } from '../vscode/mailer';

/** How an entry is listed: what state it is in, in one phrase. */
function stateOf(e: OutboxEntry): string {
  switch (e.status) {
    case 'pending':
      return vscode.l10n.t('not sent yet');
    case 'failed':
      return e.lastError ? `${e.lastError.code}: ${e.lastError.message}` : vscode.l10n.t('failed');
    case 'unknown':
      return vscode.l10n.t('may have been delivered: check before retrying');
    case 'partial':
      return vscode.l10n.t('delivered to some; waiting for {0}', (e.pendingRecipients ?? []).join(', '));
    case 'accepted':
      return vscode.l10n.t('accepted by the server, record incomplete: never sent again');
    default:
      return vscode.l10n.t('sent');
  }
}

/** Email: Open Outbox — what is waiting (failed sends keep their exact bytes), with Retry. */
export function openOutboxCommand(mailer: Mailer, outbox: () => Promise<Outbox>) {
  return async (): Promise<void> => {
    const box = await outbox();
    const pending = await box.pending();
    if (pending.length === 0) {
      const sent = await box.sent();
      void vscode.window.showInformationMessage(vscode.l10n.t('The outbox is empty: nothing is waiting to be sent ({0} sent).', sent.length));
      return;
    }
    const pick = await vscode.window.showQuickPick(
      pending.map((e) => ({
        label: e.subject || vscode.l10n.t('(no subject)'),
        description: (e.pendingRecipients ?? e.envelope.to).join(', '),
        detail: stateOf(e),
        entry: e,
      })),
      {
        placeHolder:
          pending.length === 1
            ? vscode.l10n.t('1 message waiting: pick it to retry or open')
            : vscode.l10n.t('{0} messages waiting: pick one to retry or open', pending.length),
      },
    );
    if (!pick) return;
    const retry = vscode.l10n.t('Retry');
    const open = vscode.l10n.t('Open .eml');
    const actions = pick.entry.status === 'accepted' ? [open] : [retry, open];
    const action = await vscode.window.showQuickPick(actions, { placeHolder: pick.label });
    if (action === retry) {
      await mailer.retry(pick.entry.id);
    } else if (action === open) {
      await vscode.window.showTextDocument(vscode.Uri.file(pick.entry.file));
    }
  };
}
