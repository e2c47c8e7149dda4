import * as vscode from 'vscode';
import type { Notifications } from '../vscode/notifications';
import type { SmtpLogin } from '../vscode/smtpLogin';
import { readSettings } from '../vscode/settings';
import { settingsScope } from './scope';

/** Email: Clear SMTP Password — forgets the password of the server the settings name (stored, or typed this session). */
export function clearPasswordCommand(deps: { login: SmtpLogin; notifications: Notifications }) {
  return async (uri?: vscode.Uri): Promise<void> => {
    const picked = await settingsScope(uri);
    if (!picked) return;
    const s = readSettings(picked.scope).smtp;
    await deps.login.forget(s);
    deps.notifications.info(
      vscode.l10n.t('Cleared the stored SMTP password for {0} at {1}:{2}.', s.user || vscode.l10n.t('(no user)'), s.host || vscode.l10n.t('(no host)'), s.port),
    );
  };
}
