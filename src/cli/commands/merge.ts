/**
 * `send-as-email merge FILE [--data DATA]`: a mail merge. A dry run unless --send: every row is rendered and listed
 * (row, recipient, subject, size) with the totals, and nothing is written. --preview N writes row N's .eml; --send
 * sends the rows still to send (--limit N: the next N), resuming where an earlier run stopped.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { ErrorCode, ExitCode, SendAsEmailError } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { writeEml } from '../../core/message/eml';
import { formatOf } from '../../core/merge/data';
import { planMerge } from '../../core/merge/plan';
import { earlierMerges, readMergeRecord } from '../../core/merge/record';
import { runMerge } from '../../core/merge/run';
import type { MergeDataSource, MergePlan, MergeRecord } from '../../core/merge/types';
import { sourceDocumentAccount } from '../../core/source/documentAccount';
import { documentOf } from '../document';
import { cliLogger, untilInterrupted, type Io } from '../io';
import { usage, type CliOptions } from '../options';
import { smtpTarget } from '../smtpTarget';

export async function merge(opts: CliOptions, io: Io): Promise<number> {
  const flags = opts.merge;
  // The server and password first when sending: a missing one stops the command before any row is rendered.
  const { doc, options } = documentOf(opts, io);
  const target = flags.send ? await smtpTarget(opts, io, await sourceDocumentAccount(doc)) : undefined;
  const plan = await planMerge({ documentPath: doc.path, text: doc.text, data: await dataSource(opts, io), dataEncoding: flags.dataEncoding, compose: options });
  for (const w of plan.warnings) io.err(l10n.t('warning: {0}', w.message));
  if (plan.errors.length > 0) {
    const rows = new Set(plan.errors.map((p) => p.line)).size;
    throw new SendAsEmailError(
      ErrorCode.MERGE_ROW_INVALID,
      rows === 1 ? l10n.t('1 row of {0} cannot be sent; nothing was sent:', plan.rows.length) : l10n.t('{0} rows of {1} cannot be sent; nothing was sent:', rows, plan.rows.length),
      { problems: plan.errors, hint: l10n.t('Fix the data file or the placeholders, then run the merge again.') },
    );
  }
  const record = await readMergeRecord(opts.outboxDir, plan.mergeId);
  if (!record) await tellEarlier(opts.outboxDir, plan, io);
  if (flags.preview !== undefined) return preview(plan, flags.preview, opts, io);
  if (!target) return dryRun(plan, record, io);
  const logger = cliLogger(io, opts.verbose);
  const outcome = await untilInterrupted((signal) =>
    runMerge(plan, {
      target,
      outboxDir: opts.outboxDir,
      limit: flags.limit,
      rate: flags.rate,
      keepSent: flags.keepSent,
      retryUnknown: flags.retryUnknown,
      logFile: flags.log,
      signal,
      logger,
      onProgress: (p) => {
        const r = p.row!;
        io.out(l10n.t('{0}/{1}  row {2}  {3}  {4}  {5}', p.done, p.total, r.row, r.to.join(', '), stateLabel(r.state), r.reply ?? ''));
      },
    }).catch((e: unknown) => {
      throw asMergeFailure(e);
    }),
  );
  const c = outcome.record.counts;
  io.out(
    l10n.t(
      'Merge {0}: {1} accepted in this run; in all {2} of {3} accepted, {4} refused, {5} deferred, {6} unknown, {7} not sent yet.',
      plan.mergeId,
      outcome.accepted,
      c.accepted,
      outcome.record.rows.length,
      c.refused,
      c.deferred,
      c.unknown,
      c.pending,
    ),
  );
  if (outcome.cancelled) io.out(l10n.t('Stopped: the same command sends the rest.'));
  else if (c.deferred + c.pending > 0) io.out(l10n.t('The same command sends the rows not sent yet and those refused for now.'));
  if (c.unknown > 0) io.out(l10n.t('{0} rows may have been delivered (the server did not confirm them): check, then add --retry-unknown to send them again.', c.unknown));
  if (outcome.refused + outcome.deferred === 0) return ExitCode.OK;
  return outcome.accepted > 0 ? ExitCode.PARTIAL : ExitCode.FAILED;
}

/**
 * A run that stopped on a failure (the server down, a refused login): a merge is resumed by running it again, not by
 * retrying the entry of the row it stopped at (the generic "send-as-email retry ID" advice is left out).
 */
