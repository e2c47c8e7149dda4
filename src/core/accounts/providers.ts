/**
 * Provider presets for Email: Add Account and the `provider` field of an account: the server from nodemailer's
 * well-known services (its services.json, read on first use, not copied), how the provider wants the user to log in,
 * the one sentence that says so, and the page where the user gets an app password or authorization code.
 */
import * as l10n from '@vscode/l10n';
import type { SmtpSecurity } from '../settings';

/**
 * How a provider lets SMTP log in: the account password, an app password (2-step verification first), an
 * authorization code (授权码) generated in the mailbox settings, or Microsoft sign-in (OAuth 2.0).
 */
export type ProviderAuth = 'password' | 'app-password' | 'authorization-code' | 'oauth2-microsoft';

export interface ProviderPreset {
  /** The value of an account's `provider` field. */
  id: string;
  /** Shown in the quick pick (localized). */
  label: string;
  /** Grouping in Add Account. */
  region: 'international' | 'chinese';
  host: string;
  port: number;
  security: SmtpSecurity;
  auth: ProviderAuth;
  /** One sentence: what to enter instead of the account password, or that Microsoft sign-in is needed (localized). */
  rule: string;
  /** The page where the user gets the app password / authorization code, or reads about sign-in. */
  helpUrl: string;
  /** The provider's sending limits, for the merge feature: absent when the provider publishes none we rely on. */
  limits?: { messagesPerMinute?: number; recipientsPerMessage?: number };
}

interface WellKnown {
  host?: string;
  port?: number;
  secure?: boolean;
}

/** Our id → the key in nodemailer's services.json. */
const SERVICE_KEYS: Readonly<Record<string, string>> = {
  gmail: 'Gmail',
  outlook: 'Hotmail',
  microsoft365: 'Outlook365',
  icloud: 'iCloud',
  yahoo: 'Yahoo',
  zoho: 'Zoho',
  fastmail: 'FastMail',
  qq: 'QQ',
  qqex: 'QQex',
  '163': '163',
  '126': '126',
  aliyun: 'Aliyun',
  feishu: 'Feishu Mail',
};

let wellKnown: Record<string, WellKnown> | undefined;

/** nodemailer's services.json, read the first time a preset is asked for. */
function services(): Record<string, WellKnown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  wellKnown ??= require('nodemailer/lib/well-known/services.json') as Record<string, WellKnown>;
  return wellKnown;
}

type PresetText = Omit<ProviderPreset, 'host' | 'port' | 'security'>;

