/**
 * The preview's buttons for a mail merge: Send asks, then sends one message per row (src/vscode/mergeSender.ts); Send
 * Test to Me sends the row shown to the From address only; Save as .eml saves the row shown.
 */
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import type { Mailer } from '../vscode/mailer';
import type { MergeRunOutcome, MergeSender } from '../vscode/mergeSender';
import type { ActionOutcome } from './actions';
import type { Action, ActionResultView } from './messages';

export interface MergeActionContext {
  merges: MergeSender;
  mailer: Mailer;
  document: vscode.TextDocument;
  /** The row the preview shows (1-based). */
  row: number;
}

export async function runMergeAction(action: Action, ctx: MergeActionContext): Promise<ActionOutcome> {
  if (action === 'saveEml') {
    const composed = await ctx.merges.composeRow(ctx.document, ctx.row);
    const target = await ctx.mailer.saveEml(composed, ctx.document.uri);
    if (!target) return { view: { status: 'cancelled', message: l10n.t('Not saved.'), recipients: [] }, composed };
    return { view: { status: 'saved', message: l10n.t('Saved row {0} ({1}) to {2}.', ctx.row, formatBytes(composed.size), target.fsPath), recipients: [] }, composed };
  }
  const outcome = action === 'send' ? await ctx.merges.send(ctx.document) : await ctx.merges.sendToMe(ctx.document, ctx.row);
  return {
    view: mergeOutcomeView(outcome),
    ...(outcome.status === 'failed' ? { outcome: { status: 'failed', code: outcome.code, message: outcome.message } } : {}),
  };
}

export function mergeOutcomeView(o: MergeRunOutcome): ActionResultView {
  const view = (status: ActionResultView['status'], message: string): ActionResultView => ({ status, message, recipients: [] });
  switch (o.status) {
    case 'declined':
      return view('cancelled', l10n.t('Nothing was sent.'));
    case 'failed':
      return view('failed', o.message);
    case 'cancelled':
      return view('cancelled', l10n.t('Stopped after {0} messages; {1} wait: resume the merge from the Outbox.', o.accepted, o.remaining));
    case 'sent':
      return view('sent', o.toMe ? l10n.t('Sent a test of the merge to your From address.') : l10n.t('Sent {0} messages, one to each recipient.', o.accepted));
    case 'partial':
      return view('partial', l10n.t('Sent {0} messages; the server refused {1} and deferred {2}: the Outbox can resume the deferred ones.', o.accepted, o.refused, o.deferred));
  }
}
