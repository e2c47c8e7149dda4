/**
 * A mail merge in the preview (front matter `data:`): the plan of every row, the row shown (‹ › on the page), and what
 * the page shows of it: its position, data line, recipient and errors, with the errors of every row among the
 * warnings (any of them turns Send off, as the merge would refuse to start).
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'fs';
import * as path from 'path';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import type { MergePlan } from '../core/merge/types';
import type { ComposeOptions, PreviewMessage } from '../core/types';
import type { MergeView, WarningView } from './messages';

/** Row errors listed one by one among the warnings; the others are counted in one line. */
const LISTED_ERRORS = 10;

/** Whether the front matter names a data file: only then is the document planned as a merge. */
export function namesMergeData(text: string): boolean {
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  return !!m && /^data[ \t]*:/m.test(m[1]);
}

export interface MergeRowShown {
  composed: PreviewMessage;
  merge: MergeView;
  /** Every row's errors, and what the plan warns about (unused columns). */
  warnings: WarningView[];
}

interface Planned {
  key: string;
  dataMtime: number;
  plan: MergePlan;
}

export class MergeRows {
  private documentKey: string | undefined;
  private planned: Planned | undefined;
  private index = 1;

  /** Shows row `index` (1-based) next; false when it is the row shown already. */
  select(index: number): boolean {
    const count = this.planned?.plan.rows.length ?? 0;
    const next = Math.max(1, Math.min(index, count || 1));
    if (next === this.index) return false;
    this.index = next;
    return true;
  }

  /**
   * The row shown, composed for the preview; undefined when the document names no data. A data file that cannot be
   * read or parsed throws its error (naming the file and line), which the panel shows like any compose error.
   * `options` is asked for only when the document is a merge: every other render skips reading the settings twice.
   */
  async compose(document: { key: string; path: string; text: string }, options: () => ComposeOptions): Promise<MergeRowShown | undefined> {
    if (document.key !== this.documentKey) {
      this.documentKey = document.key;
      this.planned = undefined;
      this.index = 1;
    }
    if (!namesMergeData(document.text)) {
      this.planned = undefined;
      return undefined;
    }
    const plan = await this.planFor(document, options());
    const count = plan.rows.length;
    if (count === 0) throw new SendAsEmailError(ErrorCode.MERGE_DATA_INVALID, l10n.t('{0} has no rows: the merge would send nothing.', path.basename(plan.dataSource)));
    this.index = Math.min(this.index, count);
    const row = plan.rows[this.index - 1];
    const composed = await plan.previewRow(this.index);
    const merge: MergeView = {
      data: path.basename(plan.dataSource),
      index: this.index,
      count,
      line: row.line,
      recipient: (row.toHeader.length > 0 ? row.toHeader : row.to).join(', '),
      errors: row.errors.map((p) => p.message),
      totalErrors: plan.errors.length,
      rowsWithErrors: plan.rows.filter((r) => r.errors.length > 0).length,
    };
    return { composed, merge, warnings: mergeWarnings(plan) };
  }

  /** The plan for this text and these settings, made again when either changed or the data file was written since. */
  private async planFor(document: { path: string; text: string }, options: ComposeOptions): Promise<MergePlan> {
    const key = JSON.stringify([document.path, document.text, options.settings, options.overrides ?? null, options.workspaceFolders]);
    const planned = this.planned;
    if (planned && planned.key === key && (await mtimeOf(planned.plan.dataSource)) === planned.dataMtime) return planned.plan;
    const { planMerge } = await import('../core/merge/plan');
    const plan = await planMerge({ documentPath: document.path, text: document.text, compose: options });
    this.planned = { key, dataMtime: await mtimeOf(plan.dataSource), plan };
    return plan;
  }
}

/** The errors of every row (each stops the merge), then the plan's warnings. */
export function mergeWarnings(plan: Pick<MergePlan, 'errors' | 'warnings'>): WarningView[] {
  const list: WarningView[] = plan.errors.slice(0, LISTED_ERRORS).map((p) => ({ message: p.message, severity: 'error' }));
  const more = plan.errors.length - LISTED_ERRORS;
  if (more > 0) list.push({ message: l10n.t('…and {0} more errors in other rows.', more), severity: 'error' });
  for (const w of plan.warnings) list.push({ message: w.message, severity: w.severity });
  return list;
}

async function mtimeOf(file: string): Promise<number> {
  return fs.stat(file).then(
    (s) => s.mtimeMs,
    () => -1,
  );
}
