/**
 * The checks every adapter makes before it connects, each written once with one wording: no SMTP server, no
 * password for a login, no recipient. The adapter says what to do about it (`hint`): a setting in VS Code, a flag
 * or an environment variable on the command line.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';

/** SMTP_NOT_CONFIGURED when no server is named. */
export function requireSmtpHost(s: { host: string }, hint: string): void {
  if (!s.host.trim()) throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, l10n.t('No SMTP server is set (sendAsEmail.smtp.host is empty), so nothing was sent.'), { hint });
}

/** SMTP_PASSWORD_MISSING when a login has no password. */
export function requirePassword(t: { user: string; host: string; port: number; password?: string }, hint: string): void {
  if (t.user && !t.password) {
    throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, l10n.t('No password for {0} at {1}:{2}, so nothing was sent.', t.user, t.host, t.port), { hint });
  }
}

/** NO_RECIPIENTS when the envelope has no recipient. */
export function requireRecipients(envelope: { to: readonly string[] }, subject: string, hint: string): void {
  if (envelope.to.length === 0) throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, l10n.t('"{0}" has no recipients, so nothing was sent.', subject), { hint });
}
