import * as vscode from 'vscode';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import { requireSmtpHost } from '../core/send/smtpTarget';
import type { Notifications } from '../vscode/notifications';
import { readSettings } from '../vscode/settings';
import { HINT, type SmtpLogin } from '../vscode/smtpLogin';
import { settingsScope } from './scope';

/** Email: Set SMTP Password — asks for the password of the server the settings name and stores it in SecretStorage. */
export function setPasswordCommand(deps: { login: SmtpLogin; notifications: Notifications }) {
  return async (uri?: vscode.Uri): Promise<boolean> => {
    const picked = await settingsScope(uri);
    if (!picked) return false;
    const s = readSettings(picked.scope).smtp;
    try {
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
