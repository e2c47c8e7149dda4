/**
 * What the Clients tab shows for one check of the HTML as sent: the report of src/core/check/ turned into rows
 * (issues) and columns (client families). Pure: no `vscode`, no state.
 */
import type { CheckIssue, CheckReport } from '../core/check/types';
import type { ClientIssueView, ClientsView } from './messages';

/** Issues the preview already shows in its warnings bar (the Gmail clip), not repeated in the tab. */
const SHOWN_ELSEWHERE = new Set(['gmail-clip']);

function issueView(issue: CheckIssue, report: CheckReport): ClientIssueView {
  return {
    severity: issue.severity,
    feature: issue.feature,
    message: issue.message,
    fix: issue.fix,
    ...(issue.testedDate ? { testedDate: issue.testedDate } : {}),
    ...(issue.sourceLine ? { line: issue.sourceLine } : issue.line ? { sentLine: issue.line } : {}),
    ...(issue.count && issue.count > 1 ? { count: issue.count } : {}),
    phoneOnly: !!issue.phoneOnly,
    notes: issue.notes ?? [],
    cells: report.families.map((family) =>
      issue.families.includes(family) ? { mark: issue.severity, clients: issue.clients.filter((c) => report.familyOf[c] === family) } : null,
    ),
  };
}

/** The report as the tab shows it: issues about clients in the table, the others (alt, links, contrast) below it. */
export function clientsView(report: CheckReport): ClientsView {
  const issues: ClientIssueView[] = [];
  const other: ClientIssueView[] = [];
  for (const issue of report.issues) {
    if (SHOWN_ELSEWHERE.has(issue.id)) continue;
    (issue.clients.length > 0 ? issues : other).push(issueView(issue, report));
  }
  return { families: report.families, issues, other, untested: report.untested, unknownClients: report.unknownClients, dataDate: report.dataDate };
}

/** The tab when the check could not run: why, and nothing else claimed. */
export function failedClientsView(reason: string): ClientsView {
  return { families: [], issues: [], other: [], untested: [], unknownClients: [], dataDate: '', failed: reason };
}
