/**
 * Named sending accounts (`sendAsEmail.accounts`, `sendAsEmail.defaultAccount`) and which one a document uses.
 *
 * Exported API (what the VS Code layer and the CLI call):
 * - `Account`: one account as the settings give it, checked, with the provider preset's host/port/security filled in.
 * - `listAccounts(settings)`: every account, checked (SETTINGS_INVALID naming `sendAsEmail.accounts[i].field`), and
 *   the legacy `sendAsEmail.smtp.*` + `from` keys as the unnamed account (`name: ''`) when `smtp.host` is set.
 * - `pickAccount(settings, requested?)`: `requested` (an override, else the document's `account:`) > `defaultAccount`
 *   > the legacy keys > the first account. ACCOUNT_NOT_FOUND names the account asked for and the names that exist.
 * - `namedAccounts(settings)`, `legacyAccount(settings)`: the two halves of `listAccounts`.
 * - `accountSmtpSettings(account, settings)`: the SmtpSettings a session connects with (the timeout is global);
 *   `settingsWithAccount(settings, account)`: the whole settings with the account's server and From in place.
 * - `accountLabel(account)`: how messages name it (its name, or "the SMTP settings" for the legacy one).
 * - Credentials (never in settings): a target (`SmtpTarget` in ../types) carries `password`, or `oauth2:
 *   OAuth2Credential` `{ accessToken, refresh?() }`, and the account's `provider` (for the login-error table).
 *   `refresh` is called at most once per login, when the server refuses the token (334/535): the VS Code layer
 *   passes a fresh `microsoft` session there, the CLI its token command (`TokenCommandSource` in tokenCommand.ts).
 * - Where else: the presets (providers.ts), the document's `account:` before composing (../source/documentAccount.ts),
 *   `ComposedMessage.account`, the login-error table and its `LoginFix` (../send/loginErrors.ts, ../errors.ts).
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import { SETTINGS_SECTION, type EmailSettings, type SmtpSecurity, type SmtpSettings } from '../settings';
import { findProvider } from './providers';

export type { OAuth2Credential } from '../types';

export type AccountAuth = 'password' | 'oauth2';

export interface AccountOAuth2 {
  /** The organisation's app registration (Microsoft: `VSCODE_CLIENT_ID:<id>`). */
  clientId?: string;
  /** Microsoft tenant id or domain (`VSCODE_TENANT:<tenant>`). */
  tenant?: string;
  /** Prints an access token: an array runs without a shell, a string through the shell. */
  tokenCommand?: string | string[];
}

export interface Account {
  /** '' for the unnamed account of the legacy `sendAsEmail.smtp.*` keys. */
  name: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  from: string;
  auth: AccountAuth;
  caFile?: string;
  rejectUnauthorized?: boolean;
  /** A provider preset id (providers.ts), e.g. `gmail`, `microsoft365`, `qq`. */
  provider?: string;
  oauth2?: AccountOAuth2;
}

const SECURITIES: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];
const AUTHS: readonly AccountAuth[] = ['password', 'oauth2'];

/** The unnamed account the `sendAsEmail.smtp.*` and `from` keys make. */
export function legacyAccount(settings: EmailSettings): Account {
  const s = settings.smtp;
  return {
    name: '',
    host: s.host,
    port: s.port,
    security: s.security,
    user: s.user,
    from: settings.from,
    auth: 'password',
    caFile: s.caFile,
    rejectUnauthorized: s.rejectUnauthorized,
  };
}

/** The named accounts of `sendAsEmail.accounts`, checked; throws SETTINGS_INVALID naming the entry and field. */
export function namedAccounts(settings: EmailSettings): Account[] {
  const seen = new Set<string>();
  return (settings.accounts ?? []).map((raw, i) => {
    const account = checkAccount(raw, i);
    if (seen.has(account.name)) {
      throw invalid(l10n.t('Setting "{0}" names the account "{1}" twice.', `${SETTINGS_SECTION}.accounts`, account.name));
    }
    seen.add(account.name);
    return account;
  });
}

/** Every account: the named ones, then the legacy keys as the unnamed account when `sendAsEmail.smtp.host` is set. */
export function listAccounts(settings: EmailSettings): Account[] {
  const named = namedAccounts(settings);
  return settings.smtp.host.trim() ? [...named, legacyAccount(settings)] : named;
}

/**
 * The account to send with: `requested` (the preview's or CLI's choice, else the document's `account:`) >
 * `sendAsEmail.defaultAccount` > the legacy `sendAsEmail.smtp.*` keys (when set, or when no account is named) >
 * the first named account.
 */
export function pickAccount(settings: EmailSettings, requested?: string): Account {
  const named = namedAccounts(settings);
  const wanted = requested?.trim();
  if (wanted) return byName(named, wanted, 'document');
  const fallback = (settings.defaultAccount ?? '').trim();
  if (fallback) return byName(named, fallback, 'default');
  if (settings.smtp.host.trim() || named.length === 0) return legacyAccount(settings);
  return named[0];
}

/** What a session connects with: the account's server, and the global timeout. */
export function accountSmtpSettings(account: Account, settings: EmailSettings): SmtpSettings {
  return {
    host: account.host.trim(),
    port: account.port,
    security: account.security,
    user: account.user,
    caFile: account.caFile ?? '',
    rejectUnauthorized: account.rejectUnauthorized ?? true,
    timeoutSeconds: settings.smtp.timeoutSeconds,
  };
}

