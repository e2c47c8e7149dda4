import * as vscode from 'vscode';
import type { Accounts } from '../vscode/accounts';
import type { Notifications } from '../vscode/notifications';
import type { SmtpLogin } from '../vscode/smtpLogin';
import { accountOfScope } from './accountOfScope';
import { settingsScope } from './scope';

/** Email: Clear SMTP Password — forgets the password of the server the settings name (stored, or typed this session). */
export function clearPasswordCommand(deps: { accounts: Accounts; login: SmtpLogin; notifications: Notifications }) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const picked = await settingsScope(uri);
    if (!picked) return;
    let s;
    try {
      s = (await accountOfScope(deps.accounts, picked.scope)).smtp;
    } catch (e) {
      await deps.notifications.failed(e);
      return;
    }
    await deps.login.forget(s);
    deps.notifications.info(
      vscode.l10n.t('Cleared the stored SMTP password for {0} at {1}:{2}.', s.user || vscode.l10n.t('(no user)'), s.host || vscode.l10n.t('(no host)'), s.port),
    );
  };
}
