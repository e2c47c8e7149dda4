/**
 * What the caniemail checker does not flag although its data (or experience) says clients fail on it: inline
 * `<svg>`, `data:` images, CSS backgrounds that point to `cid:` parts, `@media (prefers-color-scheme)` and `var()`.
 */
import * as l10n from '@vscode/l10n';
import type { Element } from 'domhandler';
import { clientName, familyOf, isPhoneClient, joinList } from './clients';
import { fixFor } from './fixes';
import type { LocatedIssue, TextLines } from './lines';
import type { CheckEngine } from './loadEngine';

export interface RuleContext {
  elements: readonly Element[];
  /** The text of every `<style>` with its character offset in the HTML. */
  styles: readonly { css: string; offset: number }[];
  html: TextLines;
  engine: CheckEngine;
  /** caniemail ids of the clients checked. */
  clients: readonly string[];
  /** The 1-based line where an element starts in the HTML. */
  lineOf: (el: Element) => number | undefined;
}

export function extraRules(ctx: RuleContext): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const firstElement = (test: (el: Element) => boolean): Element | undefined => ctx.elements.find(test);
  const firstInStyles = (re: RegExp): number | undefined => {
    for (const s of ctx.styles) {
      const at = s.css.search(re);
      if (at >= 0) return ctx.html.lineOf(s.offset + at);
    }
    return undefined;
  };
  const styleOf = (el: Element): string => el.attribs.style ?? '';

  const svg = firstElement((el) => el.tagName === 'svg');
  if (svg) {
    issues.push(...fromData(ctx, 'svg-inline', 'html-svg', l10n.t('Inline <svg>'), ctx.lineOf(svg), [/<svg[\s>]/]));
  }

  const dataImage = firstElement((el) => /^\s*data:/i.test(el.attribs.src ?? '') || /url\(\s*['"]?data:/i.test(styleOf(el)));
  if (dataImage) {
    issues.push(...fromData(ctx, 'image-data-url', 'image-base64', l10n.t('data: URL image'), ctx.lineOf(dataImage), ['data:image', 'data:']));
  }

  const cidBackground = firstElement((el) => /url\(\s*['"]?cid:/i.test(styleOf(el)) || /^\s*cid:/i.test(el.attribs.background ?? ''));
  const cidInStyles = cidBackground ? undefined : firstInStyles(/url\(\s*['"]?cid:/i);
  if (cidBackground || cidInStyles) {
    // Seen in Thunderbird (issue 14): cid: resolves in <img src> only; the part is listed as an attachment instead.
    const ids = ctx.clients.filter((c) => c.startsWith('thunderbird.'));
    issues.push({
      id: 'css-cid-background',
      severity: ids.length > 0 ? 'error' : 'warning',
      feature: l10n.t('CSS background from a cid: image'),
      clients: ids.map(clientName),
      families: [...new Set(ids.map(familyOf))],
      line: cidBackground ? ctx.lineOf(cidBackground) : cidInStyles,
      message: l10n.t('A CSS background points to an inline (cid:) image: Thunderbird does not show it and lists the image as an attachment.'),
      fix: l10n.t('Set a background-color that reads well without the image, or use an <img> element.'),
      needles: [/background(-image)?\s*:[^;"]*url\(/, /\sbackground\s*=/],
    });
  }

  const darkLine = firstInStyles(/prefers-color-scheme/i);
  if (darkLine) {
    issues.push(
      ...fromData(ctx, 'prefers-color-scheme', 'css-at-media-prefers-color-scheme', '@media (prefers-color-scheme)', darkLine, ['prefers-color-scheme']),
    );
  }

  const varElement = firstElement((el) => /var\(\s*--/.test(styleOf(el)));
  const varLine = varElement ? ctx.lineOf(varElement) : firstInStyles(/var\(\s*--/);
  if (varLine) issues.push(...fromData(ctx, 'css-var', 'css-variables', 'var()', varLine, [/var\(\s*--/]));
  return issues;
}

/** One issue per severity, for the clients the data marks as not (error) or partly (warning) supporting the feature. */
function fromData(ctx: RuleContext, id: string, slug: string, feature: string, line: number | undefined, needles: LocatedIssue['needles']): LocatedIssue[] {
  const none: string[] = [];
  const partial: string[] = [];
  const notes = new Set<string>();
  for (const client of ctx.clients) {
    const s = ctx.engine.supportOf(slug, client);
    if (s?.support === 'none') none.push(client);
    if (s?.support === 'partial') {
      partial.push(client);
      for (const n of s.notes) notes.add(n);
    }
  }
  const testedDate = ctx.engine.featureBySlug(slug)?.lastTestDate;
  const make = (ids: string[], severity: 'error' | 'warning'): LocatedIssue => {
    const list = joinList(ids.map(clientName));
    return {
      id,
      severity,
      feature,
      clients: ids.map(clientName),
      families: [...new Set(ids.map(familyOf))],
      line,
      message: severity === 'error' ? l10n.t('{0} is not supported by {1}.', feature, list) : l10n.t('{0} is only partly supported by {1}.', feature, list),
      fix: fixFor(slug, feature),
      testedDate,
      phoneOnly: ids.every(isPhoneClient) || undefined,
      notes: severity === 'warning' ? [...notes] : undefined,
      needles,
    };
  };
  return [...(none.length > 0 ? [make(none, 'error')] : []), ...(partial.length > 0 ? [make(partial, 'warning')] : [])];
}
