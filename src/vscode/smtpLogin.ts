/**
 * The password side of a connection: the stored one from SecretStorage, or asked for; a typed password is stored only
 * once the server accepted it, for exactly the server (user, host, port) it was typed for.
 */
import * as vscode from 'vscode';
import { requirePassword, requireSmtpHost } from '../core/send/smtpTarget';
import type { EmailSettings } from '../core/settings';
import type { SmtpTarget } from '../core/types';
import type { Log } from './log';
import type { Prompts } from './prompts';
import { SmtpSecrets } from './secrets';

/** What the user does about a missing setting or password, in VS Code. */
export const HINT = {
  host: vscode.l10n.t('Fill in sendAsEmail.smtp.host (and port, security, user) in the settings.'),
  password: vscode.l10n.t('Enter it when asked, or store it with Email: Set SMTP Password.'),
};

export class SmtpLogin {
  /** A password typed for this attempt, stored once the server accepts it. */
  private pending: { key: string; password: string } | undefined;

  constructor(
    private readonly secrets: SmtpSecrets,
    private readonly prompts: Prompts,
    private readonly log: Log,
  ) {}

  /** The SMTP target of `settings` with its password: the stored one, or asked for when `ask`. */
  async target(settings: EmailSettings, ask: boolean): Promise<SmtpTarget> {
    const s = settings.smtp;
    requireSmtpHost(s, HINT.host);
    let password: string | undefined;
    this.pending = undefined;
    if (s.user) {
      password = await this.secrets.get(s);
      if (!password && ask) {
        password = await this.ask(s);
        if (password) this.pending = { key: SmtpSecrets.key(s), password };
      }
      requirePassword({ ...s, password }, HINT.password);
      this.log.redact(password, s.user);
    }
    return { ...s, password };
  }

  /** The server accepted the login: a password typed for it is stored now. */
  async accepted(target: SmtpTarget): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    if (p && p.key === SmtpSecrets.key(target)) {
      await this.secrets.store(target, p.password);
      this.log.info(vscode.l10n.t('Stored the password for {0} at {1}:{2} (the server accepted it).', target.user, target.host, target.port));
    }
  }

  /** The server refused the stored password: it is forgotten, so the next attempt asks. */
  forget(settings: EmailSettings): Thenable<void> {
    return this.secrets.delete(settings.smtp);
  }

  ask(s: { user: string; host: string; port: number }): Thenable<string | undefined> {
    return this.prompts.password(vscode.l10n.t('Password for {0} at {1}:{2}', s.user, s.host, s.port));
  }
}
