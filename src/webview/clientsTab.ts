// The Clients tab (part of the page script, src/webview/preview.ts): the check of the HTML as sent against
// recipients' email clients. A table with one row per issue and one column per client family; clicking an issue
// reveals its line in the source. Its count goes to the warnings bar. The extension posts it (`clients`) once the
// page has shown the render it belongs to.
import type { ClientIssueView, ClientsView, ToWebview } from '../preview/messages';
import { t } from './strings';
import { post } from './vscodeApi';

type ClientsMessage = Extract<ToWebview, { type: 'clients' }>;

const view = document.getElementById('view-clients') as HTMLElement;
const tab = document.getElementById('tab-clients') as HTMLElement;
/** The report shown, and which render of which document it checked. */
let shown: ClientsMessage | null = null;
let phoneWidth = false;

function el(tag: string, className?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function revealButton(line: number, text: string): HTMLElement {
  const b = el('button', 'link reveal', text);
  b.setAttribute('type', 'button');
  b.title = t('Reveal line {0} in the editor', line);
  b.addEventListener('click', () => post({ type: 'revealLine', line }));
  return b;
}

/** The feature, what recipients see, the fix, and the data's notes: the first cell of a row. */
function describe(issue: ClientIssueView): HTMLElement {
  const cell = el('td', 'issue-text');
  const feature = issue.line ? revealButton(issue.line, issue.feature) : el('span', 'feature', issue.feature);
  feature.classList.add('feature');
  cell.appendChild(feature);
  if (issue.phoneOnly) {
    const phone = el('span', 'phone', t('Phone'));
    phone.title = t('Matters at phone width');
    cell.appendChild(phone);
  }
  cell.appendChild(el('div', 'message', issue.count ? t('{0} ({1} places)', issue.message, issue.count) : issue.message));
  cell.appendChild(el('div', 'fix', t('Fix: {0}', issue.fix)));
  for (const note of issue.notes) cell.appendChild(el('div', 'note', note));
  return cell;
}

function lineCell(issue: ClientIssueView): HTMLElement {
  const cell = el('td', 'line');
  if (issue.line) cell.appendChild(revealButton(issue.line, String(issue.line)));
  else if (issue.sentLine) cell.textContent = t('HTML line {0}', issue.sentLine);
  return cell;
}

function row(issue: ClientIssueView): HTMLElement {
  const tr = el('tr', `issue ${issue.severity}${issue.phoneOnly ? ' phone-only' : ''}`);
  tr.appendChild(describe(issue));
  for (const cell of issue.cells) {
    const td = el('td', `mark ${cell?.mark ?? 'none'}`, cell?.mark === 'error' ? '✖' : cell ? '◐' : '');
    if (cell) td.title = cell.mark === 'error' ? t('Not supported: {0}', cell.clients.join(', ')) : t('Partly supported: {0}', cell.clients.join(', '));
    tr.appendChild(td);
  }
  tr.appendChild(lineCell(issue));
  tr.appendChild(el('td', 'tested', issue.testedDate ?? ''));
  return tr;
}

function table(issues: ClientIssueView[], families: string[], className: string, first: string): HTMLElement {
  const tbl = el('table', className);
  const head = el('tr');
  for (const h of [first, ...families, t('Line'), t('Tested')]) head.appendChild(el('th', undefined, h));
  tbl.appendChild(head);
  for (const issue of issues) tbl.appendChild(row(issue));
  return tbl;
}

function count(report: ClientsView): number {
  return report.issues.length + report.other.length;
}

function render(report: ClientsView): void {
  view.textContent = '';
  view.classList.toggle('at-phone-width', phoneWidth);
  if (report.failed !== undefined) {
    view.appendChild(el('p', 'failed', t('The check of recipients’ email clients did not run: {0}', report.failed)));
    tab.textContent = t('Clients');
    return;
  }
  const n = count(report);
  tab.textContent = n ? t('Clients ({0})', n) : t('Clients');
  view.appendChild(
    el('p', 'summary', report.issues.length ? t('Checked the HTML as sent against: {0}.', report.families.join(', ')) : t('No issues found for: {0}.', report.families.join(', '))),
  );
  if (report.issues.length) {
    view.appendChild(table(report.issues, report.families, 'clients-table', t('Feature')));
    view.appendChild(el('p', 'legend', t('✖ not supported, ◐ partly supported. Issues marked Phone matter at phone width.')));
  }
  if (report.other.length) view.appendChild(table(report.other, [], 'other-table', t('Other checks')));
  if (report.unknownClients.length) view.appendChild(el('p', 'unknown', t('Not checked, unknown to the data: {0}. See sendAsEmail.check.clients.', report.unknownClients.join(', '))));
  if (report.untested.length) view.appendChild(el('p', 'untested', t('Not covered by the data: {0}. Nothing is known about how they show this message.', report.untested.join(', '))));
  if (report.dataDate) view.appendChild(el('p', 'data-date', t('Data from caniemail.com, last tested {0}.', report.dataDate)));
}

/** The warnings bar's line for the report (none while there is no report or no issue): it opens the tab. */
export function clientsSummary(): HTMLElement | null {
  const n = shown ? count(shown.report) : 0;
  if (!shown || n === 0) return null;
  const li = el('li', 'warning clients-summary');
  const b = el('button', 'item link warning', n === 1 ? t('1 issue for recipients’ email clients: see the Clients tab') : t('{0} issues for recipients’ email clients: see the Clients tab', n));
  b.setAttribute('type', 'button');
  b.addEventListener('click', () => tab.click());
  li.appendChild(b);
  return li;
}

/** Puts the summary in the warnings bar in place of the previous one (the bar shows when it has a line). */
function placeSummary(): void {
  const list = document.getElementById('warning-list');
  if (!list) return;
  list.querySelector('.clients-summary')?.remove();
  const item = clientsSummary();
  if (item) list.appendChild(item);
  (document.getElementById('warnings') as HTMLElement).hidden = list.childElementCount === 0;
}

/** A report for `documentKey` (the document the page shows): an older render's report never replaces a newer one. */
export function onClients(msg: ClientsMessage, documentKey: string | null): void {
  if (msg.documentKey !== documentKey) return;
  if (shown && shown.documentKey === msg.documentKey && msg.renderId < shown.renderId) return;
  shown = msg;
  render(msg.report);
  placeSummary();
}

/** Another document: its report is still to come. */
export function forgetClients(): void {
  shown = null;
  view.textContent = '';
  view.appendChild(el('p', 'pending', t('The check of recipients’ email clients runs once the email is shown.')));
  tab.textContent = t('Clients');
}

/** The preview's width changed: at a phone width the rows that matter there stand out. */
export function setPhoneWidth(on: boolean): void {
  phoneWidth = on;
  view.classList.toggle('at-phone-width', on);
}
