import * as vscode from 'vscode';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import { requireSmtpHost } from '../core/send/smtpTarget';
import type { Accounts } from '../vscode/accounts';
import type { Notifications } from '../vscode/notifications';
import { HINT, type SmtpLogin } from '../vscode/smtpLogin';
import { accountOfScope } from './accountOfScope';
import { settingsScope } from './scope';

/** Email: Set SMTP Password — asks for the password of the server the settings name and stores it in SecretStorage. */
export function setPasswordCommand(deps: { accounts: Accounts; login: SmtpLogin; notifications: Notifications }) {
  return async (uri?: vscode.Uri): Promise<boolean> => {
    const picked = await settingsScope(uri);
    if (!picked) return false;
    let s;
    try {
      const { account, smtp } = await accountOfScope(deps.accounts, picked.scope);
      s = smtp;
      if (account.auth === 'oauth2') {
        deps.notifications.info(vscode.l10n.t('Account "{0}" signs in with OAuth 2.0: it has no password to store.', account.name));
        return false;
      }
      requireSmtpHost(s, HINT.host);
      if (!s.user) throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, vscode.l10n.t('Set sendAsEmail.smtp.user before storing a password.'));
    } catch (e) {
      await deps.notifications.failed(e);
      return false;
    }
    const password = await deps.login.ask(s);
    if (!password) return false;
    await deps.login.store(s, password);
    deps.notifications.info(vscode.l10n.t('Stored the SMTP password for {0} at {1}:{2} in Secret Storage.', s.user, s.host, s.port));
    return true;
  };
}
