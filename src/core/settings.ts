/**
 * The `sendAsEmail.*` settings: one table for the extension (read through VS Code's configuration)
 * and the command-line tool (read from a settings.json file, comments allowed).
 * `package.json` contributes exactly these keys; a unit test keeps the two in step.
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
// jsonc-parser is what VS Code itself uses for settings files.
import * as jsonc from 'jsonc-parser';
import { DEFAULT_CHECK_CLIENTS } from './check/types';
import { ErrorCode, SendAsEmailError } from './errors';
import { splitAddressList } from './mailbox';

export const SETTINGS_SECTION = 'sendAsEmail';

export type SmtpSecurity = 'starttls' | 'tls' | 'none';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  /** Extra trusted CA (PEM file path), beside the system store. */
  caFile: string;
  rejectUnauthorized: boolean;
  timeoutSeconds: number;
}

/** One raw entry of `sendAsEmail.accounts`; accounts/accounts.ts checks its fields. */
export type AccountSetting = Record<string, unknown>;

export interface EmailSettings {
  smtp: SmtpSettings;
  /** Named accounts (accounts/accounts.ts reads them); the `smtp` keys are the unnamed one. */
  accounts: AccountSetting[];
  /** The account a document that names none is sent with ('' = the `smtp` keys, else the first account). */
  defaultAccount: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string;
  markdown: { stylesheet: string; highlight: boolean; highlightTheme: HighlightTheme };
  inlineCss: boolean;
  images: { allowOutsideWorkspace: boolean; embedRemote: boolean; convertSvg: boolean };
  /** The recipients check: the clients it covers, and the rule ids switched off. */
  check: { clients: string[]; disable: string[] };
}

/** The light highlight.js themes a code block can be coloured with (one light theme: dark mode inverts it whole). */
export const HIGHLIGHT_THEMES = ['github', 'vs', 'xcode', 'atom-one-light', 'stackoverflow-light'] as const;
export type HighlightTheme = (typeof HIGHLIGHT_THEMES)[number];

type SettingType = 'string' | 'number' | 'boolean' | 'array';

export interface SettingSpec {
  /** Key below `sendAsEmail.`, e.g. `smtp.host`. */
  key: string;
  type: SettingType;
  default: string | number | boolean | string[] | AccountSetting[];
  /** Arrays: what they hold (default strings, address lists). */
  items?: 'object';
  enum?: readonly string[];
  /** Numbers: the smallest and largest value allowed (package.json declares the same). Every number has both. */
  minimum?: number;
  maximum?: number;
  /** Restricted under Workspace Trust: an untrusted workspace's value is ignored. */
  restricted?: boolean;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'smtp.host', type: 'string', default: '', restricted: true },
  { key: 'smtp.port', type: 'number', default: 587, minimum: 1, maximum: 65535, restricted: true },
  { key: 'smtp.security', type: 'string', default: 'starttls', enum: ['starttls', 'tls', 'none'], restricted: true },
  { key: 'smtp.user', type: 'string', default: '', restricted: true },
  { key: 'smtp.caFile', type: 'string', default: '', restricted: true },
  { key: 'smtp.rejectUnauthorized', type: 'boolean', default: true, restricted: true },
  // An hour: far beyond any server's answer, and far below what a timer can hold (2^31 - 1 ms, about 24.8 days).
  { key: 'smtp.timeoutSeconds', type: 'number', default: 30, minimum: 1, maximum: 3600 },
  // Accounts route credentials: a repository's settings must never point a stored password or token elsewhere.
  { key: 'accounts', type: 'array', items: 'object', default: [], restricted: true },
  { key: 'defaultAccount', type: 'string', default: '', restricted: true },
  { key: 'from', type: 'string', default: '', restricted: true },
  { key: 'to', type: 'array', default: [] },
  { key: 'cc', type: 'array', default: [] },
  { key: 'bcc', type: 'array', default: [] },
  { key: 'replyTo', type: 'string', default: '' },
  { key: 'markdown.stylesheet', type: 'string', default: '', restricted: true },
  { key: 'inlineCss', type: 'boolean', default: true },
  { key: 'images.allowOutsideWorkspace', type: 'boolean', default: false, restricted: true },
  { key: 'images.embedRemote', type: 'boolean', default: false, restricted: true },
  { key: 'images.convertSvg', type: 'boolean', default: true },
  { key: 'markdown.highlight', type: 'boolean', default: true },
  { key: 'markdown.highlightTheme', type: 'string', default: 'github', enum: HIGHLIGHT_THEMES },
  { key: 'check.clients', type: 'array', default: [...DEFAULT_CHECK_CLIENTS] },
  { key: 'check.disable', type: 'array', default: [] },
] as const;

