/**
 * Which email clients a check covers: family names and caniemail ids -> the data's client ids, their display names
 * and families, and the clients people use that the data has never tested.
 */
import * as l10n from '@vscode/l10n';

/** The platforms a family name stands for when given alone (the default list names these five). */
const FAMILY_DEFAULTS: Record<string, readonly string[]> = {
  gmail: ['gmail.desktop-webmail', 'gmail.android', 'gmail.ios'],
  outlook: ['outlook.windows', 'outlook.macos', 'outlook.outlook-com'],
  'apple-mail': ['apple-mail.macos', 'apple-mail.ios'],
  yahoo: ['yahoo.desktop-webmail'],
  // thunderbird.windows has entries for 34 of 307 features; the macOS results stand for Thunderbird.
  thunderbird: ['thunderbird.macos'],
};

const FAMILY_NAMES: Record<string, string> = {
  gmail: 'Gmail',
  outlook: 'Outlook',
  'apple-mail': 'Apple Mail',
  yahoo: 'Yahoo',
  thunderbird: 'Thunderbird',
  aol: 'AOL',
  'samsung-email': 'Samsung Email',
  protonmail: 'Proton Mail',
  fastmail: 'Fastmail',
  hey: 'HEY',
  'mail-ru': 'Mail.ru',
  orange: 'Orange',
  sfr: 'SFR',
  gmx: 'GMX',
  'web-de': 'WEB.DE',
  'ionos-1and1': '1&1',
  laposte: 'La Poste',
  'free-fr': 'Free',
  't-online-de': 'T-Online',
  rainloop: 'RainLoop',
  'wp-pl': 'WP',
};

export interface ResolvedClients {
  /** caniemail ids, in the order asked. */
  ids: string[];
  /** Names that are neither a family nor a client id of the data. */
  unknown: string[];
}

/** `gmail` -> its default platforms, `outlook.windows-mail` -> itself, `samsung-email` -> every platform it has. */
export function resolveClients(names: readonly string[], known: readonly string[]): ResolvedClients {
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const found = known.includes(name) ? [name] : (FAMILY_DEFAULTS[name] ?? known.filter((id) => id.startsWith(`${name}.`)));
    if (found.length === 0) unknown.push(raw.trim());
    for (const id of found) if (!ids.includes(id)) ids.push(id);
  }
  return { ids, unknown };
}

export function familyOf(id: string): string {
  const family = id.split('.')[0];
  return FAMILY_NAMES[family] ?? family;
}

/** `Gmail (Android)`, `Outlook (Windows)`, `Outlook.com`, `Thunderbird`: how reports name a client. */
export function clientName(id: string): string {
  const [family, platform] = id.split('.');
  const name = familyOf(id);
  if (family === 'thunderbird' && platform === 'macos') return name;
  switch (platform) {
    case 'desktop-webmail':
      return l10n.t('{0} (web)', name);
    case 'mobile-webmail':
      return l10n.t('{0} (mobile web)', name);
    case 'outlook-com':
      return 'Outlook.com';
    case 'windows-mail':
      return l10n.t('{0} (Windows Mail)', name);
    case 'android':
      return `${name} (Android)`;
    case 'ios':
      return `${name} (iOS)`;
    case 'macos':
      return `${name} (macOS)`;
    case 'windows':
      return `${name} (Windows)`;
    default:
      return `${name} (${platform})`;
  }
}

/** `a, b, c` in the reader's language (`a、b、c` in Chinese). */
export function joinList(items: readonly string[]): string {
  return items.length === 0 ? '' : items.reduce((a, b) => l10n.t('{0}, {1}', a, b));
}

/** Phone apps: an issue only they have matters at phone width. */
export function isPhoneClient(id: string): boolean {
  return /\.(android|ios|mobile-webmail)$/.test(id);
}

/** Clients many recipients use, Chinese ones above all, that the caniemail data has no entry for. */
export function untestedClients(): string[] {
  return [l10n.t('QQ Mail'), l10n.t('NetEase Mail (163)'), 'Foxmail'];
}
