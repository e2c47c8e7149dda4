import * as vscode from 'vscode';
import type { Logger } from './core/types';

/**
 * The "Send as Email" output channel. The core hands it SMTP transcripts without credentials;
 * as a second line of defence every line is scrubbed of the secrets registered here.
 */
export class Log implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();
  private readonly recent: string[] = [];

  constructor(name = 'Send as Email') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** Never print this value, whatever the caller passes. */
  redact(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  info(message: string): void {
    this.channel.info(this.keep(message));
  }
  warn(message: string): void {
    this.channel.warn(this.keep(message));
  }
  error(message: string): void {
    this.channel.error(this.keep(message));
  }
  debug(message: string): void {
    this.channel.debug(this.keep(message));
  }

  show(): void {
    this.channel.show(true);
  }

  /** The last lines written (tests read them to prove no secret was logged). */
  lines(): readonly string[] {
    return this.recent;
  }

  dispose(): void {
    this.channel.dispose();
  }

  private keep(message: string): string {
    let clean = message;
    for (const s of this.secrets) clean = clean.split(s).join('********');
    this.recent.push(clean);
    if (this.recent.length > 2000) this.recent.splice(0, this.recent.length - 2000);
    return clean;
  }
}
