/**
 * Small raw messages for SMTP tests, built with nodemailer's MailComposer (independent of our own
 * compose code), and the independent parser (mailparser) to read back what arrived.
 */
import * as crypto from 'crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface TestMessage {
  raw: Buffer;
  /** With angle brackets, as in the header: `<...@test.local>`. */
  messageId: string;
  envelope: { from: string; to: string[] };
  subject: string;
}

export interface TestMessageOptions {
  from?: string;
  to?: string[];
  /** Envelope-only recipients. */
  bcc?: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Pad the text part with this many extra bytes (for SIZE tests). */
  padBytes?: number;
  messageId?: string;
}

export async function buildTestMessage(options: TestMessageOptions = {}): Promise<TestMessage> {
  const from = options.from ?? 'ada@example.com';
  const to = options.to ?? ['bob@example.com'];
  const bcc = options.bcc ?? [];
  const subject = options.subject ?? 'Test message';
  const messageId = options.messageId ?? `<${crypto.randomBytes(8).toString('hex')}@test.local>`;
  let text = options.text ?? 'Hello from the test suite.\n.\nA line with only a dot above (dot-stuffing).';
  if (options.padBytes) text += '\n' + 'x'.repeat(76).concat('\n').repeat(Math.ceil(options.padBytes / 77));
  // CRLF throughout, as our composer writes it (SMTP would turn bare LFs into CRLF on the wire).
  text = text.replace(/\r?\n/g, '\r\n');
  const raw = await new MailComposer({
    from,
    to,
    subject,
    text,
    html: options.html ?? `<p>Hello from the <b>test suite</b>.</p>`,
    messageId,
    date: new Date('2025-01-02T03:04:05Z'),
  })
    .compile()
    .build();
  return { raw, messageId, envelope: { from, to: [...to, ...bcc] }, subject };
}

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw);
}
