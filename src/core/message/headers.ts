/**
 * Header values that fold into short lines. nodemailer folds a header only at its spaces, so a subject or a display
 * name with a long run of text and no space (1,200 characters of it) became one line over the 998 octets RFC 5322
 * allows, and a server refused the message. Such a value goes out as RFC 2047 encoded words instead (UTF-8,
 * quoted-printable, at most 52 characters each, separated by spaces): a reader decodes them back to the same text,
 * and the header folds between them.
 */
import { encodeWord, foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import type MailComposer from 'nodemailer/lib/mail-composer';
import type { Mailbox } from '../mailbox';

/**
 * A run without a space longer than this does not fit on a folded line of 76 characters after the longest field
 * name (`Reply-To: `).
 */
const LONGEST_RUN = 64;

/**
 * A header written by compose itself, already encoded and folded: nodemailer emits it as `X-Send-As-Email-Prepared-<name>`
 * (it formats the address fields it knows with no way around its quoting), and `renamePreparedHeaders` gives it its
 * real name once the message is built.
 */
export const PREPARED_PREFIX = 'X-Send-As-Email-Prepared-';

/** How nodemailer writes headers in our messages: quoted-printable encoded words (the composer's textEncoding). */
const ENCODING = { textEncoding: 'Q' } as const;

function hasLongRun(s: string, longest = LONGEST_RUN): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    run = c === 0x20 || c === 0x09 ? 0 : run + 1;
    if (run > longest) return true;
  }
  return false;
}

/** The value as RFC 2047 encoded words (as nodemailer encodes non-ASCII text, so it leaves them as they are). */
function encodedWords(s: string): string {
  return encodeWord(s, 'Q', 52);
}

/** One mailbox as nodemailer writes it (quoted or encoded name, punycode domain). */
function formatted(m: Mailbox): string {
  return MimeNode.encodeHeaderValue('To', [{ name: m.name, address: m.address }], ENCODING);
}

/** The display name as nodemailer writes it is too long to fold (the address itself is never split). */
function nameTooLong(m: Mailbox): boolean {
  // Quoting at most doubles a run (every character escaped) and adds its quotes; most names stop here.
  if (!hasLongRun(m.name, LONGEST_RUN / 2 - 1)) return false;
  return hasLongRun(formatted(m).replace(/\s*<[^<>]*>$/, ''));
}

/** A mailbox with its display name as encoded words. */
function encodedMailbox(m: Mailbox): string {
  const address = MimeNode.encodeHeaderValue('To', [{ name: '', address: m.address }], ENCODING).replace(/^<|>$/g, '');
  return `${encodedWords(m.name)} <${address}>`;
}

export interface HeaderFields {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
}

type ComposerHeaders = Pick<MailComposer.Options, 'from' | 'to' | 'cc' | 'replyTo' | 'subject' | 'headers'>;

/**
 * MailComposer options for From, To, Cc, Reply-To and Subject whose every header line folds to at most 78
 * characters (an address longer than that excepted; it is at most 254). Values that fold as they are go to
 * nodemailer unchanged. A subject that would not is given as encoded words. When a display name would not, the
 * four address fields are written here (in their usual order) as prepared headers; `renamePreparedHeaders` names
 * them.
 */
export function composerHeaders(h: HeaderFields): ComposerHeaders {
  const subject = hasLongRun(h.subject) ? encodedWords(h.subject) : h.subject;
  const lists: [string, Mailbox[]][] = [
    ['From', [h.from]],
    ['To', h.to],
    ['Cc', h.cc],
    ['Reply-To', h.replyTo],
  ];
  if (!lists.some(([, list]) => list.some(nameTooLong))) {
    const some = (list: Mailbox[]): Mailbox[] | undefined => (list.length > 0 ? list : undefined);
    return { from: h.from, to: some(h.to), cc: some(h.cc), replyTo: some(h.replyTo), subject };
  }
  const headers: { key: string; value: { prepared: true; value: string } }[] = [];
  for (const [name, list] of lists) {
    if (list.length === 0) continue;
    const value = list.map((m) => (nameTooLong(m) ? encodedMailbox(m) : formatted(m))).join(', ');
    // Folded under its real name, so the lines are as long as they will be once renamed.
    const folded = foldLines(`${name}: ${value}`, 76).slice(name.length + 2);
    headers.push({ key: `${PREPARED_PREFIX}${name}`, value: { prepared: true, value: folded } });
  }
  return { subject, headers };
}

/**
 * The built message with each prepared header (`X-Send-As-Email-Prepared-From: ...` in the top header block) under
 * its real name; the same buffer when there is none.
 */
export function renamePreparedHeaders(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n', 0, 'latin1');
  const head = message.subarray(0, end < 0 ? message.length : end).toString('latin1');
  if (!head.includes(PREPARED_PREFIX)) return message;
  const renamed = head.replace(new RegExp(`(^|\\r\\n)${PREPARED_PREFIX}`, 'g'), '$1');
  return Buffer.concat([Buffer.from(renamed, 'latin1'), message.subarray(head.length)]);
}
