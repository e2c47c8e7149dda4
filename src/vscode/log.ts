import * as vscode from 'vscode';
import { loginSecrets, secretScrubber } from '../core/send/secrets';
import type { Logger } from '../core/types';

/**
 * The "Send as Email" output channel. The core hands it SMTP transcripts without credentials;
 * as a second line of defence every line is scrubbed of the secrets registered here, in every form the SMTP
 * client can put them on the wire (plain, base64 at each alignment, inside AUTH PLAIN / LOGIN blobs: `secretForms`).
 */
/** A line as written to the channel, at its level. */
export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

export class Log implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();
  private scrub: (text: string) => string = (text) => text;
  private readonly writeEmitter = new vscode.EventEmitter<LogLine>();
  /** Every line as written (secrets already scrubbed), with its level (the channel shows Info and above by default). */
  readonly onDidWrite = this.writeEmitter.event;

  constructor(name = 'Send as Email') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /**
   * Never print this value, whatever the caller passes, nor its base64 forms. With the login `user` it belongs to,
   * the whole AUTH PLAIN blob is hidden too (not only the password inside it) and the base64 of the user name.
   */
  redact(secret: string | undefined, user?: string): void {
    if (!secret) return;
    for (const s of loginSecrets({ user, password: secret })) this.secrets.add(s);
    this.scrub = secretScrubber([...this.secrets], '********');
  }

  /** Never print this access token, nor its XOAUTH2 blob (`user=…\x01auth=Bearer …`) or their base64 forms. */
  redactToken(token: string | undefined, user?: string): void {
    if (!token) return;
    for (const s of loginSecrets({ user, token })) this.secrets.add(s);
    this.scrub = secretScrubber([...this.secrets], '********');
  }

  info(message: string): void {
    this.channel.info(this.keep('info', message));
  }
  warn(message: string): void {
    this.channel.warn(this.keep('warn', message));
  }
  error(message: string): void {
    this.channel.error(this.keep('error', message));
  }
  debug(message: string): void {
    this.channel.debug(this.keep('debug', message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
    this.writeEmitter.dispose();
  }

  private keep(level: LogLine['level'], message: string): string {
    const clean = this.scrub(message);
    this.writeEmitter.fire({ level, text: clean });
    return clean;
  }
}
