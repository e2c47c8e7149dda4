/** The SMTP server the flags name, and its password: read from SEND_AS_EMAIL_PASSWORD, never from a flag. */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import type { SmtpTarget } from '../core/types';
import { PASSWORD_ENV, type CliOptions } from './options';

export function smtpTarget(opts: CliOptions, env: NodeJS.ProcessEnv): SmtpTarget {
  const s = opts.settings.smtp;
  if (!s.host) {
    throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, l10n.t('No SMTP server given: use --host (or sendAsEmail.smtp.host in --settings).'));
  }
  const password = env[PASSWORD_ENV];
  if (s.user && !password) {
    throw new SendAsEmailError(
      ErrorCode.SMTP_PASSWORD_MISSING,
      l10n.t('No password for {0} at {1}:{2}: set the environment variable {3}; nothing was sent.', s.user, s.host, s.port, PASSWORD_ENV),
    );
  }
  return { ...s, password: s.user ? password : undefined };
}
