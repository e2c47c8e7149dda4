/**
 * `send-as-email check FILE [--clients LIST] [--format text|json]`: composes FILE as `build` does and reports what
 * recipients will see: the client compatibility issues from the caniemail data, and the image, link, size and
 * accessibility checks. Exit 0 with no errors (warnings allowed), 1 with errors, 2 for bad input.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { checkMessage } from '../../core/check/checkMessage';
import { joinList } from '../../core/check/clients';
import type { CheckIssue, CheckReport } from '../../core/check/types';
import { ExitCode } from '../../core/errors';
import { composePreview } from '../../core/message/compose';
import { documentOf } from '../document';
import type { Io } from '../io';
import { usage, type CliOptions } from '../options';

/** From is needed to compose; a document to check may name none, and no part of the check depends on it. */
const PLACEHOLDER_FROM = 'check@example.invalid';

export async function check(opts: CliOptions, io: Io): Promise<number> {
  const { doc, options } = documentOf(opts, io);
  if (!options.settings.from.trim()) options.settings.from = PLACEHOLDER_FROM;
  const composed = await composePreview(doc, options);
  const kind = /\.html?$/i.test(doc.path) ? 'html' : 'markdown';
  const report = await checkMessage({
    html: composed.html,
    sourceText: doc.text,
    sourceKind: kind,
    customStylesheet: Boolean(options.settings.markdown.stylesheet),
    clients: options.settings.check.clients,
    disable: options.settings.check.disable,
    messageSize: composed.size,
    inlineImages: composed.inlineImages.map((img) => ({ name: img.filename, size: img.size, sourceLine: img.refs[0]?.line })),
  });
  if (report.unknownClients.length > 0) {
    throw usage(l10n.t('--clients: unknown client "{0}"; use families such as gmail, outlook, apple-mail, yahoo, thunderbird, or ids such as outlook.windows.', joinList(report.unknownClients)));
  }
  const file = path.relative(io.cwd, doc.path) || doc.path;
  io.out(opts.format === 'json' ? JSON.stringify(jsonReport(file, report), null, 2) : textReport(file, report));
  return report.issues.some((i) => i.severity === 'error') ? ExitCode.FAILED : ExitCode.OK;
}

/** The line an issue points at: in the source document when found there, else in the HTML as sent. */
function where(issue: CheckIssue): { line?: number; in: 'source' | 'html' } {
  return issue.sourceLine ? { line: issue.sourceLine, in: 'source' } : { line: issue.line, in: 'html' };
}

function jsonReport(file: string, report: CheckReport): unknown {
  return {
    file,
    issues: report.issues.map((i) => ({
      id: i.id,
      severity: i.severity,
      feature: i.feature,
      clients: i.clients,
      line: where(i).line ?? null,
      lineIn: where(i).in,
      htmlLine: i.line ?? null,
      message: i.message,
      fix: i.fix,
      ...(i.notes?.length ? { notes: i.notes } : {}),
      ...(i.testedDate ? { tested: i.testedDate } : {}),
      ...(i.count ? { count: i.count } : {}),
      ...(i.phoneOnly ? { phoneOnly: true } : {}),
    })),
    clients: report.clients,
    untested: report.untested,
    dataDate: report.dataDate,
  };
}

function textReport(file: string, report: CheckReport): string {
  const lines: string[] = [];
  const errors = report.issues.filter((i) => i.severity === 'error').length;
  const warnings = report.issues.length - errors;
  lines.push(l10n.t('{0}: {1} errors, {2} warnings.', file, errors, warnings));
  lines.push(l10n.t('Clients checked: {0} (caniemail data of {1}).', joinList(report.clients), report.dataDate));
  for (const issue of report.issues) {
    const at = where(issue);
    const place = at.line === undefined ? file : at.in === 'source' ? `${file}:${at.line}` : l10n.t('{0} (line {1} of the HTML as sent)', file, at.line);
    const label = issue.severity === 'error' ? l10n.t('error') : l10n.t('warning');
    lines.push('');
    lines.push(`${place}: ${label} [${issue.id}] ${issue.message}${issue.count ? ' ' + l10n.t('({0} places)', issue.count) : ''}`);
    for (const note of issue.notes ?? []) lines.push(`    ${note}`);
    lines.push('    ' + l10n.t('Fix: {0}', issue.fix));
    const facts = [issue.testedDate ? l10n.t('tested {0}', issue.testedDate) : '', issue.phoneOnly ? l10n.t('matters at phone width') : ''].filter(Boolean);
    if (facts.length > 0) lines.push('    ' + l10n.t('({0})', joinList(facts)));
  }
  lines.push('');
  lines.push(l10n.t('Not in the caniemail data, so not checked: {0}. Test in them yourself.', joinList(report.untested)));
  if (report.issues.length > 0) lines.push(l10n.t('Switch a rule off with sendAsEmail.check.disable and its id (in brackets).'));
  return lines.join('\n');
}
