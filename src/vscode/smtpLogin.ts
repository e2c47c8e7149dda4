/**
 * The password side of a connection: the stored one from SecretStorage, or asked for. A typed password is kept in
 * memory for the session, per account (user and host), until the server accepts it (then it is stored in
 * SecretStorage, for exactly the server, user, host and port, that accepted it) or refuses it (then it is dropped):
 * a failed connection (a wrong host or port, a server that is down) does not make the user type it again.
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

/** The account a typed password belongs to: the same user on the same host (any port: a wrong port is fixed in place). */
function accountOf(s: { user: string; host: string }): string {
  return `${s.user}@${s.host.trim().toLowerCase()}`;
}

export class SmtpLogin {
  /** Passwords typed in this session that no server has accepted or refused yet, by account. */
  private readonly typed = new Map<string, string>();

  constructor(
    private readonly secrets: SmtpSecrets,
    private readonly prompts: Prompts,
    private readonly log: Log,
  ) {}

  /** The SMTP target of `settings` with its password: one typed this session, the stored one, or asked for when `ask`. */
  async target(settings: EmailSettings, ask: boolean): Promise<SmtpTarget> {
    const s = settings.smtp;
    requireSmtpHost(s, HINT.host);
    let password: string | undefined;
    if (s.user) {
      password = this.typed.get(accountOf(s)) ?? (await this.secrets.get(s));
      if (!password && ask) {
        password = await this.ask(s);
        if (password) this.typed.set(accountOf(s), password);
      }
      requirePassword({ ...s, password }, HINT.password);
      this.log.redact(password, s.user);
    }
    return { ...s, password };
  }

  /** The server accepted the login: a password typed for it is stored now, for exactly that server. */
  async accepted(target: SmtpTarget): Promise<void> {
    const account = accountOf(target);
    const typed = this.typed.get(account);
    if (typed === undefined || typed !== target.password) return;
    this.typed.delete(account);
    await this.secrets.store(target, typed);
    this.log.info(vscode.l10n.t('Stored the password for {0} at {1}:{2} (the server accepted it).', target.user, target.host, target.port));
  }

  /** The server refused the login (535): a password typed for it is dropped. */
  refused(s: { user: string; host: string }): void {
    this.typed.delete(accountOf(s));
  }

  /** "Re-enter Password": asks, and keeps what was typed for the next attempt (stored once the server accepts it). */
  async reenter(s: { user: string; host: string; port: number }): Promise<boolean> {
    const password = await this.ask(s);
    if (!password) return false;
    this.typed.set(accountOf(s), password);
    return true;
  }

  /** Add Account: the password typed in the flow, used by its connection test and stored once the server accepts it. */
  offer(s: { user: string; host: string }, password: string): void {
    this.typed.set(accountOf(s), password);
  }

  /** Email: Set SMTP Password: stored as typed (a password typed earlier this session gives way to it). */
  async store(s: { user: string; host: string; port: number }, password: string): Promise<void> {
    this.typed.delete(accountOf(s));
    await this.secrets.store(s, password);
  }

  /** Email: Clear SMTP Password: the stored password and one typed this session are both forgotten. */
  async forget(s: { user: string; host: string; port: number }): Promise<void> {
    this.typed.delete(accountOf(s));
    await this.secrets.delete(s);
  }

  ask(s: { user: string; host: string; port: number }): Thenable<string | undefined> {
    return this.prompts.password(vscode.l10n.t('Password for {0} at {1}:{2}', s.user, s.host, s.port));
  }
}
