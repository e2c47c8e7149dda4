/**
 * The mail-merge row stepper of the preview page: ‹ › move through the rows, beside them the row's position, its data
 * line, its recipient and its errors. The extension composes the row asked for and sends a new render.
 */
import { FIELD_NAMES, type MergeView } from '../preview/messages';
import { t } from './strings';
import { post } from './vscodeApi';

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let shown: MergeView | undefined;

/** Shows the row of `merge` (hides the stepper when the document is not a merge). */
export function showMerge(merge: MergeView | undefined): void {
  shown = merge;
  // A merge's headers come from the document and each row: the form shows the row's, and does not override them.
  for (const id of FIELD_NAMES) byId<HTMLInputElement>(id).readOnly = !!merge;
  const bar = byId('merge');
  bar.hidden = !merge;
  if (!merge) return;
  byId('merge-row').textContent = t('Row {0} of {1} ({2} line {3})', merge.index, merge.count, merge.data, merge.line);
  byId('merge-recipient').textContent = merge.recipient ? t('To: {0}', merge.recipient) : t('No recipient');
  const list = byId('merge-errors');
  list.textContent = '';
  for (const error of merge.errors) {
    const li = document.createElement('li');
    li.className = 'error';
    li.textContent = error;
    list.appendChild(li);
  }
  list.hidden = merge.errors.length === 0;
  byId<HTMLButtonElement>('merge-prev').disabled = merge.index <= 1;
  byId<HTMLButtonElement>('merge-next').disabled = merge.index >= merge.count;
}

/** The Send button's words: "Send to N recipients…" for a merge, else none (the page keeps its own). */
export function mergeSendLabel(): string | undefined {
  if (!shown) return undefined;
  return shown.count === 1 ? t('Send to 1 recipient…') : t('Send to {0} recipients…', shown.count);
}

function step(by: number): void {
  if (!shown) return;
  const index = Math.min(shown.count, Math.max(1, shown.index + by));
  if (index !== shown.index) post({ type: 'mergeRow', index });
}

byId('merge-prev').addEventListener('click', () => step(-1));
byId('merge-next').addEventListener('click', () => step(1));
