/**
 * The login of a session: a password (PLAIN, LOGIN or CRAM-MD5, as the server offers), or an OAuth 2.0 access token
 * (SASL XOAUTH2). A refused token is replaced once by a fresh one (`OAuth2Credential.refresh`) and the AUTH tried
 * again: nodemailer asks for it itself after a `334` challenge, and a bare `535` is retried here.
 */
import * as l10n from '@vscode/l10n';
import type XOAuth2 from 'nodemailer/lib/xoauth2';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { OAuth2Credential, SmtpTarget } from '../types';
import { noOAuthError, oauthOnlyError } from './loginErrors';
import { offeredAuthMethods, usedAuthMethod } from './nodemailerInternals';
import { loginSecrets } from './secrets';
import type { Session } from './session';
import { endpoint } from './smtpErrorContext';

/** Logs in when the target names a user; resolves with the AUTH method used (undefined: no login). */
export async function login(s: Session, target: SmtpTarget): Promise<string | undefined> {
  if (!target.user) return undefined;
  s.ctx.phase = 'auth';
  if (!s.conn.allowsAuth) {
    const where = endpoint(s.ctx.host, s.ctx.port);
    throw new SendAsEmailError(
      ErrorCode.SMTP_AUTH_FAILED,
      l10n.t('{0} does not offer a login (no AUTH in its EHLO reply), but sendAsEmail.smtp.user is set to "{1}".', where, target.user),
      { hint: l10n.t('Clear sendAsEmail.smtp.user if this server needs no login, or check the host and port.') },
    );
  }
  const offered = offeredAuthMethods(s.conn);
  if (target.oauth2) {
    const refused = noOAuthError(s.ctx, offered);
    if (refused) throw refused;
    await loginWithToken(s, target.user, target.oauth2);
  } else {
    const refused = oauthOnlyError(s.ctx, offered);
    if (refused) throw refused;
    await s.step<boolean | undefined>((done) => s.conn.login({ user: target.user, pass: target.password ?? '' }, (err, result) => done(err, result)));
  }
  return usedAuthMethod(s.conn);
}

/** A refusal of the token itself (535, or 334 then 535), as opposed to a dropped connection or a syntax error. */
function isTokenRefused(e: unknown): boolean {
  const err = e as { code?: string; responseCode?: number } | null;
  return !!err && err.code === 'EAUTH' && (err.responseCode === 535 || err.responseCode === 334);
}

async function loginWithToken(s: Session, user: string, credential: OAuth2Credential): Promise<void> {
  let token = credential.accessToken;
  let refreshed = false;
  let refreshError: unknown;
  const refresh = async (): Promise<string> => {
    refreshed = true;
    try {
      token = await (credential.refresh as () => Promise<string>)();
    } catch (e) {
      refreshError = e;
      throw e;
    }
    // Scrubbed from here on (the transcript, the errors), like the first token.
    s.ctx.secrets?.push(...loginSecrets({ user, token }));
    return token;
  };
  const { default: XOAuth2Class } = await import('nodemailer/lib/xoauth2');
  const generator = (): XOAuth2 =>
    new XOAuth2Class({
      user,
      accessToken: token,
      // nodemailer asks for a renewed token after the server's 334 challenge. Without a way to refresh (or once it
      // was used) the same token goes again, so the server's own final refusal is what the user reads.
      provisionCallback: (_user, renew, callback) => {
        if (!renew || !credential.refresh || refreshed) return callback(null, token);
        refresh().then(
          (fresh) => callback(null, fresh),
          (e: unknown) => callback(e as Error),
        );
      },
    });
  const attempt = (): Promise<unknown> => s.step<unknown>((done) => s.conn.login({ user, method: 'XOAUTH2', oauth2: generator() }, (err, result) => done(err, result)));
  try {
    await attempt();
  } catch (e) {
    if (refreshError !== undefined) throw refreshError;
    if (!credential.refresh || refreshed || !isTokenRefused(e)) throw e;
    // A bare 535 (no challenge first): a fresh token, and the AUTH once more.
    await refresh();
    await attempt();
  }
}
