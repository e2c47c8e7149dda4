import * as path from 'path';
import * as vscode from 'vscode';
import type { MergeRecord } from '../core/merge/types';
import type { Outbox, OutboxEntry } from '../core/send/outbox';
import type { Mailer } from '../vscode/mailer';
import type { MergeSender } from '../vscode/mergeSender';

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

/** Rows of a merge still to send (a resume sends them). */
export function mergeRemaining(m: MergeRecord): number {
  return m.counts.pending + m.counts.deferred + m.counts.sending;
}

/** A merge as listed: its document and data file, its counts. */
function mergeItem(m: MergeRecord): vscode.QuickPickItem & { merge: MergeRecord } {
  const c = m.counts;
  return {
    label: vscode.l10n.t('$(mail) Mail merge of {0} with {1}', path.basename(m.documentPath), path.basename(m.dataSource)),
    description: vscode.l10n.t('{0} accepted, {1} pending, {2} refused', c.accepted, mergeRemaining(m), c.refused),
    detail: vscode.l10n.t('Mail merge {0}: {1} rows, last sent {2}', m.mergeId, m.rows.length, m.updatedAt),
    merge: m,
  };
}

/** Email: Open Outbox — what is waiting (failed sends keep their exact bytes), with Retry; mail merges with Resume. */
export function openOutboxCommand(mailer: Mailer, outbox: () => Promise<Outbox>, merges: MergeSender) {
  return async (): Promise<void> => {
    const box = await outbox();
    // A merge's rows are resumed through their merge, whose record decides what is sent again: no Retry of their own.
    const pending = (await box.pending()).filter((e) => !e.merge);
    const mergeList = await merges.list();
    if (pending.length === 0 && mergeList.length === 0) {
      const sent = await box.sent();
      void vscode.window.showInformationMessage(vscode.l10n.t('The outbox is empty: nothing is waiting to be sent ({0} sent).', sent.length));
      return;
    }
    const items = [
      ...mergeList.map(mergeItem),
      ...pending.map((e) => ({
        label: e.subject || vscode.l10n.t('(no subject)'),
        description: (e.pendingRecipients ?? e.envelope.to).join(', '),
        detail: stateOf(e),
        entry: e,
      })),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      placeHolder:
        pending.length === 1
          ? vscode.l10n.t('1 message waiting: pick it to retry or open')
          : vscode.l10n.t('{0} messages waiting: pick one to retry or open', pending.length),
    });
    if (!pick) return;
    if ('merge' in pick) {
      await mergeActions(pick.merge, merges);
      return;
    }
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

/** Resume (when rows wait), the merge's log, its document. */
async function mergeActions(m: MergeRecord, merges: MergeSender): Promise<void> {
  const resume = vscode.l10n.t('Resume ({0} to send)', mergeRemaining(m));
  const log = vscode.l10n.t('Open Log');
  const doc = vscode.l10n.t('Open Document');
  const actions = mergeRemaining(m) > 0 ? [resume, log, doc] : [log, doc];
  const action = await vscode.window.showQuickPick(actions, { placeHolder: path.basename(m.documentPath) });
  if (action === resume) await merges.resume(m);
  else if (action === log) await vscode.window.showTextDocument(vscode.Uri.file(await merges.logFileOf(m.mergeId)));
  else if (action === doc) await vscode.window.showTextDocument(vscode.Uri.file(m.documentPath));
}