/** One setting's value checked and converted as a settings file's would be; throws SETTINGS_INVALID naming it. */
export function checkSetting(key: string, raw: unknown): unknown {
  const spec = SETTINGS.find((s) => s.key === key);
  if (!spec) throw new Error(`unknown setting ${key}`);
  return coerce(spec, raw);
}

/** Builds the typed settings from a lookup of `key` (below `sendAsEmail.`) to raw value. */
export function settingsFromLookup(get: (key: string) => unknown): EmailSettings {
  const v = (key: string): unknown => checkSetting(key, get(key));
  return {
    smtp: {
      host: (v('smtp.host') as string).trim(),
      port: v('smtp.port') as number,
      security: v('smtp.security') as SmtpSecurity,
      user: v('smtp.user') as string,
      caFile: v('smtp.caFile') as string,
      rejectUnauthorized: v('smtp.rejectUnauthorized') as boolean,
      timeoutSeconds: v('smtp.timeoutSeconds') as number,
    },
    accounts: v('accounts') as AccountSetting[],
    defaultAccount: (v('defaultAccount') as string).trim(),
    from: v('from') as string,
    to: v('to') as string[],
    cc: v('cc') as string[],
    bcc: v('bcc') as string[],
    replyTo: v('replyTo') as string,
    markdown: {
      stylesheet: v('markdown.stylesheet') as string,
      highlight: v('markdown.highlight') as boolean,
      highlightTheme: v('markdown.highlightTheme') as HighlightTheme,
    },
    inlineCss: v('inlineCss') as boolean,
    images: {
      allowOutsideWorkspace: v('images.allowOutsideWorkspace') as boolean,
      embedRemote: v('images.embedRemote') as boolean,
      convertSvg: v('images.convertSvg') as boolean,
    },
    check: {
      clients: v('check.clients') as string[],
      disable: v('check.disable') as string[],
    },
  };
}

export function defaultSettings(): EmailSettings {
  return settingsFromLookup(() => undefined);
}

function coerce(spec: SettingSpec, raw: unknown): unknown {
  if (raw === undefined || raw === null) return Array.isArray(spec.default) ? [...spec.default] : spec.default;
  const bad = (): never => {
    throw invalid(l10n.t('Setting "{0}" must be {1}, got {2}.', `${SETTINGS_SECTION}.${spec.key}`, describe(spec), JSON.stringify(raw)));
  };
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string') bad();
      if (spec.enum && !spec.enum.includes(raw as string)) bad();
      return raw;
    case 'number': {
      const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < (spec.minimum ?? 0) || n > (spec.maximum ?? Infinity)) bad();
      return n;
    }
    case 'boolean':
      if (typeof raw !== 'boolean') bad();
      return raw;
    case 'array':
      if (spec.items === 'object') {
        if (!Array.isArray(raw) || raw.some((x) => x === null || typeof x !== 'object' || Array.isArray(x))) bad();
        return raw;
      }
      // The list settings are address lists (to, cc, bcc): one written as a string is split as an address field is.
      if (typeof raw === 'string') return splitAddressList(raw);
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) bad();
      return raw;
  }
}

function describe(spec: SettingSpec): string {
  if (spec.enum) return l10n.t('one of {0}', spec.enum.map((e) => `"${e}"`).join(', '));
  if (spec.type === 'number') return l10n.t('a number from {0} to {1}', spec.minimum ?? 0, spec.maximum ?? Number.MAX_SAFE_INTEGER);
  if (spec.type === 'array') return spec.items === 'object' ? l10n.t('a list of objects') : l10n.t('a list of strings');
  return spec.type === 'boolean' ? l10n.t('true or false') : l10n.t('text');
}

/** SETTINGS_INVALID, naming the setting or the file. */
function invalid(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.SETTINGS_INVALID, message);
}

/**
 * Reads the `sendAsEmail.*` keys of a VS Code settings file (JSON with comments and trailing commas).
 * Both the flat form (`"sendAsEmail.smtp.host": "..."`) and nested objects are accepted.
 */
export function loadSettingsFile(file: string): EmailSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw invalid(l10n.t('Cannot read settings file {0}: {1}.', file, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  const errors: jsonc.ParseError[] = [];
  const data = jsonc.parse(text, errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (errors.length > 0 || typeof data !== 'object' || data === null) {
    const first = errors[0];
    const line = first ? text.slice(0, first.offset).split('\n').length : 1;
    throw invalid(l10n.t('Settings file {0} is not valid JSON (line {1}).', file, line));
  }
  return settingsFromObject(data);
}

/** Settings from a parsed settings.json object (flat `sendAsEmail.x.y` keys or nested objects). */
export function settingsFromObject(data: Record<string, unknown>): EmailSettings {
  return settingsFromLookup((key) => {
    const flat = data[`${SETTINGS_SECTION}.${key}`];
    if (flat !== undefined) return flat;
    let node: unknown = data[SETTINGS_SECTION];
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  });
}
