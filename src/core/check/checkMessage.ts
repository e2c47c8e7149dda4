/**
 * The recipients check's entry: what the preview's Clients tab and `send-as-email check` call. Runs the caniemail
 * data (loaded on the first call), the rules the data misses and the other checks on the sent HTML, then finds each
 * issue's line in the source document.
 */
import type { AnyNode, Element } from 'domhandler';
import { forEachElement } from '../source/dom';
import { DEFAULT_STYLESHEET } from '../source/stylesheet';
import { groupFindings, runOnHtml } from './caniemailCheck';
import { clientName, familyOf, resolveClients, untestedClients } from './clients';
import { extraRules } from './extraRules';
import * as l10n from '@vscode/l10n';
import { mapToSource, needlesForTitle, TextLines, type LocatedIssue } from './lines';
import { loadEngine } from './loadEngine';
import { otherChecks } from './otherChecks';
import { DEFAULT_CHECK_CLIENTS, type CheckInput, type CheckIssue, type CheckReport } from './types';

export interface CheckEnvironment {
  /** The folder holding check.js (default: the running bundle's). */
  engineDir?: string;
}

export async function checkMessage(input: CheckInput, env: CheckEnvironment = {}): Promise<CheckReport> {
  const engine = loadEngine(env.engineDir);
  const disabled = new Set((input.disable ?? []).map((d) => d.trim().toLowerCase()));
  const asked = input.clients && input.clients.length > 0 ? input.clients : DEFAULT_CHECK_CLIENTS;
  const { ids, unknown } = resolveClients(asked, engine.engineClients);

  // htmlparser2 (in the engine's bundle, as caniemail uses it): several times faster than a parse5 parse with lines.
  const { document } = engine.parseHtml(input.html);
  const elements: Element[] = [];
  forEachElement(document as unknown as AnyNode, (el) => void elements.push(el));
  const html = new TextLines(input.html);
  const lineOf = (el: Element): number | undefined => (el.startIndex === null ? undefined : html.lineOf(el.startIndex));
  const styles: { css: string; offset: number }[] = [];
  for (const m of input.html.matchAll(/(<style\b[^>]*>)([\s\S]*?)<\/style\s*>/gi)) styles.push({ css: m[2], offset: (m.index ?? 0) + m[1].length });

  const found: LocatedIssue[] = [];
  if (!disabled.has('caniemail') && ids.length > 0) {
    for (const issue of groupFindings(engine, runOnHtml(engine, input.html, ids), ids)) {
      const { title, ...rest } = issue;
      found.push({ ...rest, needles: needlesForTitle(title) });
    }
  }
  found.push(...extraRules({ elements, styles, html, engine, clients: ids, lineOf }), ...otherChecks(elements, input, lineOf));

  const kept = collapse(found.filter((i) => !isDisabled(i.id, disabled)));
  mapToSource(kept, input.sourceText);
  if (input.sourceKind === 'markdown' && !input.customStylesheet) softenBuiltIn(kept);
  const issues: CheckIssue[] = kept
    .map(({ needles: _needles, ...issue }) => issue)
    .sort((a, b) => (a.severity === b.severity ? (a.line ?? 0) - (b.line ?? 0) : a.severity === 'error' ? -1 : 1));
  return {
    issues,
    clients: ids.map(clientName),
    families: [...new Set(ids.map(familyOf))],
    familyOf: Object.fromEntries(ids.map((id) => [clientName(id), familyOf(id)])),
    untested: untestedClients(),
    dataDate: engine.dataDate,
    unknownClients: unknown,
  };
}

/**
 * The built-in Markdown stylesheet uses media queries and a few properties some clients ignore, on purpose: the
 * message reads well without them. What only it brings is a warning, said to come from it, not an error: otherwise
 * every Markdown document would fail `check`.
 */
function softenBuiltIn(issues: LocatedIssue[]): void {
  const builtIn = new TextLines(DEFAULT_STYLESHEET);
  for (const issue of issues) {
    if (issue.severity !== 'error' || !issue.id.startsWith('caniemail:') || issue.sourceLine || !issue.needles) continue;
    if (builtIn.find(issue.needles) === undefined) continue;
    issue.severity = 'warning';
    issue.message = l10n.t('{0} It comes from the built-in stylesheet, which is written to read well without it.', issue.message);
  }
}

/** `caniemail:css-position` is switched off by itself or by `css-position`; `caniemail` switches off the whole data. */
function isDisabled(id: string, disabled: ReadonlySet<string>): boolean {
  return disabled.has(id) || (id.startsWith('caniemail:') && disabled.has(id.slice('caniemail:'.length)));
}

/** The same finding in many places (every layout table, say) is one issue: the first place, and a count. */
function collapse(issues: LocatedIssue[]): LocatedIssue[] {
  const byKey = new Map<string, LocatedIssue>();
  for (const issue of issues) {
    const key = `${issue.id} ${issue.severity} ${issue.message}`;
    const first = byKey.get(key);
    if (first) first.count = (first.count ?? 1) + 1;
    else byKey.set(key, issue);
  }
  return [...byKey.values()];
}
