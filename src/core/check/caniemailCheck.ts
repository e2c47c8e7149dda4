/**
 * The client compatibility part of the check: the sent HTML through caniemail, its per-client, per-occurrence
 * verdicts grouped into one issue per feature and severity, with the clients affected, a fix and the test date.
 */
import * as l10n from '@vscode/l10n';
import { clientName, familyOf, isPhoneClient, joinList } from './clients';
import { fixFor } from './fixes';
import { needlesForTitle, TextLines } from './lines';
import type { CheckEngine } from './loadEngine';
import type { EngineFinding } from './caniemailEngine';
import type { CheckIssue } from './types';

/** Lines a finding was seen on, for the source mapping: its feature title is the needle. */
export interface CaniemailIssue extends CheckIssue {
  /** The data's title, to search for in the source (`background-image`, `display:flex`, `<svg> element`). */
  title: string;
}

/**
 * caniemail gives lines inside a `<style>` relative to the style sheet, and none for at-rules: each style sheet is
 * checked on its own and its lines moved to where it sits in the HTML, which is checked with the style sheets emptied
 * (newlines kept, so its lines stay right).
 */
export function runOnHtml(engine: CheckEngine, html: string, clients: readonly string[]): EngineFinding[] {
  const findings: EngineFinding[] = [];
  const styleRe = /(<style\b[^>]*>)([\s\S]*?)(<\/style\s*>)/gi;
  const emptied = html.replace(styleRe, (_whole: string, open: string, css: string, close: string, offset: number) => {
    const startLine = lineAt(html, offset + open.length);
    if (css.trim()) {
      const lines = new TextLines(css);
      for (const f of engine.runCaniemail({ css, clients })) {
        // At-rules come without a position: the line is where the rule is written in this style sheet.
        const line = f.line ?? lines.find(needlesForTitle(f.title)) ?? 1;
        findings.push({ ...f, line: startLine + line - 1 });
      }
    }
    return open + css.replace(/[^\n]/g, '') + close;
  });
  const { html: distinct, lines } = distinctTags(emptied);
  for (const f of engine.runCaniemail({ html: distinct, clients })) findings.push({ ...f, line: f.line === undefined ? undefined : lines[f.line - 1] });
  return findings;
}

const TAG_OR_COMMENT = /<!--[\s\S]*?-->|<([a-zA-Z][^\s/>]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)*)\s*\/?>/g;
const ATTRIBUTE = /\s+([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const URL_ATTRIBUTES = new Set(['src', 'href', 'background', 'poster']);
const TEXT_ATTRIBUTES = new Set(['alt', 'title', 'class', 'id', 'name', 'aria-label']);

/**
 * caniemail looks at each element alone (its name, attributes, inline style, image format), and a newsletter repeats
 * the same few tags hundreds of times (CSS inlining gives every paragraph the same style). It is given one line per
 * distinct tag instead, in the order first seen; `lines[i]` is the HTML line of line i + 1. Addresses keep only what
 * the data reads (scheme, file extension, data: type), texts nothing.
 */
export function distinctTags(html: string): { html: string; lines: number[] } {
  const text = new TextLines(html);
  const seen = new Set<string>();
  const out: string[] = [];
  const lines: number[] = [];
  for (const m of html.matchAll(TAG_OR_COMMENT)) {
    let tag: string;
    if (m[1] === undefined) tag = '<!-- -->';
    else {
      const name = m[1].toLowerCase();
      const attributes = (m[2] ?? '').replace(ATTRIBUTE, (_a, key: string, value: string | undefined) => {
        const k = key.toLowerCase();
        if (value === undefined) return ` ${k}`;
        const v = value.replace(/^["']|["']$/g, '');
        const kept = URL_ATTRIBUTES.has(k) ? urlShape(v) : TEXT_ATTRIBUTES.has(k) ? 'x' : v;
        return ` ${k}="${kept.replace(/"/g, '&quot;')}"`;
      });
      tag = VOID.has(name) ? `<${name}${attributes}>` : `<${name}${attributes}></${name}>`;
    }
    if (seen.has(tag)) continue;
    seen.add(tag);
    out.push(tag);
    lines.push(text.lineOf(m.index ?? 0));
  }
  // Inside one element: caniemail checks a top-level <style> (or comment) only below an element.
  return { html: `<html>${out.join('\n')}</html>`, lines };
}

function urlShape(url: string): string {
  const data = /^\s*data:([^;,]*)/i.exec(url);
  if (data) return `data:${data[1]};base64,x`;
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const ext = /\.([a-z0-9]+)$/i.exec(url.split(/[?#]/, 1)[0] ?? '')?.[1];
  return `${scheme ? `${scheme}:` : ''}x${ext ? `.${ext}` : ''}`;
}

/**
 * Every sent message has these (compose writes them): webmail replaces the document's skeleton with its own, and a
 * client that ignores the color-scheme hint shows the message as if it were absent. The data marks them unsupported,
 * which no author can act on, and would fail every `check`.
 */
const SKELETON = new Set([
  '<html> element',
  '<head> element',
  '<body> element',
  '<meta> element',
  '<title> element',
  'HTML5 doctype',
  'color-scheme meta tag',
]);

export function groupFindings(engine: CheckEngine, findings: readonly EngineFinding[], clientOrder: readonly string[]): CaniemailIssue[] {
  const groups = new Map<string, { title: string; support: 'none' | 'partial'; clients: Set<string>; notes: Set<string>; line?: number }>();
  for (const f of findings) {
    // Partial support with no note says nothing the author can act on (`<img> element` in Thunderbird, say).
    if (f.support === 'partial' && f.notes.length === 0) continue;
    if (SKELETON.has(f.title)) continue;
    const key = `${f.support} ${f.title}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { title: f.title, support: f.support, clients: new Set(), notes: new Set() }));
    g.clients.add(f.client);
    for (const n of f.notes) g.notes.add(n);
    if (f.line !== undefined && (g.line === undefined || f.line < g.line)) g.line = f.line;
  }
  const issues: CaniemailIssue[] = [];
  for (const g of groups.values()) {
    const ids = clientOrder.filter((c) => g.clients.has(c));
    const feature = engine.featureByTitle(g.title);
    const slug = feature?.slug ?? g.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const clients = ids.map(clientName);
    const list = joinList(clients);
    issues.push({
      id: `caniemail:${slug}`,
      title: g.title,
      severity: g.support === 'none' ? 'error' : 'warning',
      feature: g.title,
      clients,
      families: [...new Set(ids.map(familyOf))],
      line: g.line,
      message:
        g.support === 'none'
          ? l10n.t('{0} is not supported by {1}.', g.title, list)
          : l10n.t('{0} is only partly supported by {1}.', g.title, list),
      fix: fixFor(slug, g.title),
      testedDate: feature?.lastTestDate,
      phoneOnly: ids.every(isPhoneClient) || undefined,
      notes: g.support === 'partial' ? [...g.notes] : undefined,
    });
  }
  return issues;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
