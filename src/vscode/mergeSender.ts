/**
 * A mail merge sent from VS Code: the modal confirmation that names the count and the first addresses (with "Send to
 * Me First"), the progress notification (k / N, the rate, the time left, Cancel after the current message), the
 * outcome, and the merge's log CSV kept beside its record. Resume (the Outbox view) runs the same merge again: the
 * core skips the rows already accepted.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ErrorCode, SendAsEmailError, toSendAsEmailError } from '../core/errors';
import type { MergeOutcome, MergePlan, MergeProgress, MergeRecord, RenderedRow } from '../core/merge/types';
import type { ComposedStream } from '../core/types';
import type { Log } from './log';
import { type Mailer } from './mailer';
import { mergeProgressText } from './mergeProgress';
import { Button, type Notifications } from './notifications';
import type { Prompts } from './prompts';
import type { SmtpLogin } from './smtpLogin';

/** How a merge run ended. `declined`: the user dismissed the confirmation (nothing was sent). */
export type MergeRunOutcome =
  | { status: 'declined' }
  | { status: 'failed'; code: string; message: string }
  | {
      status: 'sent' | 'partial' | 'cancelled';
      mergeId: string;
      /** Row 1 (or the row shown) went to the From address only: a test of the merge, not recorded as the row's send. */
      toMe: boolean;
      accepted: number;
      refused: number;
      deferred: number;
      /** Rows of the merge still to send after this run (pending, deferred). */
      remaining: number;
      /** The merge's log CSV, beside its record (not for a send to me). */
      logFile?: string;
    };

export interface MergeRunEvent {
  documentPath: string;
  outcome: MergeRunOutcome;
}

export interface MergeSenderDeps {
  mailer: Mailer;
  login: SmtpLogin;
  notifications: Notifications;
  prompts: Prompts;
  log: Log;
  outboxDir: string;
}

/** Rows shown in the confirmation. */
const FIRST_SHOWN = 3;

export class MergeSender implements vscode.Disposable {
  private readonly runEmitter = new vscode.EventEmitter<MergeRunEvent>();
  /** Every run's outcome (Send, Send to Me First, Resume), the declined ones included. */
  readonly onDidRun = this.runEmitter.event;

  constructor(private readonly deps: MergeSenderDeps) {}

  dispose(): void {
    this.runEmitter.dispose();
  }

  /** Send to N recipients…: asks first, naming how many and the first addresses; "Send to Me First" sends row 1 to From. */
  async send(document: vscode.TextDocument): Promise<MergeRunOutcome> {
    return this.finish(document, async () => {
      const plan = await this.plan(document);
      const record = await this.record(plan.mergeId);
      // Not sent again: accepted, refused for good, or possibly delivered already ('unknown').
      const done = new Set(record?.rows.filter((r) => r.state === 'accepted' || r.state === 'refused' || r.state === 'unknown').map((r) => r.row));
      const toSend = plan.rows.filter((r) => !done.has(r.row));
      const counts = record?.counts;
      if (toSend.length === 0) {
        this.deps.notifications.info(
          counts && counts.refused + counts.unknown > 0
            ? vscode.l10n.t('Nothing is left to send in this merge: {0} of its {1} rows were accepted; the others were refused for good or may have been delivered.', counts.accepted, plan.rows.length)
            : vscode.l10n.t('Every row of this merge was sent already ({0} rows); nothing to send.', plan.rows.length),
        );
        return { status: 'declined' };
      }
      const sendAll = toSend.length === 1 ? vscode.l10n.t('Send to 1 Recipient') : vscode.l10n.t('Send to {0} Recipients', toSend.length);
      const toMe = vscode.l10n.t('Send to Me First');
      const choice = await this.deps.prompts.confirm(
        toSend.length === 1 ? vscode.l10n.t('Send this merge to 1 recipient?') : vscode.l10n.t('Send this merge to {0} recipients?', toSend.length),
        await this.confirmDetail(plan, toSend, counts),
        sendAll,
        toMe,
      );
      if (choice === toMe) return this.run(document, plan, { rows: [1] });
      if (choice !== sendAll) return { status: 'declined' };
      return this.run(document, plan, {});
    });
  }

  /** Sends row `row` (1-based) to the From address only: Send to Me First, and the preview's Send Test to Me. */
  async sendToMe(document: vscode.TextDocument, row: number): Promise<MergeRunOutcome> {
    return this.finish(document, async () => this.run(document, await this.plan(document), { rows: [row] }));
  }

