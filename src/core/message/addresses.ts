/**
 * Address lists and header values of a message, validated before any connection is made (split by core/mailbox.ts).
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import { formatMailbox, type Mailbox, mailboxesIn } from '../mailbox';

/** Header values never contain CR or LF: a line break would start a header of the attacker's choosing. */
export function assertHeaderValue(name: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new SendAsEmailError(ErrorCode.HEADER_INJECTION, l10n.t('The {0} header contains a line break, which is not allowed in a header value.', name), {
      problems: [{ code: ErrorCode.HEADER_INJECTION, message: l10n.t('The {0} header contains a line break.', name), ref: name }],
    });
  }
}

// RFC 5322 dot-atom or quoted-string local part; UTF-8 allowed (RFC 6531). Domain: labels (IDN allowed) or a literal.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF]";
const LOCAL = `(?:${ATEXT}+(?:\\.${ATEXT}+)*|"(?:[^"\\\\\\r\\n]|\\\\.)+")`;
const LABEL = '[A-Za-z0-9\\u0080-\\uFFFF](?:[A-Za-z0-9\\-\\u0080-\\uFFFF]*[A-Za-z0-9\\u0080-\\uFFFF])?';
const DOMAIN = `(?:${LABEL}(?:\\.${LABEL})*|\\[[A-Za-z0-9:.]+\\])`;
const ADDRESS_RE = new RegExp(`^${LOCAL}@${DOMAIN}$`);

export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS_RE.test(address);
}

/**
 * Parses and validates an address field (comma-separated string or a list of them; groups are flattened) into
 * mailboxes. Throws INVALID_ADDRESS naming the bad entry and the field, HEADER_INJECTION for a line break.
 */
export function parseMailboxes(value: string | string[] | undefined, field: string): Mailbox[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  const result: Mailbox[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      throw new SendAsEmailError(ErrorCode.INVALID_ADDRESS, l10n.t('The {0} field must be text or a list of addresses, got {1}.', field, JSON.stringify(item)));
    }
    assertHeaderValue(field, item);
    if (!item.trim()) continue;
    for (const { name, address } of mailboxesIn(item)) {
      if (!isValidAddress(address)) {
        const shown = address || name || item.trim();
        const message = l10n.t('Invalid address "{0}" in {1}.', shown, field);
        throw new SendAsEmailError(ErrorCode.INVALID_ADDRESS, message, {
          problems: [{ code: ErrorCode.INVALID_ADDRESS, message, ref: shown }],
          hint: l10n.t('Write addresses as name@example.com or "Name" <name@example.com>, separated by commas.'),
        });
      }
      result.push({ name, address });
    }
  }
  return result;
}

/** Comma-separated or list of addresses (display names allowed) → one normalized string per mailbox. */
export function parseAddressList(value: string | string[] | undefined, field: string): string[] {
  return parseMailboxes(value, field).map(formatMailbox);
}

/** The bare address of `"Name" <a@b>` (or of a bare address). */
export function addressOnly(a: string): string {
  const [first] = mailboxesIn(a);
  return first ? first.address : a.trim();
}

/** The domain of an address, lower-cased (`a@Example.COM` → `example.com`). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).replace(/[[\]]/g, '').toLowerCase();
}