/** The texts are made when asked for, so they follow the language in force then. */
function presetTexts(): PresetText[] {
  const appPassword = (provider: string): string =>
    l10n.t('{0} needs an app password (turn on 2-step verification first), not the password you sign in with.', provider);
  const authCode = (provider: string): string =>
    l10n.t('{0} needs the authorization code (授权码) from the mailbox settings (turn on SMTP there), not the login password.', provider);
  return [
    {
      id: 'gmail',
      label: l10n.t('Gmail'),
      region: 'international',
      auth: 'app-password',
      rule: appPassword('Gmail'),
      helpUrl: 'https://myaccount.google.com/apppasswords',
      limits: { recipientsPerMessage: 100 },
    },
    {
      id: 'outlook',
      label: l10n.t('Outlook.com / Hotmail'),
      region: 'international',
      auth: 'oauth2-microsoft',
      rule: l10n.t('Outlook.com needs Microsoft sign-in (OAuth 2.0): it refuses passwords and app passwords for SMTP.'),
      helpUrl: 'https://support.microsoft.com/office/pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040',
    },
    {
      id: 'microsoft365',
      label: l10n.t('Microsoft 365'),
      region: 'international',
      auth: 'oauth2-microsoft',
      rule: l10n.t('Microsoft 365 needs Microsoft sign-in (OAuth 2.0) with your organisation\'s app registration, and SMTP AUTH enabled for the mailbox.'),
      helpUrl: 'https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
      limits: { messagesPerMinute: 30 },
    },
    { id: 'icloud', label: l10n.t('iCloud Mail'), region: 'international', auth: 'app-password', rule: appPassword('iCloud Mail'), helpUrl: 'https://support.apple.com/102654' },
    { id: 'yahoo', label: l10n.t('Yahoo Mail'), region: 'international', auth: 'app-password', rule: appPassword('Yahoo Mail'), helpUrl: 'https://help.yahoo.com/kb/SLN15241.html' },
    { id: 'zoho', label: l10n.t('Zoho Mail'), region: 'international', auth: 'app-password', rule: appPassword('Zoho Mail'), helpUrl: 'https://www.zoho.com/mail/help/zoho-smtp.html' },
    {
      id: 'fastmail',
      label: l10n.t('Fastmail'),
      region: 'international',
      auth: 'app-password',
      rule: appPassword('Fastmail'),
      helpUrl: 'https://www.fastmail.help/hc/en-us/articles/360058752854',
    },
    { id: 'qq', label: l10n.t('QQ Mail'), region: 'chinese', auth: 'authorization-code', rule: authCode(l10n.t('QQ Mail')), helpUrl: 'https://service.mail.qq.com/detail/0/75' },
    {
      id: 'qqex',
      label: l10n.t('QQ enterprise mail (Tencent Exmail)'),
      region: 'chinese',
      auth: 'app-password',
      rule: l10n.t('Tencent Exmail needs a client-specific password (客户端专用密码) when secure login is on, not the login password.'),
      helpUrl: 'https://service.exmail.qq.com/',
    },
    { id: '163', label: l10n.t('163 Mail (NetEase)'), region: 'chinese', auth: 'authorization-code', rule: authCode(l10n.t('163 Mail')), helpUrl: 'https://help.mail.163.com/' },
    { id: '126', label: l10n.t('126 Mail (NetEase)'), region: 'chinese', auth: 'authorization-code', rule: authCode(l10n.t('126 Mail')), helpUrl: 'https://help.mail.126.com/' },
    {
      id: 'aliyun',
      label: l10n.t('Aliyun Mail'),
      region: 'chinese',
      auth: 'password',
      rule: l10n.t('Aliyun Mail takes the mailbox password once SMTP is turned on in its settings.'),
      helpUrl: 'https://help.aliyun.com/product/35466.html',
    },
    {
      id: 'feishu',
      label: l10n.t('Feishu Mail'),
      region: 'chinese',
      auth: 'app-password',
      rule: l10n.t('Feishu Mail needs the IMAP/SMTP password generated in its mail settings, not the Feishu login password.'),
      helpUrl: 'https://www.feishu.cn/hc/zh-CN/articles/360049068017',
    },
  ];
}

/** Every preset, in the order Add Account lists them (international first, then Chinese). */
export function providerPresets(): ProviderPreset[] {
  const known = services();
  return presetTexts().map((p) => {
    const service = known[SERVICE_KEYS[p.id]];
    if (!service?.host || !service.port) throw new Error(`nodemailer's services.json has no server for ${SERVICE_KEYS[p.id]}`);
    const security: SmtpSecurity = service.secure || service.port === 465 ? 'tls' : 'starttls';
    return { ...p, host: service.host, port: service.port, security };
  });
}

/** The preset with this id (compared without regard to case), or undefined. */
export function findProvider(id: string): ProviderPreset | undefined {
  const wanted = id.trim().toLowerCase();
  return providerPresets().find((p) => p.id === wanted);
}

/** The preset whose server is `host` (compared without regard to case), or undefined: login errors name its rule. */
export function providerForHost(host: string): ProviderPreset | undefined {
  const wanted = host.trim().toLowerCase();
  return providerPresets().find((p) => p.host.toLowerCase() === wanted);
}
