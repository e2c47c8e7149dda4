/** `send-as-email accounts`: the accounts of the --settings file, one line each, the default marked; no secret. */
import * as l10n from '@vscode/l10n';
import { listAccounts, pickAccount, type Account } from '../../core/accounts/accounts';
import { ExitCode } from '../../core/errors';
import type { Io } from '../io';
import type { CliOptions } from '../options';

/** How the account logs in, without the token command's words (they may name files or accounts). */
function authLabel(a: Account): string {
  if (a.auth === 'password') return l10n.t('password');
  return a.oauth2?.tokenCommand ? l10n.t('oauth2 (token command)') : l10n.t('oauth2');
}

export function listAccountsCommand(opts: CliOptions, io: Io): number {
  const accounts = listAccounts(opts.settings);
  if (accounts.length === 0) {
    io.out(l10n.t('No accounts: add sendAsEmail.accounts (or sendAsEmail.smtp.host) to the settings file given with --settings.'));
    return ExitCode.OK;
  }
  const chosen = pickAccount(opts.settings);
  const rows = accounts.map((a) => [
    a === chosen || (a.name === chosen.name && a.host === chosen.host) ? '*' : ' ',
    a.name || l10n.t('(smtp settings)'),
    `${a.host}:${a.port}`,
    a.security,
    a.user || l10n.t('(no login)'),
    authLabel(a),
    a.provider ?? '',
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  for (const r of rows) io.out(r.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join('  ').trimEnd());
  io.out(l10n.t('* the account a document that names none is sent with (send --account NAME picks another).'));
  return ExitCode.OK;
}
