/**
 * `<picture>` in the source: compose keeps only its `<img>` (what every email client shows; few know `<source>`), so
 * the images its `<source srcset>` elements name do not travel. The preview names each one with its line instead of
 * dropping it silently. Plain Node: a scan of the source text, where Markdown code and HTML comments do not count.
 */
import * as l10n from '@vscode/l10n';
import type { WarningView } from './messages';

/** `text` with the spans that are not markup blanked out (newlines kept, so offsets and lines stay). */
function markupOnly(text: string, kind: 'markdown' | 'html'): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  let out = text.replace(/<!--[\s\S]*?-->/g, blank);
  if (kind === 'markdown') {
    out = out.replace(/^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|(?![\s\S]))/gm, blank).replace(/`[^`\n]+`/g, blank);
  }
  return out;
}

/** The URLs of a `srcset` value (its descriptors left out). */
function srcsetUrls(srcset: string): string[] {
  return srcset
    .split(/,\s+|,(?=\S)/)
    .map((c) => c.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

export function pictureSourceWarnings(text: string, kind: 'markdown' | 'html'): WarningView[] {
  const source = markupOnly(text, kind);
  if (!/<picture\b/i.test(source)) return [];
  const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
  const warnings: WarningView[] = [];
  for (const picture of source.matchAll(/<picture\b[\s\S]*?(?:<\/picture\s*>|(?![\s\S]))/gi)) {
    for (const tag of picture[0].matchAll(/<source\b[^>]*>/gi)) {
      const attr = /\bsrcset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag[0]);
      const urls = srcsetUrls(attr?.[1] ?? attr?.[2] ?? attr?.[3] ?? '');
      if (urls.length === 0) continue;
      warnings.push({
        message: l10n.t(
          'The <picture> source {0} is not sent: only the <img> inside the <picture> travels, which is what email clients show.',
          urls.join(', '),
        ),
        line: lineAt((picture.index ?? 0) + (tag.index ?? 0)),
        severity: 'warning',
      });
    }
  }
  return warnings;
}
