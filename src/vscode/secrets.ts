import type * as vscode from 'vscode';

/** Which server a password belongs to: a changed host, port or user never receives an old password. */
export interface SecretTarget {
  user: string;
  host: string;
  port: number;
}

/** The SMTP password, kept only in VS Code's SecretStorage. */
export class SmtpSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  static key(t: SecretTarget): string {
    return `sendAsEmail.smtp.password:${t.user}@${t.host.toLowerCase()}:${t.port}`;
  }

  get(t: SecretTarget): Thenable<string | undefined> {
    return this.storage.get(SmtpSecrets.key(t));
  }

  store(t: SecretTarget, password: string): Thenable<void> {
    return this.storage.store(SmtpSecrets.key(t), password);
  }

  delete(t: SecretTarget): Thenable<void> {
    return this.storage.delete(SmtpSecrets.key(t));
  }
}
