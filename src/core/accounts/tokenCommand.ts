/**
 * The OAuth 2.0 token command (`oauth2.tokenCommand`, the CLI's --token-command): a program that prints an access
 * token, as msmtp's `passwordeval` and mutt's OAuth refresh command do (`az account get-access-token`, `gcloud auth
 * print-access-token`, `oama access <user>`, `mutt_oauth2.py <file>`). An array runs without a shell, a string
 * through it. Its output is the token, or JSON carrying it (`access_token`/`accessToken` with `expires_in`,
 * `expires_on` or `expiresOn`); the token is kept until shortly before it expires. Its stdout is never shown
 * (it holds the token); its stderr is, when it fails.
 */
import * as l10n from '@vscode/l10n';
import { spawn } from 'child_process';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { OAuth2Credential } from '../types';

/** A token is used until this long before its expiry (a send takes a while; clocks differ). */
const EXPIRY_MARGIN_MS = 60_000;
/** How long a token without a stated expiry (plain text output) is kept. */
const UNDATED_TOKEN_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** The most of its stderr an error quotes. */
const STDERR_SHOWN = 600;

export interface TokenCommandOptions {
  /** Default 30 s; the command is killed after it. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The clock (tests). */
  now?: () => number;
}

export interface CommandToken {
  accessToken: string;
  /** Epoch milliseconds; undefined when the output states none. */
  expiresAt?: number;
}

/** The command as messages name it: an array's words joined with spaces (quoted where they hold one). */
export function describeCommand(command: string | readonly string[]): string {
  if (typeof command === 'string') return command.trim();
  return command.map((w) => (/[\s"']/.test(w) || w === '' ? JSON.stringify(w) : w)).join(' ');
}

/** The token in a command's output: JSON with a token field, else the trimmed text (its first line). */
export function parseTokenOutput(stdout: string, now: number): CommandToken | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    let data: Record<string, unknown> | undefined;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      data = undefined;
    }
    if (data && typeof data === 'object') {
      const token = [data.access_token, data.accessToken, data.token].find((t): t is string => typeof t === 'string' && t.trim() !== '');
      if (!token) return undefined;
      return { accessToken: token.trim(), expiresAt: expiryOf(data, now) };
    }
  }
  const first = text.split(/\r?\n/)[0].trim();
  return first ? { accessToken: first } : undefined;
}

/** `expires_in` (seconds from now), `expires_on` (epoch seconds, as az prints it) or `expiresOn` (a date). */
function expiryOf(data: Record<string, unknown>, now: number): number | undefined {
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined);
  const inSeconds = num(data.expires_in);
  if (inSeconds !== undefined) return now + inSeconds * 1000;
  const epoch = num(data.expires_on) ?? num(data.expiresOn);
  if (epoch !== undefined) return epoch > 1e12 ? epoch : epoch * 1000;
  for (const v of [data.expiresOn, data.expires_on, data.expires_at, data.expiry]) {
    if (typeof v !== 'string') continue;
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

function failed(command: string, reason: string, stderr: string): SendAsEmailError {
  const said = stderr.trim().slice(-STDERR_SHOWN).replace(/\s*\r?\n\s*/g, ' ');
  const message = said ? l10n.t('The token command "{0}" {1}: {2}', command, reason, said) : l10n.t('The token command "{0}" {1}.', command, reason);
  return new SendAsEmailError(ErrorCode.TOKEN_COMMAND_FAILED, message, {
    hint: l10n.t('Run the command yourself to see what it needs (a sign-in, a refresh token), or check oauth2.tokenCommand / --token-command.'),
  });
}

/** Runs the command once and reads the token it prints; TOKEN_COMMAND_FAILED names the command, with its stderr. */
export function runTokenCommand(command: string | readonly string[], opts: TokenCommandOptions = {}): Promise<CommandToken> {
  const shown = describeCommand(command);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = opts.now ?? Date.now;
  return new Promise((resolve, reject) => {
    const [file, args, shell] = typeof command === 'string' ? [command, [] as string[], true] : [command[0], command.slice(1), false];
    const child = spawn(file, args, { shell, cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(failed(shown, l10n.t('could not be started ({0})', e.code ?? e.message), ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) return reject(failed(shown, l10n.t('did not finish within {0} seconds', Math.round(timeoutMs / 1000)), stderr));
      if (code !== 0) return reject(failed(shown, code === null ? l10n.t('was stopped ({0})', signal ?? '?') : l10n.t('failed with exit code {0}', code), stderr));
      const token = parseTokenOutput(Buffer.concat(out).toString('utf8'), now());
      if (!token) return reject(failed(shown, l10n.t('printed no access token'), stderr));
      resolve(token);
    });
  });
}

/**
 * One token command's token, kept until shortly before it expires (plain output: a few minutes), and run again
 * when the server refuses it. Hold one per account for as long as its tokens may be reused.
 */
export class TokenCommandSource {
  private cached: CommandToken | undefined;

  constructor(
    readonly command: string | readonly string[],
    private readonly opts: TokenCommandOptions = {},
  ) {}

  /** The kept token while it is valid, else a new one. */
  async token(): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    const c = this.cached;
    if (c && c.expiresAt !== undefined && c.expiresAt - EXPIRY_MARGIN_MS > now) return c.accessToken;
    return this.fresh();
  }

  /** Runs the command again (the server refused the kept token). */
  async fresh(): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    const token = await runTokenCommand(this.command, this.opts);
    this.cached = { accessToken: token.accessToken, expiresAt: token.expiresAt ?? now + UNDATED_TOKEN_MS };
    return token.accessToken;
  }

  /** Forgets the kept token. */
  clear(): void {
    this.cached = undefined;
  }

  /** The credential a send takes: the kept (or a new) token, refreshed through the command once if refused. */
  async credential(): Promise<OAuth2Credential> {
    return { accessToken: await this.token(), refresh: () => this.fresh() };
  }
}
