/**
 * Line numbers of things found in a parsed document: where in the source text a reference, a key or a name was written,
 * and how messages name such a thing.
 */
import * as l10n from '@vscode/l10n';

/** A thing written in the document as messages name it: `"a.png" (line 3)`, or `"a.png"` when its line is not known. */
export function quotedAtLine(text: string, line: number | undefined): string {
  return line ? l10n.t('"{0}" (line {1})', text, line) : l10n.t('"{0}"', text);
}

/** Finds the 1-based source line of each reference: the first not yet used occurrence of its text. */
export class LineLocator {
  private starts: number[] | undefined;
  private readonly next = new Map<string, number>();

  constructor(private readonly text: string) {}

  /** Line of the first unused occurrence of any of the candidate spellings; 0 when none occurs. */
  find(candidates: string[]): number {
    for (const c of candidates) {
      if (!c) continue;
      const at = this.text.indexOf(c, this.next.get(c) ?? 0);
      if (at < 0) continue;
      this.next.set(c, at + c.length);
      return this.lineAt(at);
    }
    return 0;
  }

  private lineAt(offset: number): number {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}
