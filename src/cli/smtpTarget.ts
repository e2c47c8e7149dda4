/** The SMTP server the flags name, and its password: read from SEND_AS_EMAIL_PASSWORD, never from a flag. */
import { ErrorCode, SendAsEmailError } from '../core/errors';
import type { SmtpTarget } from '../core/types';
import { PASSWORD_ENV, type CliOptions } from './options';

export function smtpTarget(opts: CliOptions, env: NodeJS.ProcessEnv): SmtpTarget {
  const s = opts.settings.smtp;
  if (!s.host) {
    throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, 'No SMTP server given: use --host (or sendAsEmail.smtp.host in --settings).');
  }
  const password = env[PASSWORD_ENV];
  if (s.user && !password) {
    throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, `No password for ${s.user} at ${s.host}:${s.port}: set the environment variable ${PASSWORD_ENV}; nothing was sent.`);
  }
  return { ...s, password: s.user ? password : undefined };
}
