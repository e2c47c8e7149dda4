/**
 * The SMTP server a command sends through, and its credential: the account (--account, else the document's
 * `account:`, the default account or the smtp.* keys) with the SMTP flags on top; the password from
 * SEND_AS_EMAIL_PASSWORD, or an OAuth 2.0 token from --token-command, SEND_AS_EMAIL_ACCESS_TOKEN or the account's
 * oauth2.tokenCommand. Never from a flag's value.
 */
import * as l10n from '@vscode/l10n';
import { accountLabel, accountSmtpSettings, pickAccount, type Account } from '../core/accounts/accounts';
import { TokenCommandSource } from '../core/accounts/tokenCommand';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import type { OAuth2Credential, SmtpTarget } from '../core/types';
import type { Io } from './io';
import { ACCESS_TOKEN_ENV, PASSWORD_ENV, type CliOptions } from './options';

export async function smtpTarget(opts: CliOptions, io: Pick<Io, 'env' | 'cwd'>, documentAccount?: string): Promise<SmtpTarget> {
  const account = pickAccount(opts.settings, opts.account ?? documentAccount);
  const s = { ...accountSmtpSettings(account, opts.settings), ...opts.smtpFlags };
  if (!s.host) {
    throw new SendAsEmailError(
      ErrorCode.SMTP_NOT_CONFIGURED,
      account.name
        ? l10n.t('Account "{0}" has no host: set it in sendAsEmail.accounts or use --host.', account.name)
        : l10n.t('No SMTP server given: use --host (or sendAsEmail.smtp.host in --settings).'),
    );
  }
  const where = `${s.host}:${s.port}`;
  if ((opts.auth ?? account.auth) === 'oauth2') {
    if (!s.user) {
      throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, l10n.t('OAuth 2.0 sign-in needs the account\'s user (the mailbox address): use --user or set "user" for {0}.', accountLabel(account)));
    }
    return { ...s, oauth2: await oauthCredential(opts, io, account, where), provider: account.provider };
  }
  const password = io.env[PASSWORD_ENV];
  if (s.user && !password) {
    throw new SendAsEmailError(
      ErrorCode.SMTP_PASSWORD_MISSING,
      l10n.t('No password for {0} at {1}:{2}: set the environment variable {3}; nothing was sent.', s.user, s.host, s.port, PASSWORD_ENV),
    );
  }
  return { ...s, password: s.user ? password : undefined, provider: account.provider };
}

/**
 * --token-command first, then SEND_AS_EMAIL_ACCESS_TOKEN, then the account's oauth2.tokenCommand. A token from the
 * environment is refreshed through the account's command, when it has one, if the server refuses it.
 */
async function oauthCredential(opts: CliOptions, io: Pick<Io, 'env' | 'cwd'>, account: Account, where: string): Promise<OAuth2Credential> {
  const command = opts.tokenCommand ?? account.oauth2?.tokenCommand;
  const source = command ? new TokenCommandSource(command, { cwd: io.cwd, env: { ...process.env, ...io.env } }) : undefined;
  const fromEnv = io.env[ACCESS_TOKEN_ENV]?.trim();
  if (source && (opts.tokenCommand || !fromEnv)) return source.credential();
  if (fromEnv) return { accessToken: fromEnv, refresh: source ? () => source.fresh() : undefined };
  throw new SendAsEmailError(
    ErrorCode.SMTP_PASSWORD_MISSING,
    l10n.t('No access token for {0} at {1}: use --token-command, set oauth2.tokenCommand for the account, or set the environment variable {2}; nothing was sent.', account.user || '?', where, ACCESS_TOKEN_ENV),
  );
}
