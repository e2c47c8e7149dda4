/**
 * The header fields a document gives itself (front matter or meta elements), and how a wrong one is refused: the
 * key, its line and the known key it most resembles.
 */
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';

/** The header fields a document gives itself: front matter (Markdown) or `email:*` meta elements (HTML). */
export interface DocumentFields {
  subject?: string;
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  attachments?: string[];
  /** Inline parts named by Content-ID, for `cid:` references written by hand: Content-ID → file path. */
  inline?: Record<string, string>;
}

/** A Content-ID an author may name: a dot-atom (`image1`, `logo.png`, `chart@report`), as `cid:` URLs write it. */
export const CONTENT_ID_RE = /^[A-Za-z0-9!#$&'*+/=?^_`{|}~.@-]{1,200}$/;

/** `unknown` as one problem: the key, its line, and the known key it most resembles. */
export function unknownKey(noun: string, key: string, line: number | undefined, known: readonly string[]): Problem {
  const near = nearestKey(key, known);
  const where = line ? ` (line ${line})` : '';
  const message = `Unknown ${noun} "${key}"${where}${near ? `: did you mean "${near}"?` : '.'}`;
  return { code: ErrorCode.FRONT_MATTER_INVALID, message, ref: key, line };
}

export function unknownKeysError(noun: string, problems: Problem[], known: readonly string[]): SendAsEmailError {
  const hint = `The known ${noun}s are ${known.slice(0, -1).join(', ')} and ${known[known.length - 1]}.`;
  if (problems.length === 1) return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, problems[0].message, { problems, hint });
  const parts = problems.map((p) => p.message.replace(/^Unknown [^"]*/, '').replace(/\.$/, ''));
  return new SendAsEmailError(ErrorCode.FRONT_MATTER_INVALID, `${problems.length} unknown ${noun}s: ${parts.join('; ')}.`, { problems, hint });
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