/** The account as a message names it: `"work"`, or the SMTP settings for the unnamed one. */
export function accountLabel(account: Account): string {
  return account.name ? `"${account.name}"` : l10n.t('the SMTP settings (sendAsEmail.smtp.*)');
}

function byName(accounts: Account[], name: string, from: 'document' | 'default'): Account {
  const exact = accounts.find((a) => a.name === name) ?? accounts.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (exact) return exact;
  const names = accounts.map((a) => `"${a.name}"`).join(', ');
  const message =
    from === 'default'
      ? names
        ? l10n.t('sendAsEmail.defaultAccount names the account "{0}", which sendAsEmail.accounts does not have; it has {1}.', name, names)
        : l10n.t('sendAsEmail.defaultAccount names the account "{0}", but sendAsEmail.accounts is empty.', name)
      : names
        ? l10n.t('No account named "{0}": sendAsEmail.accounts has {1}.', name, names)
        : l10n.t('No account named "{0}": sendAsEmail.accounts is empty.', name);
  return throwNotFound(message);
}

function throwNotFound(message: string): never {
  throw new SendAsEmailError(ErrorCode.ACCOUNT_NOT_FOUND, message, {
    hint: l10n.t('Add the account to sendAsEmail.accounts (Email: Add Account), or name one that exists.'),
  });
}

function invalid(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.SETTINGS_INVALID, message);
}

/** One entry of `sendAsEmail.accounts`, checked field by field. */
function checkAccount(raw: Record<string, unknown>, index: number): Account {
  const field = (key: string): string => `${SETTINGS_SECTION}.accounts[${index}].${key}`;
  const bad = (key: string, what: string): never => {
    throw invalid(l10n.t('Setting "{0}" must be {1}, got {2}.', field(key), what, JSON.stringify(raw[key]) ?? 'nothing'));
  };
  const text = (key: string, required = false): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return required ? bad(key, l10n.t('text')) : undefined;
    if (typeof v !== 'string' || (required && !v.trim())) return bad(key, l10n.t('text'));
    return v;
  };
  const name = (text('name', true) as string).trim();
  const providerId = text('provider');
  const preset = providerId ? findProvider(providerId) : undefined;
  if (providerId && !preset) bad('provider', l10n.t('a known provider id'));
  const host = text('host') ?? preset?.host ?? '';
  if (!host.trim()) bad('host', l10n.t('text'));
  let port: number = preset?.port ?? 587;
  if (raw.port !== undefined && raw.port !== null) {
    const n = typeof raw.port === 'string' && /^\d+$/.test(raw.port) ? Number(raw.port) : raw.port;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) bad('port', l10n.t('a number from {0} to {1}', 1, 65535));
    port = n as number;
  }
  const security = (text('security') ?? preset?.security ?? 'starttls') as SmtpSecurity;
  if (!SECURITIES.includes(security)) bad('security', l10n.t('one of {0}', SECURITIES.map((s) => `"${s}"`).join(', ')));
  const auth = (text('auth') ?? (preset?.auth === 'oauth2-microsoft' ? 'oauth2' : 'password')) as AccountAuth;
  if (!AUTHS.includes(auth)) bad('auth', l10n.t('one of {0}', AUTHS.map((s) => `"${s}"`).join(', ')));
  const rejectUnauthorized = raw.rejectUnauthorized;
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') bad('rejectUnauthorized', l10n.t('true or false'));
  const account: Account = {
    name,
    host: host.trim(),
    port,
    security,
    user: text('user') ?? '',
    from: text('from') ?? '',
    auth,
  };
  const caFile = text('caFile');
  if (caFile) account.caFile = caFile;
  if (typeof rejectUnauthorized === 'boolean') account.rejectUnauthorized = rejectUnauthorized;
  if (preset) account.provider = preset.id;
  const oauth2 = raw.oauth2;
  if (oauth2 !== undefined && oauth2 !== null) {
    if (typeof oauth2 !== 'object' || Array.isArray(oauth2)) bad('oauth2', l10n.t('an object with clientId, tenant and tokenCommand'));
    account.oauth2 = checkOAuth2(oauth2 as Record<string, unknown>, (key) => field(`oauth2.${key}`));
  }
  return account;
}

function checkOAuth2(raw: Record<string, unknown>, field: (key: string) => string): AccountOAuth2 {
  const out: AccountOAuth2 = {};
  for (const key of ['clientId', 'tenant'] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw invalid(l10n.t('Setting "{0}" must be {1}, got {2}.', field(key), l10n.t('text'), JSON.stringify(v)));
    if (v.trim()) out[key] = v.trim();
  }
  const cmd = raw.tokenCommand;
  if (cmd !== undefined && cmd !== null) {
    const ok = (typeof cmd === 'string' && cmd.trim() !== '') || (Array.isArray(cmd) && cmd.length > 0 && cmd.every((x) => typeof x === 'string') && (cmd[0] as string).trim() !== '');
    if (!ok) throw invalid(l10n.t('Setting "{0}" must be {1}, got {2}.', field('tokenCommand'), l10n.t('a command line or a list of its words'), JSON.stringify(cmd)));
    out.tokenCommand = cmd as string | string[];
  }
  return out;
}

/** The settings with the account's server and sender in place of the `smtp.*` keys and `from` (the timeout stays). */
export function settingsWithAccount(settings: EmailSettings, account: Account | undefined): EmailSettings {
  if (!account) return settings;
  return { ...settings, smtp: accountSmtpSettings(account, settings), from: account.from.trim() ? account.from : settings.from };
}
