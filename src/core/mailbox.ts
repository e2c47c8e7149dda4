/**
 * Mailboxes as a header writes them: one parser (nodemailer's addressparser) splits every address list of the product,
 * from a header field, a flag or a setting; nothing here validates (message/addresses.ts does, naming the field).
 */
import addressparser from 'nodemailer/lib/addressparser';

/** A mailbox: display name (may be empty) and address. */
export interface Mailbox {
  name: string;
  address: string;
}

/** The mailboxes of a list written as one string (groups flattened), as written: an entry that is no address has only a name. */
export function mailboxesIn(value: string): Mailbox[] {
  return addressparser(value, { flatten: true }).map((m) => ({ name: m.name.trim(), address: m.address.trim() }));
}

/**
 * A list of addresses written as one string, one string per mailbox: `"Lovelace, Ada" <ada@example.com>, bob@example.com`
 * gives two. Quotes (escaped ones too) and angle brackets hold their commas. An entry that is no address is kept (its
 * text), for the address check to name.
 */
export function splitAddressList(value: string): string[] {
  return mailboxesIn(value)
    .map((m) => (m.address ? formatMailbox(m) : m.name))
    .filter((item) => item !== '');
}

/** `"Name" <a@b>` (quoted only when needed) or the bare address. */
export function formatMailbox(m: Mailbox): string {
  if (!m.name) return m.address;
  const name = /[()<>[\]:;@\\,."]/.test(m.name) ? `"${m.name.replace(/["\\]/g, '\\$&')}"` : m.name;
  return `${name} <${m.address}>`;
}
