/**
 * What an SMTP error is made from: where in the session it happened (`SmtpErrorContext`), what nodemailer reported
 * (`Failure`), and the one way a message is finished (`make`: one sentence, scrubbed of secrets) with what it means
 * for the message (`withDeliveryNote`). The table itself is smtpErrors.ts and smtpReplyErrors.ts.
 */
import * as l10n from '@vscode/l10n';
import { type ErrorCode, SendAsEmailError } from '../errors';
import type { SmtpSecurity } from '../settings';
import { cleanCause, scrubSecrets } from './secrets';

/** Where in the session the failure happened. It decides whether anything can have been delivered. */
export type SmtpPhase =
  /** TCP, TLS, greeting, EHLO, STARTTLS. */
  | 'connect'
  | 'auth'
  /** MAIL FROM, RCPT TO, DATA command: nothing of the message has left yet. */
  | 'envelope'
  /** Message bytes are being written. */
  | 'data'
  /** Every byte including the final dot was written; waiting for the server's verdict. */
  | 'sent';

export interface SmtpErrorContext {
  host: string;
  port: number;
  security: SmtpSecurity;
  timeoutSeconds: number;
  phase: SmtpPhase;
  /** What the caller was doing: a send, or a connection test. */
  operation?: 'send' | 'verify';
  user?: string;
  /** How the login is made: a password, or an OAuth 2.0 token (XOAUTH2). */
  auth?: 'password' | 'oauth2';
  /** The account's provider preset id, when it names one (the login-error table uses its rule). */
  provider?: string;
  /** Envelope sender, to name it when the server refuses it. */
  from?: string;
  /** Size of the message in bytes. */
  messageSize?: number;
  /** The server's SIZE limit in bytes, when it announced one. */
  sizeLimit?: number;
  /** Whether the server's greeting arrived (a timeout before it is a greeting timeout). */
  greeted?: boolean;
  /**
   * Strings that must never appear in a message, in any form (`secretForms`): the password and the AUTH blobs that
   * carry it (`loginSecrets`). Scrubbed as a last line of defence.
   */
  secrets?: string[];
}

/** The fields of a nodemailer error we read (see nodemailer `errors.d.ts`, NodemailerError). */
export interface NodemailerErrorLike {
  message?: string;
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
  rejected?: string[];
  rejectedErrors?: { recipient?: string; response?: string; message?: string }[];
  reason?: string;
}

/** What the SMTP client threw, read once: its fields, and what the messages quote. */
export interface Failure {
  /** What was thrown. */
  err: unknown;
  e: NodemailerErrorLike;
  /** nodemailer's code (`EAUTH`, `ETLS`...), and the socket's or OpenSSL's (`ECONNREFUSED`...) when it wraps one. */
  code: string;
  orig: string;
  /** `host:port`. */
  where: string;
  /** The server's reply on one line, when there was one. */
  serverResponse: string | undefined;
  /** The client's own description, without the server's reply it may end with. */
  detail: string;
  /** What every mapped error carries: the reply and the original error. */
  base: { serverResponse: string | undefined; cause: unknown };
}

/** `host:port`, with IPv6 literals bracketed. */
export function endpoint(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** Reads what the SMTP client threw (`err`, not a SendAsEmailError) into a Failure. */
export function readFailure(err: unknown, ctx: SmtpErrorContext): Failure {
  const e: NodemailerErrorLike = err !== null && typeof err === 'object' ? (err as NodemailerErrorLike) : { message: String(err) };
  const code = e.code ?? '';
  const r = e.response?.trim();
  const serverResponse = r ? r.replace(/\s*\r?\n\s*/g, ' ') : undefined;
  let detail = (e.reason ?? e.message ?? String(err)).trim();
  // nodemailer appends ": <server reply>" to its messages; the reply is quoted separately.
  if (e.response && detail.endsWith(`: ${e.response}`)) detail = detail.slice(0, -(e.response.length + 2)).trim();
  return { err, e, code, orig: e.originalCode ?? code, where: endpoint(ctx.host, ctx.port), serverResponse, detail, base: { serverResponse, cause: err } };
}

/** A byte count as people read it: `36,700,160 bytes`. */
export function bytes(n: number): string {
  return l10n.t('{0} bytes', n.toLocaleString('en-US'));
}

/** The hint for port 465 without implicit TLS, when that is the likely mistake. */
export function implicitTlsHint(ctx: SmtpErrorContext): string | undefined {
  if (ctx.security !== 'tls' && ctx.port === 465) {
    return l10n.t('Port 465 usually expects implicit TLS: set sendAsEmail.smtp.security to "tls" (or use port 587 with "starttls").');
  }
  return undefined;
}

/**
 * `clause` (a template without its final stop) with what the failure means for the message, by phase: nothing was
 * sent, or it was (probably) not delivered and is kept in the outbox; one sentence. A connection test sends nothing:
 * the clause alone (`make` ends it).
 */
export function withDeliveryNote(ctx: SmtpErrorContext, clause: string): string {
  if (ctx.operation === 'verify') return clause;
  switch (ctx.phase) {
    case 'connect':
    case 'auth':
    case 'envelope':
      return l10n.t('{0}; nothing was sent.', clause);
    case 'data':
      return l10n.t('{0}; the message was not delivered and is kept in the outbox.', clause);
    case 'sent':
      return l10n.t('{0}; the message was probably not delivered and is kept in the outbox.', clause);
  }
}

/** One line, starting with a capital, ending with a stop (added when the text ends with a reply or a detail). */
function sentence(text: string): string {
  const t = text.trim().replace(/\s*\r?\n\s*/g, ' ');
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  if (/[.?。？]$/.test(s)) return s;
  // A sentence worded in Chinese ends with a Chinese full stop.
  return /[\u4e00-\u9fff]/.test(s) ? `${s}。` : `${s}.`;
}

/** The SendAsEmailError: `message` as one sentence, and every text of it scrubbed of the context's secrets. */
export function make(code: ErrorCode, message: string, ctx: SmtpErrorContext, extra: SendAsEmailError['extra'] = {}): SendAsEmailError {
  const secrets = ctx.secrets;
  const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : scrubSecrets(s, secrets));
  return new SendAsEmailError(code, clean(sentence(message)) as string, {
    ...extra,
    cause: cleanCause(extra.cause, secrets),
    hint: clean(extra.hint),
    serverResponse: clean(extra.serverResponse),
    rejected: extra.rejected?.map((r) => ({ address: r.address, response: clean(r.response) as string })),
  });
}
