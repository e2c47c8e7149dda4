/** Command-line flags → the same settings the extension reads from settings.json. */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { parseArgs } from 'util';
import { ErrorCode, isSendAsEmailError, SendAsEmailError } from '../core/errors';
import type { AccountAuth } from '../core/accounts/accounts';
import { checkSetting, defaultSettings, loadSettingsFile, type EmailSettings, type SmtpSecurity, type SmtpSettings } from '../core/settings';
import { isKnownEncoding } from '../core/source/textFile';
import type { HeaderOverrides } from '../core/types';

export const PASSWORD_ENV = 'SEND_AS_EMAIL_PASSWORD';
/** An OAuth 2.0 access token for an account that signs in with `auth: oauth2` (or --auth oauth2). */
export const ACCESS_TOKEN_ENV = 'SEND_AS_EMAIL_ACCESS_TOKEN';

export interface CliOptions {
  command: string;
  positionals: string[];
  out?: string;
  /** --workspace; without it, the document's own repository or folder (`documentWorkspace`). */
  workspace?: string;
  /** --force: build -o may replace an existing file that is not an .eml. */
  force: boolean;
  outboxDir: string;
  settings: EmailSettings;
  /** The SMTP flags given (--host, --port...): they win over the account's own values too. */
  smtpFlags: Partial<SmtpSettings>;
  /** --account: the account to send with (also `overrides.account`). */
  account?: string;
  /** --auth: how to log in, whatever the account says. */
  auth?: AccountAuth;
  /** --token-command: a command line (run through the shell) that prints an access token. */
  tokenCommand?: string;
  overrides: HeaderOverrides;
  /** The document's encoding (a TextDecoder label), when --encoding names one. */
  encoding?: string;
  help: boolean;
  verbose: boolean;
  /** check's --format. */
  format: 'text' | 'json';
  /** merge: its flags (see usage.ts). */
  merge: MergeFlags;
}

export interface MergeFlags {
  /** --data FILE (resolved), or '-' for JSON on stdin. */
  data?: string;
  dataEncoding?: string;
  /** --preview N: write row N's .eml. */
  preview?: number;
  send: boolean;
  limit?: number;
  /** Messages per minute. */
  rate?: number;
  log?: string;
  keepSent: boolean;
  retryUnknown: boolean;
}

