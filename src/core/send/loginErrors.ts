/**
 * The login-error table: a refused login's reply (or what the server offers) → the sentence that says how to log in,
 * and the fix the adapter turns into a button (`LoginFix` in ../errors.ts). Next to the reply table of
 * smtpReplyErrors.ts, which asks this one first for every refused login.
 *
 * | Reply                                                        | Fix                                            |
 * |--------------------------------------------------------------|------------------------------------------------|
 * | Microsoft 5.7.139 … SmtpClientAuthentication is disabled     | the admin turns SMTP AUTH on for the mailbox   |
 * | Microsoft 535 5.7.139 basic authentication is disabled, 5.7.30 | switch the account to OAuth 2.0 (or admin)   |
 * | Gmail 534-5.7.9 Application-specific password required       | create an app password (link)                  |
 * | QQ, 163, 126 (authorization-code providers) 535              | the 授权码, not the login password (link)       |
 * | only XOAUTH2 offered, the account uses a password            | switch the account to OAuth 2.0                |
 * | any other refusal by a known provider's server               | the provider's rule (link)                     |
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, type LoginFix, SendAsEmailError } from '../errors';
import { findProvider, providerForHost, type ProviderPreset } from '../accounts/providers';
import { endpoint, make, type SmtpErrorContext } from './smtpErrorContext';

/** Microsoft's page on OAuth 2.0 for SMTP (what an app registration needs). */
export const MICROSOFT_OAUTH_URL = 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth';
/** Microsoft's page on turning SMTP AUTH on for a mailbox (the link its own 5.7.139 reply gives). */
export const MICROSOFT_SMTP_AUTH_URL = 'https://aka.ms/smtp_auth_disabled';
export const GMAIL_APP_PASSWORD_URL = 'https://myaccount.google.com/apppasswords';

/** What the table says about a refused login: the fix sentence, and the button. */
export interface LoginAdvice {
  /** Which row matched (tests and logs). */
  row: 'microsoft-smtp-auth-disabled' | 'microsoft-basic-auth-disabled' | 'gmail-app-password' | 'authorization-code' | 'oauth2-only' | 'provider-rule';
  hint: string;
  fix?: LoginFix;
}

interface Row {
  row: LoginAdvice['row'];
  matches(reply: string, ctx: SmtpErrorContext, provider: ProviderPreset | undefined): boolean;
  advice(provider: ProviderPreset | undefined): Omit<LoginAdvice, 'row'>;
}

const ROWS: readonly Row[] = [
  {
    // Before basic-auth-disabled: both are 5.7.139, this one names the mailbox (or tenant) setting.
    row: 'microsoft-smtp-auth-disabled',
    matches: (reply) => /SmtpClientAuthentication is disabled/i.test(reply),
    advice: () => ({
      hint: l10n.t('The mailbox has SMTP AUTH turned off: the Microsoft 365 admin must turn on Authenticated SMTP for it (admin center, the user, Mail, Manage email apps).'),
      fix: { kind: 'enableSmtpAuth', url: MICROSOFT_SMTP_AUTH_URL },
    }),
  },
  {
    row: 'microsoft-basic-auth-disabled',
    matches: (reply) => /\b5\.7\.139\b.*basic authentication is disabled/i.test(reply) || /\b5\.7\.30\b/.test(reply) || /basic authentication is not supported/i.test(reply),
    advice: () => ({
      hint: l10n.t('This account needs Microsoft sign-in: switch it to OAuth 2.0 (Email: Add Account, or "auth": "oauth2"), or the admin must enable SMTP AUTH with basic authentication for the mailbox.'),
      fix: { kind: 'switchToOAuth', url: MICROSOFT_OAUTH_URL },
    }),
  },
  {
    row: 'gmail-app-password',
    matches: (reply) => /\b5\.7\.9\b/.test(reply) && /application-specific password/i.test(reply),
    advice: () => ({
      hint: l10n.t('Gmail needs an app password: create one (2-step verification must be on) and enter it instead of your Google password.'),
      fix: { kind: 'openUrl', url: GMAIL_APP_PASSWORD_URL },
    }),
  },
  {
    row: 'authorization-code',
    matches: (reply, ctx, provider) => ctx.auth !== 'oauth2' && /^535\b/.test(reply) && (provider?.auth === 'authorization-code' || /authori[sz]ation code|授权码/i.test(reply)),
    advice: (provider) => ({
      hint: provider
        ? l10n.t('Use the authorization code (授权码) from the {0} mailbox settings (turn on SMTP there), not the login password.', provider.label)
        : l10n.t('Use the authorization code (授权码) from the mailbox settings (turn on SMTP there), not the login password.'),
      fix: provider ? { kind: 'openUrl', url: provider.helpUrl } : undefined,
    }),
  },
  {
    row: 'provider-rule',
    matches: (_reply, ctx, provider) => ctx.auth !== 'oauth2' && !!provider && provider.auth !== 'password',
    advice: (provider) => {
      const p = provider as ProviderPreset;
      return { hint: p.rule, fix: p.auth === 'oauth2-microsoft' ? { kind: 'switchToOAuth', url: p.helpUrl } : { kind: 'openUrl', url: p.helpUrl } };
    },
  },
];

