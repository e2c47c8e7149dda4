/**
 * The header fields a document gives itself (front matter or meta elements), and how a wrong one is refused: the
 * key, its line and the known key it most resembles.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { quotedAtLine } from './lineLocator';

/** The header fields a document gives itself: front matter (Markdown) or `email:*` meta elements (HTML). */
export interface DocumentFields {
  subject?: string;
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  attachments?: string[];
  /** The message's language (`<html lang>`), a BCP 47 tag such as `en` or `zh-CN`. Front matter only. */
  lang?: string;
  /** Inline parts named by Content-ID, for `cid:` references written by hand: Content-ID → file path. */
  inline?: Record<string, string>;
  /** The account to send with, by name (`sendAsEmail.accounts`). */
  account?: string;
  /** A merge's data file (front matter `data:`), relative to the document. */
  data?: string;
}

/** A Content-ID an author may name: a dot-atom (`image1`, `logo.png`, `chart@report`), as `cid:` URLs write it. */
export const CONTENT_ID_RE = /^[A-Za-z0-9!#$&'*+/=?^_`{|}~.@-]{1,200}$/;

/** Where the unknown name was written: a front matter key (Markdown) or the name of a meta element (HTML). */
export type FieldsSource = 'front matter' | 'meta';

/** `unknown` as one problem: the key, its line, and the known key it most resembles. */
export function unknownKey(source: FieldsSource, key: string, line: number | undefined, known: readonly string[]): Problem {
  const near = nearestKey(key, known);
  const what = quotedAtLine(key, line);
  let message: string;
  if (source === 'front matter') {
    message = near ? l10n.t('Unknown front matter key {0}: did you mean "{1}"?', what, near) : l10n.t('Unknown front matter key {0}.', what);
  } else {
    message = near ? l10n.t('Unknown meta element {0}: did you mean "{1}"?', what, near) : l10n.t('Unknown meta element {0}.', what);
  }
  return { code: ErrorCode.FRONT_MATTER_INVALID, message, ref: key, line };
}

/** One error for the unknown keys (problems made by `unknownKey`), with the known ones as its hint. */
export function unknownKeysError(source: FieldsSource, problems: Problem[], known: readonly string[]): SendAsEmailError {
  const [first, last] = [known.slice(0, -1).join(', '), known[known.length - 1]];
  const hint = source === 'front matter' ? l10n.t('The known front matter keys are {0} and {1}.', first, last) : l10n.t('The known meta elements are {0} and {1}.', first, last);
  if (problems.length === 1) return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, problems[0].message, { problems, hint });
  const parts = problems
    .map((p) => {
      const what = quotedAtLine(p.ref ?? '', p.line);
      const near = nearestKey(p.ref ?? '', known);
      return near ? l10n.t('{0}: did you mean "{1}"?', what, near) : what;
    })
    .join('; ');
  const message =
    source === 'front matter' ? l10n.t('{0} unknown front matter keys: {1}.', problems.length, parts) : l10n.t('{0} unknown meta elements: {1}.', problems.length, parts);
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message, { problems, hint });
}

/**
 * The known key `key` was most likely meant to be: the same letters in another case or without `-`/`_`
 * (`Bcc`, `reply-to`), else the closest within a small edit distance (`attachment`, `subjet`); undefined when none
 * is close.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const fold = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const k = fold(key);
  const same = known.find((c) => fold(c) === k);
  if (same) return same;
  const limit = k.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of known) {
    const d = editDistance(k, fold(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** An error in the header fields a document gives. */
export function invalid(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, message);
}
