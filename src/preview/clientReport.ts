/**
 * What the Clients tab shows for one check of the HTML as sent: the report of src/core/check/ turned into rows
 * (issues) and columns (client families). Pure: no `vscode`, no state.
 */
import type { CheckIssue, CheckReport } from '../core/check/types';
import type { ClientIssueView, ClientsView } from './messages';

/** A client's family: `Outlook (Windows)` belongs to `Outlook`, `Thunderbird` to itself. */
export function inFamily(client: string, family: string): boolean {
  return client === family || client.startsWith(`${family} (`);
}

function issueView(issue: CheckIssue, families: readonly string[]): ClientIssueView {
  return {
    severity: issue.severity,
    feature: issue.feature,
    message: issue.message,
    fix: issue.fix,
    ...(issue.testedDate ? { testedDate: issue.testedDate } : {}),
    ...(issue.sourceLine ? { line: issue.sourceLine } : issue.line ? { sentLine: issue.line } : {}),
    phoneOnly: !!issue.phoneOnly,
    notes: issue.notes ?? [],
    clients: issue.clients,
    cells: families.map((family) => (issue.clients.some((c) => inFamily(c, family)) ? issue.severity : null)),
  };
}

/** The report as the tab shows it: issues about clients in the table, the others (alt, links, contrast) below it. */
export function clientsView(report: CheckReport): ClientsView {
  const issues: ClientIssueView[] = [];
  const other: ClientIssueView[] = [];
  for (const issue of report.issues) (issue.clients.length > 0 ? issues : other).push(issueView(issue, report.families));
  return { families: report.families, issues, other, untested: report.untested, dataDate: report.dataDate };
}

/** The tab when the check could not run: why, and nothing else claimed. */
export function failedClientsView(reason: string): ClientsView {
  return { families: [], issues: [], other: [], untested: [], dataDate: '', failed: reason };
}
