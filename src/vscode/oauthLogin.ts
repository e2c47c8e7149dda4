/**
 * OAuth 2.0 access tokens for an account whose `auth` is `oauth2`: its token command when it has one, else Microsoft
 * sign-in through VS Code's own `microsoft` authentication provider (the organisation's app registration named by
 * `oauth2.clientId` and `oauth2.tenant`). A token is never stored by us: VS Code keeps the session, the command
 * prints a fresh one. The log is told to hide each token (and its XOAUTH2 blob) before anything could print it.
 */
import * as vscode from 'vscode';
import type { Account } from '../core/accounts/accounts';
import type { TokenCommandSource } from '../core/accounts/tokenCommand';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import type { OAuth2Credential } from '../core/types';
import type { Log } from './log';

/** The permission SMTP needs, and the refresh token that spares the user from signing in every hour. */
export const MICROSOFT_SMTP_SCOPES = ['https://outlook.office.com/SMTP.Send', 'offline_access'] as const;

/** The scopes asked of the `microsoft` provider for `account`: its app registration and tenant as pseudo-scopes. */
export function microsoftScopes(account: Account): string[] {
  const scopes: string[] = [...MICROSOFT_SMTP_SCOPES];
  const clientId = account.oauth2?.clientId?.trim();
  if (clientId) scopes.push(`VSCODE_CLIENT_ID:${clientId}`);
  // Outlook.com accounts are personal ("consumers"); a work account without a tenant signs in to any organisation.
  const tenant = account.oauth2?.tenant?.trim() || (account.provider === 'outlook' ? 'consumers' : 'organizations');
  scopes.push(`VSCODE_TENANT:${tenant}`);
  return scopes;
}

export interface OAuthLoginDeps {
  log: Log;
  /** The authentication provider's id: `microsoft`; Test mode puts a fake provider's id here. */
  providerId(): string;
  /** Where a token command runs (the workspace folder). */
  cwd(): string | undefined;
}

export class OAuthLogin {
  /** One token command source per account and command: its token is reused until it expires. */
  private readonly commands = new Map<string, TokenCommandSource>();

  constructor(private readonly deps: OAuthLoginDeps) {}

  /** The account's access token, and how to get a fresh one once when the server refuses it. */
  async credential(account: Account): Promise<OAuth2Credential> {
    const command = account.oauth2?.tokenCommand;
    const credential = command ? await this.fromCommand(account, command) : await this.fromMicrosoft(account);
    this.deps.log.redactToken(credential.accessToken, account.user);
    const refresh = credential.refresh;
    if (!refresh) return credential;
    return {
      accessToken: credential.accessToken,
      refresh: async () => {
        const token = await refresh();
        this.deps.log.redactToken(token, account.user);
        return token;
      },
    };
  }

  private async fromCommand(account: Account, command: string | string[]): Promise<OAuth2Credential> {
    const key = `${account.name}\n${JSON.stringify(command)}`;
    let source = this.commands.get(key);
    if (!source) {
      const { TokenCommandSource } = await import('../core/accounts/tokenCommand');
      source = new TokenCommandSource(command, { cwd: this.deps.cwd() });
      this.commands.set(key, source);
    }
    return source.credential();
  }

  /**
   * Microsoft sign-in: the session VS Code keeps (it refreshes the token itself), or a sign-in the first time. When
   * the server refuses the token, a fresh one is asked for once: the session again (the provider renews an expired
   * token), else a new session (`forceNewSession`: the user signs in again).
   */
  private async fromMicrosoft(account: Account): Promise<OAuth2Credential> {
    const providerId = this.deps.providerId();
    const scopes = microsoftScopes(account);
    let session: vscode.AuthenticationSession | undefined;
    try {
      session = await vscode.authentication.getSession(providerId, scopes, { createIfNone: true });
    } catch (e) {
      throw signInFailed(account, e);
    }
    this.deps.log.info(vscode.l10n.t('Signed in to Microsoft as {0} for {1}.', session.account.label, account.user || account.name));
    return {
      accessToken: session.accessToken,
      refresh: async () => {
        this.deps.log.info(vscode.l10n.t('The server refused the Microsoft token for {0}: asking for a new sign-in.', account.user || account.name));
        try {
          // The provider renews a token it knows to have expired: asked again without a prompt, it may hand a new one.
          const again = await vscode.authentication.getSession(providerId, scopes, { silent: true });
          if (again && again.accessToken !== session.accessToken) return again.accessToken;
          // The token looked valid to the provider and the server still refused it: the user signs in again.
          const fresh = await vscode.authentication.getSession(providerId, scopes, {
            forceNewSession: { detail: vscode.l10n.t('The mail server refused the token for {0}. Sign in again to send.', account.user || account.name) },
          });
          return fresh.accessToken;
        } catch (e) {
          throw signInFailed(account, e);
        }
      },
    };
  }
}

/** The user dismissed the sign-in, or the provider failed: the account and the reason, with the fix. */
function signInFailed(account: Account, e: unknown): SendAsEmailError {
  const why = e instanceof Error ? e.message : String(e);
  return new SendAsEmailError(
    ErrorCode.SMTP_AUTH_FAILED,
    vscode.l10n.t('Microsoft sign-in for account "{0}" ({1}) did not complete: {2}', account.name, account.user, why),
    { hint: vscode.l10n.t('Run the send again and sign in, or check oauth2.clientId and oauth2.tenant of the account.') },
  );
}
