/**
 * Turns what nodemailer's SMTP client reports (socket, DNS, TLS and SMTP reply errors) into a
 * SendAsEmailError: one sentence saying what happened, naming host:port and quoting the server's
 * own reply, a hint saying what to do, the reply in `extra.serverResponse`. Never the password (secrets.ts scrubs it).
 */
import { ErrorCode, SendAsEmailError } from '../errors';
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
interface NodemailerErrorLike {
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

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);
/** OpenSSL / Node verification failures: the peer's certificate is not trusted. */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
/** Handshake failures that mean "this port does not speak TLS from the first byte". */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

const CAFILE_HINT =
  'If the server uses a company or self-signed CA, set sendAsEmail.smtp.caFile to its PEM certificate file.';

/** `host:port`, with IPv6 literals bracketed. */
export function endpoint(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

function sentence(text: string): string {
  const t = text.trim().replace(/\s*\r?\n\s*/g, ' ');
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.?]$/.test(s) ? s : s + '.';
}

function reply(e: NodemailerErrorLike): string | undefined {
  const r = e.response?.trim();
  return r ? r.replace(/\s*\r?\n\s*/g, ' ') : undefined;
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

function implicitTlsHint(ctx: SmtpErrorContext): string | undefined {
  if (ctx.security !== 'tls' && ctx.port === 465) {
    return 'Port 465 usually expects implicit TLS: set sendAsEmail.smtp.security to "tls" (or use port 587 with "starttls").';
  }
  return undefined;
}

function make(
  code: ErrorCode,
  message: string,
  ctx: SmtpErrorContext,
  extra: SendAsEmailError['extra'] = {},
): SendAsEmailError {
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

/** What the failure means for the message, by phase (sends only). */
function deliveryNote(ctx: SmtpErrorContext): string {
  if (ctx.operation === 'verify') return '';
  switch (ctx.phase) {
    case 'connect':
    case 'auth':
    case 'envelope':
      return '; nothing was sent';
    case 'data':
      return '; the message was not delivered and is kept in the outbox';
    case 'sent':
      return '; the message was probably not delivered and is kept in the outbox';
  }
}

/** SMTP_MESSAGE_TOO_LARGE naming the message size and, when known, the server's limit. */
export function messageTooLarge(ctx: SmtpErrorContext, serverResponse?: string, cause?: unknown): SendAsEmailError {
  const where = endpoint(ctx.host, ctx.port);
  const size = ctx.messageSize !== undefined ? ` (${bytes(ctx.messageSize)})` : '';
  const limit = ctx.sizeLimit ? `its limit is ${bytes(ctx.sizeLimit)}` : 'it did not announce its limit';
  const said = serverResponse ? `: ${serverResponse}` : '';
  return make(ErrorCode.SMTP_MESSAGE_TOO_LARGE, `The message${size} is too large for ${where}, ${limit}${said}`, ctx, {
    hint: 'Make the message smaller (fewer or smaller images and attachments) and send it again.',
    serverResponse,
    cause,
  });
}

/** SMTP_CANCELLED, saying whether anything can have been delivered. */
export function cancelled(ctx: SmtpErrorContext): SendAsEmailError {
  const where = endpoint(ctx.host, ctx.port);
  if (ctx.operation === 'verify') return make(ErrorCode.SMTP_CANCELLED, `The connection test to ${where} was cancelled`, ctx);
  const outcome =
    ctx.phase === 'sent'
      ? 'the whole message had already been transmitted, so it may have been delivered even though the server did not confirm it'
      : 'nothing was delivered and the message is kept in the outbox';
  return make(ErrorCode.SMTP_CANCELLED, `Sending to ${where} was cancelled; ${outcome}`, ctx, {
    hint: ctx.phase === 'sent' ? 'Check with a recipient before retrying, or the message may arrive twice.' : undefined,
  });
}

/**
 * The one mapping from whatever the SMTP client threw to a SendAsEmailError.
 * A SendAsEmailError passes through unchanged.
 */
export function toSmtpError(err: unknown, ctx: SmtpErrorContext): SendAsEmailError {
  if (err instanceof SendAsEmailError) return err;
  const e: NodemailerErrorLike =
    err !== null && typeof err === 'object' ? (err as NodemailerErrorLike) : { message: String(err) };
  const where = endpoint(ctx.host, ctx.port);
  const code = e.code ?? '';
  const orig = e.originalCode ?? code;
  const serverResponse = reply(e);
  let detail = (e.reason ?? e.message ?? String(err)).trim();
  // nodemailer appends ": <server reply>" to its messages; the reply is quoted separately.
  if (e.response && detail.endsWith(`: ${e.response}`)) detail = detail.slice(0, -(e.response.length + 2)).trim();
  const t = ctx.timeoutSeconds;
  const note = deliveryNote(ctx);
  const base = { serverResponse, cause: err };

  // DNS
  if (code === 'EDNS' || DNS_CODES.has(orig)) {
    const why = orig === 'EAI_AGAIN' ? 'could not be resolved right now (temporary DNS failure)' : 'was not found';
    return make(ErrorCode.SMTP_HOST_NOT_FOUND, `SMTP server host "${ctx.host}" ${why}${note}`, ctx, {
      ...base,
      hint: 'Check sendAsEmail.smtp.host for typos and that this machine is online.',
    });
  }
  // TCP
  if (orig === 'ECONNREFUSED') {
    return make(ErrorCode.SMTP_CONNECTION_REFUSED, `Connection to ${where} was refused: no server is listening on that port`, ctx, {
      ...base,
      hint: 'Check sendAsEmail.smtp.host and sendAsEmail.smtp.port (usually 587 with "starttls" or 465 with "tls").',
    });
  }
  if (UNREACHABLE_CODES.has(orig)) {
    return make(ErrorCode.SMTP_CONNECTION_REFUSED, `${where} is unreachable from this machine (${orig})`, ctx, {
      ...base,
      hint: 'Check the network connection, a VPN or firewall, and sendAsEmail.smtp.host.',
    });
  }
  // Timeouts
  if (code === 'ETIMEDOUT' || orig === 'ETIMEDOUT') {
    const type =
      e.timeoutType !== 'CONNECT_TIMEOUT' && ctx.phase === 'connect' && ctx.greeted === false ? 'GREETING_TIMEOUT' : e.timeoutType;
    switch (type) {
      case 'GREETING_TIMEOUT':
        return make(
          ErrorCode.SMTP_TIMEOUT,
          `${where} accepted the connection but sent no SMTP greeting within ${t} s${note}`,
          ctx,
          { ...base, hint: implicitTlsHint(ctx) ?? 'Check that this host and port run an SMTP server, and the security setting.' },
        );
      case 'UPGRADE_TIMEOUT':
        return make(ErrorCode.SMTP_TIMEOUT, `The TLS handshake with ${where} did not finish within ${t} s${note}`, ctx, {
          ...base,
          hint: 'Try again; if it keeps happening, check sendAsEmail.smtp.security and the port.',
        });
      case 'SOCKET_TIMEOUT':
        return make(ErrorCode.SMTP_TIMEOUT, `${where} stopped answering for ${t} s${note}`, ctx, {
          ...base,
          hint: 'Try again later, or raise sendAsEmail.smtp.timeoutSeconds for a slow server.',
        });
      default:
        return make(ErrorCode.SMTP_TIMEOUT, `Could not connect to ${where} within ${t} s${note}`, ctx, {
          ...base,
          hint: 'Check sendAsEmail.smtp.host and sendAsEmail.smtp.port, and whether a firewall blocks that port.',
        });
    }
  }
  // Certificates
  if (CERT_CODES.has(orig)) {
    const why =
      orig === 'ERR_TLS_CERT_ALTNAME_INVALID' || orig === 'HOSTNAME_MISMATCH'
        ? `is not valid for the name "${ctx.host}"`
        : orig === 'CERT_HAS_EXPIRED'
          ? 'has expired'
          : orig === 'CERT_NOT_YET_VALID'
            ? 'is not valid yet'
            : 'is not signed by a trusted certificate authority';
    return make(ErrorCode.SMTP_CERT_UNTRUSTED, `The TLS certificate of ${where} ${why} (${detail})${note}`, ctx, {
      ...base,
      hint:
        orig === 'ERR_TLS_CERT_ALTNAME_INVALID' || orig === 'HOSTNAME_MISMATCH'
          ? 'Set sendAsEmail.smtp.host to a name the certificate is issued for.'
          : orig === 'CERT_HAS_EXPIRED' || orig === 'CERT_NOT_YET_VALID'
            ? "The server's administrator has to renew its certificate; also check this computer's date and time."
            : CAFILE_HINT,
    });
  }
  // STARTTLS required but not available
  if (ctx.security === 'starttls' && code === 'ETLS' && e.command === 'STARTTLS' && e.responseCode) {
    return make(
      ErrorCode.SMTP_STARTTLS_UNAVAILABLE,
      `${where} does not offer STARTTLS (it answered: ${serverResponse}), so nothing was sent in plain text`,
      ctx,
      { ...base, hint: 'Use port 465 with sendAsEmail.smtp.security "tls" if the server supports it, or ask its administrator to enable STARTTLS.' },
    );
  }
  if (ctx.security === 'starttls' && e.command === 'EHLO' && e.responseCode !== 421) {
    return make(
      ErrorCode.SMTP_STARTTLS_UNAVAILABLE,
      `${where} refused EHLO${serverResponse ? ` (${serverResponse})` : ''}, so STARTTLS is not available and nothing was sent in plain text`,
      ctx,
      { ...base, hint: 'Check that this is a modern SMTP server, or use sendAsEmail.smtp.security "tls" on port 465.' },
    );
  }
  // Other TLS failures
  if (code === 'ETLS' || NOT_TLS_CODES.has(orig) || /^ERR_(SSL|TLS)_/.test(orig) || orig === 'EPROTO') {
    if (ctx.security === 'tls' && (NOT_TLS_CODES.has(orig) || /wrong version number|packet length too long/i.test(detail))) {
      return make(
        ErrorCode.SMTP_TLS_FAILED,
        `The TLS handshake with ${where} failed because the server does not speak TLS from the first byte on this port (${detail})${note}`,
        ctx,
        { ...base, hint: 'Port 587 normally uses STARTTLS: set sendAsEmail.smtp.security to "starttls", or use port 465 with "tls".' },
      );
    }
    return make(ErrorCode.SMTP_TLS_FAILED, `TLS with ${where} failed: ${detail}${serverResponse ? ` (${serverResponse})` : ''}${note}`, ctx, {
      ...base,
      hint: implicitTlsHint(ctx) ?? 'Check sendAsEmail.smtp.security and sendAsEmail.smtp.port (587 "starttls", 465 "tls").',
    });
  }
  // Authentication
  if (code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) {
    const who = ctx.user ? ` for user "${ctx.user}"` : '';
    return make(
      ErrorCode.SMTP_AUTH_FAILED,
      `${where} refused the login${who}${serverResponse ? `: ${serverResponse}` : ` (${detail})`}`,
      ctx,
      { ...base, hint: 'Re-enter the password (Email: Set SMTP Password) and check sendAsEmail.smtp.user; some providers need an app password.' },
    );
  }
  if (e.responseCode === 530) {
    if (serverResponse && /starttls|tls/i.test(serverResponse)) {
      return make(ErrorCode.SMTP_TLS_FAILED, `${where} requires TLS: ${serverResponse}`, ctx, {
        ...base,
        hint: 'Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).',
      });
    }
    return make(ErrorCode.SMTP_AUTH_FAILED, `${where} requires a login: ${serverResponse}`, ctx, {
      ...base,
      hint: 'Set sendAsEmail.smtp.user and the password (Email: Set SMTP Password).',
    });
  }
  // Size
  if (e.responseCode === 552 && e.command !== 'RCPT TO') return messageTooLarge(ctx, serverResponse, err);
  if (serverResponse && /^5\d\d 5\.3\.4/.test(serverResponse)) return messageTooLarge(ctx, serverResponse, err);
  // Envelope
  if (code === 'EENVELOPE' && e.rejected && e.rejected.length > 0) {
    const rejected = e.rejected.map((address) => {
      const match = e.rejectedErrors?.find((r) => r.recipient === address);
      return { address, response: (match?.response ?? serverResponse ?? '').trim() };
    });
    const list = rejected.map((r) => `${r.address} (${r.response})`).join(', ');
    return make(ErrorCode.SMTP_RECIPIENTS_REJECTED, `${where} refused every recipient: ${list}; nothing was sent`, ctx, {
      ...base,
      accepted: [],
      rejected,
      hint: 'Check the recipient addresses and send again.',
    });
  }
  if (code === 'EENVELOPE' && e.command === 'MAIL FROM') {
    const sender = ctx.from ? ` <${ctx.from}>` : '';
    return make(ErrorCode.SMTP_REJECTED, `${where} refused the sender${sender}: ${serverResponse ?? detail}${note}`, ctx, {
      ...base,
      hint: 'Check sendAsEmail.from: many servers only accept the address of the account you log in with.',
    });
  }
  // Connection closed / reset
  const dropped =
    code === 'ECONNECTION' || DROP_CODES.has(orig) || (code === 'ESOCKET' && !e.responseCode) || code === 'ESTREAM';
  if (dropped && !(e.responseCode && e.responseCode !== 421)) {
    if (e.responseCode === 421) {
      return make(ErrorCode.SMTP_CONNECTION_DROPPED, `${where} closed the session: ${serverResponse}${note}`, ctx, {
        ...base,
        hint: 'The server is busy or refusing connections for now; try again later.',
      });
    }
    const when =
      ctx.phase === 'connect'
        ? 'before the SMTP session was set up'
        : ctx.phase === 'auth'
          ? 'during the login'
          : ctx.phase === 'envelope'
            ? 'before the message was sent'
            : ctx.phase === 'data'
              ? 'while the message was being sent'
              : 'before confirming the message';
    return make(ErrorCode.SMTP_CONNECTION_DROPPED, `The connection to ${where} dropped ${when} (${detail})${note}`, ctx, {
      ...base,
      hint:
        ctx.phase === 'connect'
          ? (implicitTlsHint(ctx) ?? 'Try again; check the host, port and security settings if it keeps happening.')
          : ctx.operation === 'verify'
            ? 'Try again.'
            : 'Retry the message from the outbox.',
    });
  }
  // Any other server reply
  if (e.responseCode && e.responseCode >= 400) {
    const temporary = e.responseCode < 500;
    const what =
      e.command === 'DATA' || code === 'EMESSAGE'
        ? 'refused the message'
        : e.command === 'RCPT TO'
          ? 'refused the recipient'
          : e.command
            ? `refused ${e.command}`
            : 'refused the request';
    return make(ErrorCode.SMTP_REJECTED, `${where} ${what}${temporary ? ' for now' : ''}: ${serverResponse}${note}`, ctx, {
      ...base,
      hint: temporary
        ? 'This is a temporary refusal: retry the message from the outbox later.'
        : 'The server gave the reason above; fix that and send again.',
    });
  }
  if (e.responseCode) {
    return make(ErrorCode.SMTP_REJECTED, `${where} answered unexpectedly: ${serverResponse}${note}`, ctx, base);
  }
  return make(ErrorCode.SMTP_CONNECTION_DROPPED, `Talking to ${where} failed: ${detail}${note}`, ctx, {
    ...base,
    hint: 'Try again; check the SMTP settings if it keeps happening.',
  });
}