export function parseCli(argv: string[], cwd = process.cwd()): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        to: { type: 'string', multiple: true },
        cc: { type: 'string', multiple: true },
        bcc: { type: 'string', multiple: true },
        subject: { type: 'string' },
        from: { type: 'string' },
        'reply-to': { type: 'string' },
        settings: { type: 'string' },
        workspace: { type: 'string' },
        encoding: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        security: { type: 'string' },
        user: { type: 'string' },
        'ca-file': { type: 'string' },
        timeout: { type: 'string' },
        outbox: { type: 'string' },
        password: { type: 'string' },
        account: { type: 'string' },
        auth: { type: 'string' },
        'token-command': { type: 'string' },
        clients: { type: 'string' },
        format: { type: 'string' },
        data: { type: 'string' },
        'data-encoding': { type: 'string' },
        preview: { type: 'string' },
        send: { type: 'boolean' },
        limit: { type: 'string' },
        rate: { type: 'string' },
        log: { type: 'string' },
        'keep-sent': { type: 'boolean' },
        'retry-unknown': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        verbose: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
  const v = parsed.values;
  if (v.password !== undefined) {
    throw usage(l10n.t('--password is not accepted (it would end up in your shell history): set {0} instead.', PASSWORD_ENV));
  }
  if (v.encoding !== undefined && !isKnownEncoding(v.encoding)) {
    throw usage(l10n.t('--encoding: unknown encoding "{0}"; use a name such as utf-8, gb18030, big5, shift_jis or windows-1252.', v.encoding));
  }
  if (v.format !== undefined && v.format !== 'text' && v.format !== 'json') {
    throw usage(l10n.t('--format must be text or json, got "{0}".', v.format));
  }
  if (v['data-encoding'] !== undefined && !isKnownEncoding(v['data-encoding'])) {
    throw usage(l10n.t('--data-encoding: unknown encoding "{0}"; use a name such as utf-8, gb18030, big5, shift_jis or windows-1252.', v['data-encoding']));
  }
  const count = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || Number(raw) < min) throw usage(l10n.t('--{0} takes a number of at least {1}, not "{2}".', name, min, raw));
    return Number(raw);
  };
  const merge: MergeFlags = {
    data: v.data === undefined ? undefined : v.data === '-' ? '-' : path.resolve(cwd, v.data),
    dataEncoding: v['data-encoding'],
    preview: count('preview', v.preview, 1),
    send: v.send ?? false,
    limit: count('limit', v.limit, 0),
    rate: count('rate', v.rate, 0),
    log: v.log === undefined ? undefined : path.resolve(cwd, v.log),
    keepSent: v['keep-sent'] ?? false,
    retryUnknown: v['retry-unknown'] ?? false,
  };
  const [command = '', ...positionals] = parsed.positionals;
  const workspace = v.workspace === undefined ? undefined : path.resolve(cwd, v.workspace);
  const settings: EmailSettings = v.settings ? loadSettingsFile(path.resolve(cwd, v.settings)) : defaultSettings();
  const smtp = settings.smtp;
  if (v.host !== undefined) smtp.host = v.host;
  // Flags are checked against the settings table (type, choices, range), like a settings file's values.
  const flag = <T>(name: string, key: string, raw: unknown): T => {
    try {
      return checkSetting(key, raw) as T;
    } catch (e) {
      if (isSendAsEmailError(e, ErrorCode.SETTINGS_INVALID)) throw usage(l10n.t('--{0}: {1}', name, e.message));
      throw e;
    }
  };
  const smtpFlags: Partial<SmtpSettings> = {};
  if (v.host !== undefined) smtpFlags.host = v.host;
  if (v.port !== undefined) smtp.port = smtpFlags.port = flag<number>('port', 'smtp.port', /^\d+$/.test(v.port) ? Number(v.port) : v.port);
  if (v.security !== undefined) smtp.security = smtpFlags.security = flag<SmtpSecurity>('security', 'smtp.security', v.security);
  if (v.user !== undefined) smtp.user = smtpFlags.user = v.user;
  if (v['ca-file'] !== undefined) smtp.caFile = smtpFlags.caFile = path.resolve(cwd, v['ca-file']);
  if (v.timeout !== undefined) smtp.timeoutSeconds = flag<number>('timeout', 'smtp.timeoutSeconds', Number(v.timeout));
  if (v.auth !== undefined && v.auth !== 'password' && v.auth !== 'oauth2') {
    throw usage(l10n.t('--auth must be "password" or "oauth2", got "{0}".', v.auth));
  }
  if (v.account !== undefined && !v.account.trim()) throw usage(l10n.t('--account needs the name of an account.'));
  if (v['token-command'] !== undefined && !v['token-command'].trim()) throw usage(l10n.t('--token-command needs a command that prints an access token.'));
  // Each flag's value goes to the address parser as written: it splits lists at commas outside quotes, so
  // `--to '"Lovelace, Ada" <ada@example.com>, bob@example.com'` is two recipients.
  const overrides: HeaderOverrides = {};
  if (v.to) overrides.to = v.to;
  if (v.cc) overrides.cc = v.cc;
  if (v.bcc) overrides.bcc = v.bcc;
  if (v.subject !== undefined) overrides.subject = v.subject;
  if (v.from !== undefined) overrides.from = v.from;
  if (v['reply-to'] !== undefined) overrides.replyTo = v['reply-to'];
  if (v.account !== undefined) overrides.account = v.account.trim();
  if (v.clients !== undefined) {
    settings.check.clients = v.clients.split(',').map((c) => c.trim()).filter(Boolean);
    if (settings.check.clients.length === 0) throw usage(l10n.t('--clients names no client.'));
  }
  return {
    command,
    positionals,
    out: v.out === undefined ? undefined : path.resolve(cwd, v.out),
    workspace,
    force: v.force ?? false,
    outboxDir: v.outbox ? path.resolve(cwd, v.outbox) : path.join(workspace ?? cwd, '.send-as-email'),
    settings,
    smtpFlags,
    account: v.account?.trim(),
    auth: v.auth as AccountAuth | undefined,
    tokenCommand: v['token-command'],
    overrides,
    encoding: v.encoding,
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    format: v.format === 'json' ? 'json' : 'text',
    merge,
  };
}

export function usage(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.USAGE, message, { hint: l10n.t('Run send-as-email --help for the options.') });
}
