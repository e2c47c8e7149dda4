/**
 * The recipients check's cost on the newsletter, as the preview pays it after a render: a fresh child composes the
 * document as the preview does (outside the timing), then times loading the caniemail bundle (dist/check.js), the
 * first check, and warm checks of the same HTML. Goal: under 100 ms added to a preview render.
 */
import type { Summary } from './stats';
import type { Workload } from './workloads';

export const CHECK_TARGET_MS = 100;

export interface CheckTask {
  workload: Workload;
  /** The folder holding the copy of check.js the child loads. */
  engineDir: string;
  rounds: number;
}

export interface CheckResult {
  /** The HTML checked (the newsletter's HTML part as sent), bytes. */
  htmlBytes: number;
  issues: number;
  errors: number;
  /** require() of check.js in a fresh process, ms. */
  loadMs: number;
  /** The first checkMessage after the load (its data indexed, caniemail's modules warmed), ms. */
  firstCheckMs: number;
  /** Each later check of the HTML with a word changed (its tags and style sheets the same, as after an edit), ms. */
  warmMs: number[];
  /** The same, with caniemail's remembered results forgotten first (an edit that adds a new kind of tag), ms. */
  coldMs: number[];
  /** The child's RSS before the load and after the checks, MB. */
  rssBeforeMB: number;
  rssAfterMB: number;
  error?: string;
}

export interface CheckFigures extends Omit<CheckResult, 'warmMs' | 'coldMs'> {
  warmMs: Summary;
  coldMs: Summary;
  /** What the first check adds to the render it follows: load + first check, ms. */
  firstAddedMs: number;
}

export function renderCheck(c: CheckFigures | undefined, error: string | undefined): string[] {
  if (!c) return [`Recipients check: not measured${error ? ` (${error})` : ''}`];
  const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
  return [
    `Recipients check of the newsletter's HTML (${Math.round(c.htmlBytes / 1024)} KB, ${c.issues} issues, ${c.errors} errors), after a preview render:`,
    `  load dist/check.js ${ms(c.loadMs)} ms + first check ${ms(c.firstCheckMs)} ms = ${ms(c.firstAddedMs)} ms once;` +
      ` then each check after an edit of the text ${ms(c.warmMs.median)} ms median [${ms(c.warmMs.min)}-${ms(c.warmMs.max)}],` +
      ` after an edit that adds a new kind of tag ${ms(c.coldMs.median)} ms [${ms(c.coldMs.min)}-${ms(c.coldMs.max)}] (target ≤ ${CHECK_TARGET_MS} ms)`,
    `  RSS ${Math.round(c.rssBeforeMB)} MB before the load, ${Math.round(c.rssAfterMB)} MB after the checks`,
  ];
}
