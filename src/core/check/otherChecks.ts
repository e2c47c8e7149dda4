/**
 * The checks that are not about one client: images (alt, size, http://), links (http://, stripped schemes, vague
 * text), size (the account's SIZE limit, Gmail's clip) and accessibility (lang, layout tables, contrast).
 */
import * as l10n from '@vscode/l10n';
import type { Element } from 'domhandler';
import { formatBytes } from '../format';
import { GMAIL_CLIP_BYTES } from '../message/compose';
import { collapse } from '../source/dom';
import { contrastRatio, parseColor, styleValue } from './contrast';
import type { LocatedIssue } from './lines';
import type { CheckInput } from './types';

/** Gmail's and others' limit on one attachment is far above this; beyond it a single image slows every reader. */
const LARGE_IMAGE_BYTES = 1024 * 1024;
const PHONE_WIDTH = 375;
/** Link texts that say nothing out of context (screen readers list links by their text). */
const VAGUE_LINK_TEXTS = new Set(['click here', 'here', 'click', 'this link', 'link', 'read more', 'more', 'this', '点击这里', '点击此处', '这里', '此处', '点此', '点这里', '更多']);
/** Schemes mail clients remove from links (or that do nothing in a message). */
const STRIPPED_SCHEME = /^\s*(javascript|vbscript|data|file|about|blob):/i;

function issue(id: string, severity: 'error' | 'warning', feature: string, message: string, fix: string, rest: Partial<LocatedIssue> = {}): LocatedIssue {
  return { id, severity, feature, clients: [], families: [], message, fix, ...rest };
}

export function otherChecks(elements: readonly Element[], input: CheckInput, lineOf: (el: Element) => number | undefined): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const at = (el: Element, needles: LocatedIssue['needles']): Partial<LocatedIssue> => ({ line: lineOf(el), needles });
  const src = (el: Element): string => el.attribs.src ?? '';
  const findable = (ref: string): string[] => (ref && !/^(cid|data):/i.test(ref) ? [ref] : []);

  for (const el of elements) {
    const tag = el.tagName;
    if (tag === 'img') {
      if (el.attribs.alt === undefined) {
        const name = /^(cid|data):/i.test(src(el)) ? '' : src(el);
        const message = name
          ? l10n.t('The image "{0}" has no alt text: readers with images off or a screen reader get nothing.', name)
          : l10n.t('An image has no alt text: readers with images off or a screen reader get nothing.');
        issues.push(issue('image-alt', 'warning', l10n.t('Image alt text'), message, l10n.t('Add alt text that says what the image shows (alt="" for a decoration).'), at(el, [...quoted(findable(src(el))), /<img(?![^>]*\salt=)/])));
      }
      if (/^\s*http:\/\//i.test(src(el))) {
        issues.push(issue('image-http', 'warning', l10n.t('Image over http://'), l10n.t('The image "{0}" is fetched over plain http://: clients warn about it or block it.', src(el)), l10n.t('Use an https:// address, or a local file that is sent inline.'), at(el, quoted([src(el)]))));
      }
    } else if (tag === 'a') {
      const href = el.attribs.href ?? '';
      if (/^\s*http:\/\//i.test(href)) {
        issues.push(issue('link-http', 'warning', l10n.t('Link over http://'), l10n.t('The link "{0}" uses plain http://.', href), l10n.t('Use https:// if the site supports it.'), at(el, quoted([href]))));
      } else if (STRIPPED_SCHEME.test(href)) {
        issues.push(issue('link-scheme', 'error', l10n.t('Link scheme'), l10n.t('The link "{0}" uses a scheme mail clients remove: it will do nothing.', href.slice(0, 60)), l10n.t('Link to an https:// page instead.'), at(el, quoted([href.slice(0, 60)]))));
      }
      const text = collapse(textOf(el)).toLowerCase().replace(/[.!。！:：…]+$/, '');
      if (VAGUE_LINK_TEXTS.has(text)) {
        issues.push(issue('link-text', 'warning', l10n.t('Link text'), l10n.t('A link says only "{0}": out of context (a screen reader\'s list of links) it says nothing.', text), l10n.t('Make the link text say where it goes, for example "Read the release notes".'), at(el, [`>${text}<`, `[${text}]`, text])));
      }
    } else if (tag === 'table' && el.attribs.role === undefined && !hasDescendant(el, (d) => d.tagName === 'th' || d.tagName === 'caption')) {
      issues.push(issue('table-role', 'warning', l10n.t('Layout table'), l10n.t('A table without headers has no role="presentation": screen readers announce its rows and columns.'), l10n.t('Add role="presentation" to tables used for layout.'), at(el, [/<table(?![^>]*\srole=)/])));
    }
    const width = fixedWidth(el);
    if (width !== undefined && width > PHONE_WIDTH && (tag === 'table' || tag === 'img' || tag === 'div' || tag === 'td')) {
      issues.push(issue('fixed-width', 'warning', l10n.t('Fixed width'), l10n.t('A <{0}> is {1} px wide with no max-width: on a phone it is wider than the screen.', tag, width), l10n.t('Add max-width: 100% (and width: 100% on tables), keeping the width attribute for Outlook.'), { ...at(el, [new RegExp(`width\\s*[:=]\\s*["']?${width}`)]), phoneOnly: true }));
    }
    const contrast = lowContrast(el);
    if (contrast) {
      issues.push(issue('contrast', 'warning', l10n.t('Text contrast'), l10n.t('Text in {0} on {1} has a contrast of {2}:1, below 4.5:1: hard to read.', contrast.fg, contrast.bg, contrast.ratio.toFixed(1)), l10n.t('Darken the text or lighten the background (or the reverse) until the contrast is at least 4.5:1.'), at(el, [contrast.fg])));
    }
  }

  const root = elements.find((el) => el.tagName === 'html');
  if (!root?.attribs.lang) {
    issues.push(issue('lang', 'warning', l10n.t('Language'), l10n.t('The message does not say its language (<html lang>): screen readers may read it with the wrong voice.'), l10n.t('Add lang: to the front matter, or lang="…" to <html>.'), root ? at(root, ['<html']) : {}));
  }

  for (const image of input.inlineImages ?? []) {
    if (image.size > LARGE_IMAGE_BYTES) {
      issues.push(issue('image-size', 'warning', l10n.t('Image size'), l10n.t('The image "{0}" is {1}: it slows the message down for everyone, most of all on phones.', image.name, formatBytes(image.size)), l10n.t('Resize or compress the image to well under 1 MB.'), { sourceLine: image.sourceLine, needles: [image.name] }));
    }
  }
  if (input.messageSize !== undefined && input.sizeLimit && input.messageSize > input.sizeLimit) {
    issues.push(issue('message-size', 'error', l10n.t('Message size'), l10n.t('The message is {0}, more than the {1} the server accepts.', formatBytes(input.messageSize), formatBytes(input.sizeLimit)), l10n.t('Make the images smaller, or link to large files instead of attaching them.')));
  }
  const htmlBytes = Buffer.byteLength(input.html, 'utf8');
  if (htmlBytes > GMAIL_CLIP_BYTES) {
    issues.push(issue('gmail-clip', 'warning', l10n.t('Gmail clipping'), l10n.t('The HTML is {0}, over the 102 KB at which Gmail cuts the message and shows "View entire message".', formatBytes(htmlBytes)), l10n.t('Shorten the message or simplify its markup.'), { clients: ['Gmail'], families: ['Gmail'] }));
  }
  return issues;
}