function asMergeFailure(e: unknown): unknown {
  if (!(e instanceof SendAsEmailError) || !e.extra.outboxEntryId) return e;
  const again = l10n.t('The same command sends the rows not sent yet and those refused for now.');
  return new SendAsEmailError(e.code, e.message, { ...e.extra, outboxEntryId: undefined, hint: e.extra.hint ? `${e.extra.hint} ${again}` : again, cause: e });
}

async function dataSource(opts: CliOptions, io: Io): Promise<MergeDataSource | undefined> {
  const data = opts.merge.data;
  if (data === undefined) return undefined;
  if (data === '-') {
    if (!io.stdin) throw usage(l10n.t('--data - reads JSON from standard input, which this command has none of.'));
    return { text: await io.stdin(), format: 'json' };
  }
  if (!formatOf(data)) throw usage(l10n.t('--data: {0} is not .csv, .json, .yaml or .yml.', data));
  return { path: data };
}

/** A document or data file changed since an earlier merge of it: this is a new merge, and the user is told which. */
async function tellEarlier(outboxDir: string, plan: MergePlan, io: Io): Promise<void> {
  const [latest] = await earlierMerges(outboxDir, plan);
  if (!latest) return;
  io.err(
    l10n.t(
      'This is a new merge ({0}): the document or the data changed since merge {1} ({2} of {3} rows accepted); rows accepted there are not known here.',
      plan.mergeId,
      latest.mergeId,
      latest.counts.accepted,
      latest.rows.length,
    ),
  );
}

async function preview(plan: MergePlan, n: number, opts: CliOptions, io: Io): Promise<number> {
  if (n > plan.rows.length) throw usage(l10n.t('--preview {0}: the data has {1} rows.', n, plan.rows.length));
  const composed = await plan.renderRow(n);
  const out = opts.out ?? `${plan.documentPath.replace(/\.(md|markdown|html?)$/i, '')}-row${n}.eml`;
  if (path.resolve(out) === path.resolve(plan.documentPath)) throw usage(l10n.t('--preview would write over the document itself: name another file with -o.'));
  await writeEml(out, composed.raw);
  io.out(l10n.t('Wrote row {0} ({1}, "{2}") to {3} ({4}).', n, composed.envelope.to.join(', '), composed.headers.subject, out, formatBytes(composed.raw.length)));
  return ExitCode.OK;
}

async function dryRun(plan: MergePlan, record: MergeRecord | undefined, io: Io): Promise<number> {
  let total = 0;
  let toSend = 0;
  for (const row of plan.rows) {
    const state = record?.rows[row.row - 1]?.state ?? 'pending';
    const size = (await plan.previewRow(row.row)).size;
    total += size;
    if (state === 'pending' || state === 'deferred') toSend++;
    io.out(l10n.t('row {0}  {1}  "{2}"  {3}  {4}', row.row, row.to.join(', '), row.subject, formatBytes(size), stateLabel(state)));
  }
  io.out(l10n.t('{0} messages, {1} in all; {2} to send. Dry run: nothing was sent or written; add --send to send.', plan.rows.length, formatBytes(total), toSend));
  return ExitCode.OK;
}

function stateLabel(state: string): string {
  switch (state) {
    case 'pending':
      return l10n.t('not sent');
    case 'sending':
      return l10n.t('sending');
    case 'accepted':
      return l10n.t('accepted');
    case 'refused':
      return l10n.t('refused');
    case 'deferred':
      return l10n.t('deferred');
    default:
      return l10n.t('unknown');
  }
}
