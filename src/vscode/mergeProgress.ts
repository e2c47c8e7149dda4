/** The text of a merge's progress notification: `k / N`, the rate, the time left. */
import * as vscode from 'vscode';
import type { MergeProgress } from '../core/merge/types';

export function mergeProgressText(p: Pick<MergeProgress, 'done' | 'total' | 'ratePerMinute' | 'etaMs'>): string {
  if (p.done === 0 || !(p.ratePerMinute > 0)) return vscode.l10n.t('{0} / {1}', p.done, p.total);
  return vscode.l10n.t('{0} / {1} · {2} per minute · {3} left', p.done, p.total, Math.round(p.ratePerMinute), timeLeft(p.etaMs));
}

function timeLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return vscode.l10n.t('{0} s', s);
  const min = Math.round(s / 60);
  if (min < 60) return vscode.l10n.t('{0} min', min);
  return vscode.l10n.t('{0} h {1} min', Math.floor(min / 60), min % 60);
}