/** The row for a refused login's reply at this server, or undefined (the generic advice stands). */
export function loginAdvice(serverResponse: string | undefined, ctx: SmtpErrorContext): LoginAdvice | undefined {
  const reply = (serverResponse ?? '').trim();
  const provider = (ctx.provider ? findProvider(ctx.provider) : undefined) ?? providerForHost(ctx.host);
  const row = ROWS.find((r) => r.matches(reply, ctx, provider));
  return row ? { row: row.row, ...row.advice(provider) } : undefined;
}

/**
 * Before a password login: a server that offers only XOAUTH2 would refuse it (nodemailer would try PLAIN anyway).
 * SMTP_AUTH_FAILED naming the server and what it offers, with the switch to OAuth 2.0 as the fix; undefined when a
 * password method is offered (or nothing is announced).
 */
export function oauthOnlyError(ctx: SmtpErrorContext, offered: string[]): SendAsEmailError | undefined {
  const passwordMethods = offered.filter((m) => m !== 'XOAUTH2' && m !== 'OAUTHBEARER');
  if (offered.length === 0 || passwordMethods.length > 0) return undefined;
  const where = endpoint(ctx.host, ctx.port);
  return make(
    ErrorCode.SMTP_AUTH_FAILED,
    l10n.t('{0} offers only OAuth 2.0 sign-in ({1}), but the account "{2}" logs in with a password; nothing was sent.', where, offered.join(', '), ctx.user ?? ''),
    ctx,
    {
      hint: l10n.t('Switch the account to OAuth 2.0: "auth": "oauth2" in sendAsEmail.accounts, with Microsoft sign-in or a token command.'),
      fix: { kind: 'switchToOAuth', url: MICROSOFT_OAUTH_URL },
    },
  );
}

/**
 * Before an OAuth 2.0 login: a server that does not offer XOAUTH2. SMTP_AUTH_FAILED naming what it offers;
 * undefined when XOAUTH2 is offered (or nothing is announced: the login then reports the server's own answer).
 */
export function noOAuthError(ctx: SmtpErrorContext, offered: string[]): SendAsEmailError | undefined {
  if (offered.length === 0 || offered.includes('XOAUTH2')) return undefined;
  const where = endpoint(ctx.host, ctx.port);
  return make(
    ErrorCode.SMTP_AUTH_FAILED,
    l10n.t('{0} does not offer OAuth 2.0 sign-in (XOAUTH2; it offers {1}), but the account "{2}" uses it; nothing was sent.', where, offered.join(', '), ctx.user ?? ''),
    ctx,
    { hint: l10n.t('Set "auth": "password" for this account, or check its host and port.') },
  );
}
