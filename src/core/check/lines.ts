/**
 * Line numbers in a text (the sent HTML, the source document) and where an issue's offending text sits in the source.
 */
import type { CheckIssue } from './types';

/** An issue as the checks make it: with what to look for in the source document to find its line there. */
export interface LocatedIssue extends CheckIssue {
  /** The offending text, most specific first: a string matched as written (case-insensitive) or a pattern. */
  needles?: (string | RegExp)[];
}

export class TextLines {
  private starts: number[] | undefined;
  constructor(readonly text: string) {}

  /** 1-based line of a character offset. */
  lineOf(offset: number): number {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line of the first match of any needle (in their order), or undefined. */
  find(needles: readonly (string | RegExp)[]): number | undefined {
    for (const needle of needles) {
      const at = typeof needle === 'string' ? indexOfIgnoreCase(this.text, needle) : this.text.search(withI(needle));
      if (at >= 0) return this.lineOf(at);
    }
    return undefined;
  }
}

function indexOfIgnoreCase(text: string, needle: string): number {
  if (!needle) return -1;
  const at = text.indexOf(needle);
  if (at >= 0) return at;
  return text.search(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
}

function withI(re: RegExp): RegExp {
  return re.flags.includes('i') ? re : new RegExp(re.source, `${re.flags}i`);
}

/**
 * What to look for in the source for a caniemail feature title: `<svg> element` -> `<svg`, `width attribute` ->
 * `width=`, `display:flex` -> `display: flex` with any spacing, a CSS property -> the property followed by `:`.
 */
export function needlesForTitle(title: string): (string | RegExp)[] {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let m: RegExpMatchArray | null;
  if ((m = /^<([a-z0-9-]+)> element$/i.exec(title))) return [new RegExp(`<${escape(m[1])}[\\s>/]`)];
  if ((m = /^([a-z-]+) attribute$/i.exec(title))) return [new RegExp(`\\s${escape(m[1])}\\s*=`)];
  if ((m = /^@media \(([a-z-]+)\)/i.exec(title))) return [m[1]];
  if ((m = /^(@[a-z-]+)$/i.exec(title))) return [m[1]];
  if ((m = /^([a-z-]+):([a-z-]+)$/i.exec(title))) return [new RegExp(`${escape(m[1])}\\s*:\\s*${escape(m[2])}`)];
  if ((m = /^([a-z-]+)(?: property)?$/i.exec(title))) return [new RegExp(`(^|[\\s;{"'])${escape(m[1])}\\s*:`)];
  if ((m = /^([a-z0-9]+) image format$/i.exec(title))) return [`image/${m[1]}`, `.${m[1]}`];
  if (title === 'CSS comments') return ['/*'];
  if (title === 'HTML comments') return ['<!--'];
  return [title];
}

/** Sets each issue's sourceLine where its offending text is found in the source document. */
export function mapToSource(issues: LocatedIssue[], sourceText: string | undefined): void {
  if (!sourceText) return;
  const source = new TextLines(sourceText);
  for (const issue of issues) {
    if (issue.sourceLine || !issue.needles?.length) continue;
    issue.sourceLine = source.find(issue.needles);
  }
}