  /** Runs a recorded merge again (the Outbox view): rows accepted or refused for good are not sent again. */
  async resume(record: MergeRecord): Promise<MergeRunOutcome> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(record.documentPath));
    return this.finish(document, async () => {
      const plan = await this.plan(document);
      if (plan.mergeId !== record.mergeId) {
        throw new SendAsEmailError(
          ErrorCode.MERGE_ROW_INVALID,
          vscode.l10n.t(
            '{0} or {1} changed since merge {2}: sending it now would be a new merge. Send the document again to start one.',
            path.basename(record.documentPath),
            path.basename(record.dataSource),
            record.mergeId,
          ),
        );
      }
      return this.run(document, plan, {});
    });
  }

  /** Row `row` of the merge as a message, its bytes in memory (Save as .eml of the row shown). */
  async composeRow(document: vscode.TextDocument, row: number): Promise<ComposedStream> {
    const message = await (await this.plan(document)).renderRow(row);
    const { raw, ...rest } = message;
    return {
      ...rest,
      size: raw.length,
      chunks: async function* () {
        yield raw;
      },
    };
  }

  /** The merges kept beside the outbox, newest first. */
  async list(): Promise<MergeRecord[]> {
    const { listMerges } = await import('../core/merge/record');
    return (await listMerges(this.deps.outboxDir)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Where the merge's log CSV is kept: beside its record. */
  async logFileOf(mergeId: string): Promise<string> {
    const { mergeDir } = await import('../core/merge/record');
    return path.join(mergeDir(this.deps.outboxDir, mergeId), 'log.csv');
  }

  private async plan(document: vscode.TextDocument): Promise<MergePlan> {
    const { planMerge } = await import('../core/merge/plan');
    return planMerge({ documentPath: document.uri.fsPath, text: document.getText(), compose: this.deps.mailer.composeOptions(document, undefined) });
  }

  private async record(mergeId: string): Promise<MergeRecord | undefined> {
    const { readMergeRecord } = await import('../core/merge/record');
    return readMergeRecord(this.deps.outboxDir, mergeId);
  }

  /** The confirmation's detail: the first addresses, the rows sent already, and the earlier merge this one replaces. */
  private async confirmDetail(plan: MergePlan, toSend: RenderedRow[], before: MergeRecord['counts'] | undefined): Promise<string> {
    const first = toSend.slice(0, FIRST_SHOWN).map((r) => (r.toHeader.length > 0 ? r.toHeader : r.to).join(', '));
    const lines = [
      toSend.length > FIRST_SHOWN
        ? vscode.l10n.t('One message each to {0} and {1} more.', first.join('; '), toSend.length - FIRST_SHOWN)
        : vscode.l10n.t('One message each to {0}.', first.join('; ')),
    ];
    // Each kind of row not sent again, said as what it is.
    if (before?.accepted) lines.push(vscode.l10n.t('{0} rows of this merge were sent before and are skipped.', before.accepted));
    if (before?.refused) lines.push(vscode.l10n.t('{0} rows were refused by the server for good and are not sent again.', before.refused));
    if (before?.unknown) lines.push(vscode.l10n.t('{0} rows may have been delivered (the server did not confirm them) and are not sent again.', before.unknown));
    const { earlierMerges } = await import('../core/merge/record');
    const earlier = (await earlierMerges(this.deps.outboxDir, plan)).filter((m) => m.mergeId !== plan.mergeId)[0];
    if (earlier) {
      lines.push(
        vscode.l10n.t(
          'The document or {0} changed since merge {1} ({2} sent): this is a new merge, and its rows are sent again.',
          path.basename(plan.dataSource),
          earlier.mergeId,
          earlier.counts.accepted,
        ),
      );
    }
    return lines.join('\n');
  }

  /** Runs the rows still to send with the progress notification; `rows` alone go to the From address. */
  private async run(document: vscode.TextDocument, plan: MergePlan, o: { rows?: number[] }): Promise<MergeRunOutcome> {
    if (plan.errors.length > 0) {
      throw new SendAsEmailError(ErrorCode.MERGE_ROW_INVALID, plan.errors[0].message, { problems: plan.errors });
    }
    const toMe = o.rows !== undefined;
    const from = toMe ? (await plan.previewRow(o.rows![0])).envelope.from : undefined;
    // The document's account (account:, the status bar's choice, the default), as a single send would use.
    const target = await this.deps.mailer.targetOf(document);
    const name = path.basename(document.uri.fsPath);
    const title = toMe
      ? vscode.l10n.t('Sending row {0} of {1} to {2}', o.rows![0], name, from ?? '')
      : vscode.l10n.t('Sending the merge {0} through {1}:{2}', name, target.host, target.port);
    const { runMerge } = await import('../core/merge/run');
    // The core rewrites the log beside the merge's record as it goes (and when it stops, however it stops).
    const logFile = toMe ? undefined : await this.logFileOf(plan.mergeId);
    const work = async (report: (message: string, increment?: number) => void, token: vscode.CancellationToken): Promise<MergeOutcome> => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      let shown = 0;
      const onProgress = (p: MergeProgress): void => {
        const increment = p.total > 0 ? ((p.done - shown) * 100) / p.total : 0;
        shown = p.done;
        report(mergeProgressText(p), increment);
      };
      try {
        return await runMerge(plan, {
          target,
          outboxDir: this.deps.outboxDir,
          signal: controller.signal,
          onProgress,
          logger: this.deps.log,
          ...(toMe ? { rows: o.rows, redirectTo: from } : { logFile }),
        });
      } finally {
        sub.dispose();
      }
    };
    const outcome = await this.deps.prompts.progress(title, work);
    await this.deps.login.accepted(target);
    const counts = outcome.record.counts;
    const remaining = counts.pending + counts.deferred + counts.sending;
    const status = outcome.cancelled ? 'cancelled' : outcome.refused + outcome.deferred > 0 ? 'partial' : 'sent';
    const result = { status, mergeId: outcome.mergeId, toMe, accepted: outcome.accepted, refused: outcome.refused, deferred: outcome.deferred, remaining, logFile } as const;
    this.tell(name, result, from);
    return result;
  }

  private tell(name: string, r: Extract<MergeRunOutcome, { mergeId: string }>, from: string | undefined): void {
    const openOutbox = (b: string | undefined): void => {
      if (b === Button.openOutbox) void vscode.commands.executeCommand('sendAsEmail.openOutbox');
    };
    if (r.toMe) {
      if (r.accepted > 0) this.deps.notifications.info(vscode.l10n.t('Sent a test of {0} to {1}.', name, from ?? ''));
      else void this.deps.prompts.warn(vscode.l10n.t('The test of {0} was not delivered to {1}; see the log.', name, from ?? ''), Button.showLog);
      return;
    }
    this.deps.log.info(vscode.l10n.t('Merge {0} of {1}: {2} accepted, {3} refused, {4} deferred, {5} still to send.', r.mergeId, name, r.accepted, r.refused, r.deferred, r.remaining));
    if (r.status === 'cancelled') {
      void this.deps.prompts
        .info(vscode.l10n.t('Stopped the merge {0} after {1} messages; {2} wait: Resume it from the Outbox.', name, r.accepted, r.remaining), Button.openOutbox)
        .then(openOutbox);
    } else if (r.status === 'partial') {
      void this.deps.prompts
        .warn(vscode.l10n.t('The merge {0} sent {1} messages; the server refused {2} and deferred {3}: the Outbox can resume the deferred ones.', name, r.accepted, r.refused, r.deferred), Button.openOutbox)
        .then(openOutbox);
    } else {
      this.deps.notifications.info(vscode.l10n.t('Sent the merge {0}: {1} messages accepted.', name, r.accepted));
    }
  }

  /** Tells the user how it failed (a 535 offers Re-enter Password) and fires the outcome. */
  private async finish(document: vscode.TextDocument, work: () => Promise<MergeRunOutcome>): Promise<MergeRunOutcome> {
    let outcome: MergeRunOutcome;
    if (!vscode.workspace.isTrusted) {
      const u = this.deps.notifications.untrusted();
      outcome = u.status === 'failed' ? { status: 'failed', code: u.code, message: u.message } : { status: 'declined' };
    } else {
      try {
        outcome = await work();
      } catch (e) {
        outcome = await this.failed(e, document);
      }
    }
    this.runEmitter.fire({ documentPath: document.uri.fsPath, outcome });
    return outcome;
  }

  private async failed(e: unknown, document: vscode.TextDocument): Promise<MergeRunOutcome> {
    const err = toSendAsEmailError(e);
    if (err.code === ErrorCode.SMTP_AUTH_FAILED) {
      // As a single send's: the document's account (its server's password, or its login fix), never the smtp.* keys.
      // After Re-enter Password the merge is offered again (its confirmation names what is left to send).
      await this.deps.mailer.loginFailed(document, err, () => this.send(document));
    } else {
      // A row's error names its data file line: no "Go to Line" into the document for it.
      await this.deps.notifications.failed(err, true);
    }
    return { status: 'failed', code: err.code, message: err.message };
  }
}