/** An address as HTML quotes it, then as Markdown writes it, then anywhere: the image's src is not the link's href. */
function quoted(refs: string[]): string[] {
  return refs.flatMap((r) => [`"${r}"`, `'${r}'`, `(${r})`, `<${r}>`, `=${r}`, r]);
}

function textOf(el: Element): string {
  let text = '';
  for (const child of el.children) {
    if (child.type === 'text') text += (child as unknown as { data: string }).data;
    else if ('children' in child) text += textOf(child as Element);
  }
  return text;
}

function hasDescendant(el: Element, test: (d: Element) => boolean): boolean {
  for (const child of el.children) {
    if ('attribs' in child && (test(child) || hasDescendant(child, test))) return true;
  }
  return false;
}

/** A width in px fixed by the attribute or the inline style, unless a max-width lets it shrink. */
function fixedWidth(el: Element): number | undefined {
  const style = el.attribs.style ?? '';
  if (styleValue(style, 'max-width') !== undefined) return undefined;
  const css = /^(\d+)(px)?$/.exec(styleValue(style, 'width') ?? '');
  if (css) return Number(css[1]);
  if (styleValue(style, 'width') !== undefined) return undefined;
  const attr = /^(\d+)$/.exec(el.attribs.width ?? '');
  return attr ? Number(attr[1]) : undefined;
}

/** The element's own inline text colour against the nearest inline background (its own or an ancestor's). */
function lowContrast(el: Element): { fg: string; bg: string; ratio: number } | undefined {
  const fgText = styleValue(el.attribs.style ?? '', 'color');
  const fg = fgText && parseColor(fgText);
  if (!fgText || !fg) return undefined;
  for (let node: Element | null = el; node && 'attribs' in node; node = node.parent as Element | null) {
    const style = node.attribs.style ?? '';
    const bgText = styleValue(style, 'background-color') ?? styleValue(style, 'background') ?? node.attribs.bgcolor;
    if (bgText === undefined) continue;
    const bg = parseColor(bgText);
    if (!bg) return undefined;
    const ratio = contrastRatio(fg, bg);
    return ratio < 4.5 ? { fg: fgText, bg: bgText, ratio } : undefined;
  }
  return undefined;
}
