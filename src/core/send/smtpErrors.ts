/**
 * Turns what nodemailer's SMTP client reports (socket, DNS, TLS and SMTP reply errors) into a
 * SendAsEmailError: one sentence saying what happened, naming host:port and quoting the server's
 * own reply, a hint saying what to do, the reply in `extra.serverResponse`. Never the password (secrets.ts scrubs it).
 *
 * The table in two halves: reaching the server (DNS, TCP, timeouts, certificates, STARTTLS, TLS) here, what the
 * server answered and how the session ended in smtpReplyErrors.ts. What an error is made from: smtpErrorContext.ts.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';
import { endpoint, implicitTlsHint, make, readFailure, withDeliveryNote, type Failure, type SmtpErrorContext } from './smtpErrorContext';
import { replyError } from './smtpReplyErrors';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
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

/** SMTP_CANCELLED, saying whether anything can have been delivered. */
export function cancelled(ctx: SmtpErrorContext): SendAsEmailError {
  const where = endpoint(ctx.host, ctx.port);
  if (ctx.operation === 'verify') return make(ErrorCode.SMTP_CANCELLED, l10n.t('The connection test to {0} was cancelled.', where), ctx);
  if (ctx.phase !== 'sent') {
    return make(ErrorCode.SMTP_CANCELLED, l10n.t('Sending to {0} was cancelled; nothing was delivered and the message is kept in the outbox.', where), ctx);
  }
  return make(
    ErrorCode.SMTP_CANCELLED,
    l10n.t('Sending to {0} was cancelled; the whole message had already been transmitted, so it may have been delivered even though the server did not confirm it.', where),
    ctx,
    { hint: l10n.t('Check with a recipient before retrying, or the message may arrive twice.') },
  );
}

/** The host not found (DNS), the connection refused or the network unreachable (TCP), or undefined. */
function reachError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError | undefined {
  const { code, orig, where, base } = f;
  if (code === 'EDNS' || DNS_CODES.has(orig)) {
    const clause =
      orig === 'EAI_AGAIN'
        ? l10n.t('SMTP server host "{0}" could not be resolved right now (temporary DNS failure)', ctx.host)
        : l10n.t('SMTP server host "{0}" was not found', ctx.host);
    return make(ErrorCode.SMTP_HOST_NOT_FOUND, withDeliveryNote(ctx, clause), ctx, {
      ...base,
      hint: l10n.t('Check sendAsEmail.smtp.host for typos and that this machine is online.'),
    });
  }
  if (orig === 'ECONNREFUSED') {
    return make(ErrorCode.SMTP_CONNECTION_REFUSED, l10n.t('Connection to {0} was refused: no server is listening on that port.', where), ctx, {
      ...base,
      hint: l10n.t('Check sendAsEmail.smtp.host and sendAsEmail.smtp.port (usually 587 with "starttls" or 465 with "tls").'),
    });
  }
  if (UNREACHABLE_CODES.has(orig)) {
    return make(ErrorCode.SMTP_CONNECTION_REFUSED, l10n.t('{0} is unreachable from this machine ({1}).', where, orig), ctx, {
      ...base,
      hint: l10n.t('Check the network connection, a VPN or firewall, and sendAsEmail.smtp.host.'),
    });
  }
  return undefined;
}

/** A timeout: connecting, waiting for the greeting, the TLS handshake, or an idle server. */
function timeoutError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError {
  const { e, where, base } = f;
  const t = ctx.timeoutSeconds;
  const type = e.timeoutType !== 'CONNECT_TIMEOUT' && ctx.phase === 'connect' && ctx.greeted === false ? 'GREETING_TIMEOUT' : e.timeoutType;
  switch (type) {
    case 'GREETING_TIMEOUT':
      return make(ErrorCode.SMTP_TIMEOUT, withDeliveryNote(ctx, l10n.t('{0} accepted the connection but sent no SMTP greeting within {1} s', where, t)), ctx, {
        ...base,
        hint: implicitTlsHint(ctx) ?? l10n.t('Check that this host and port run an SMTP server, and the security setting.'),
      });
    case 'UPGRADE_TIMEOUT':
      return make(ErrorCode.SMTP_TIMEOUT, withDeliveryNote(ctx, l10n.t('The TLS handshake with {0} did not finish within {1} s', where, t)), ctx, {
        ...base,
        hint: l10n.t('Try again; if it keeps happening, check sendAsEmail.smtp.security and the port.'),
      });
    case 'SOCKET_TIMEOUT':
      return make(ErrorCode.SMTP_TIMEOUT, withDeliveryNote(ctx, l10n.t('{0} stopped answering for {1} s', where, t)), ctx, {
        ...base,
        hint: l10n.t('Try again later, or raise sendAsEmail.smtp.timeoutSeconds for a slow server.'),
      });
    default:
      return make(ErrorCode.SMTP_TIMEOUT, withDeliveryNote(ctx, l10n.t('Could not connect to {0} within {1} s', where, t)), ctx, {
        ...base,
        hint: l10n.t('Check sendAsEmail.smtp.host and sendAsEmail.smtp.port, and whether a firewall blocks that port.'),
      });
  }
}

/** The server's certificate is not trusted: another name, expired, not yet valid, or signed by an unknown CA. */
function certificateError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError {
  const { orig, where, detail, base } = f;
  if (orig === 'ERR_TLS_CERT_ALTNAME_INVALID' || orig === 'HOSTNAME_MISMATCH') {
    return make(ErrorCode.SMTP_CERT_UNTRUSTED, withDeliveryNote(ctx, l10n.t('The TLS certificate of {0} is not valid for the name "{1}" ({2})', where, ctx.host, detail)), ctx, {
      ...base,
      hint: l10n.t('Set sendAsEmail.smtp.host to a name the certificate is issued for.'),
    });
  }
  if (orig === 'CERT_HAS_EXPIRED' || orig === 'CERT_NOT_YET_VALID') {
    const clause =
      orig === 'CERT_HAS_EXPIRED'
        ? l10n.t('The TLS certificate of {0} has expired ({1})', where, detail)
        : l10n.t('The TLS certificate of {0} is not valid yet ({1})', where, detail);
    return make(ErrorCode.SMTP_CERT_UNTRUSTED, withDeliveryNote(ctx, clause), ctx, {
      ...base,
      hint: l10n.t("The server's administrator has to renew its certificate; also check this computer's date and time."),
    });
  }
  return make(ErrorCode.SMTP_CERT_UNTRUSTED, withDeliveryNote(ctx, l10n.t('The TLS certificate of {0} is not signed by a trusted certificate authority ({1})', where, detail)), ctx, {
    ...base,
    hint: l10n.t('If the server uses a company or self-signed CA, set sendAsEmail.smtp.caFile to its PEM certificate file.'),
  });
}

/** STARTTLS required but not offered (or EHLO refused), or TLS that failed; undefined when it is none of these. */
function tlsError(f: Failure, ctx: SmtpErrorContext): SendAsEmailError | undefined {
  const { e, code, orig, where, serverResponse, detail, base } = f;
  if (ctx.security === 'starttls' && code === 'ETLS' && e.command === 'STARTTLS' && e.responseCode) {
    return make(
      ErrorCode.SMTP_STARTTLS_UNAVAILABLE,
      l10n.t('{0} does not offer STARTTLS (it answered: {1}), so nothing was sent in plain text.', where, serverResponse ?? detail),
      ctx,
      { ...base, hint: l10n.t('Use port 465 with sendAsEmail.smtp.security "tls" if the server supports it, or ask its administrator to enable STARTTLS.') },
    );
  }
  if (ctx.security === 'starttls' && e.command === 'EHLO' && e.responseCode !== 421) {
    const message = serverResponse
      ? l10n.t('{0} refused EHLO ({1}), so STARTTLS is not available and nothing was sent in plain text.', where, serverResponse)
      : l10n.t('{0} refused EHLO, so STARTTLS is not available and nothing was sent in plain text.', where);
    return make(ErrorCode.SMTP_STARTTLS_UNAVAILABLE, message, ctx, {
      ...base,
      hint: l10n.t('Check that this is a modern SMTP server, or use sendAsEmail.smtp.security "tls" on port 465.'),
    });
  }
  if (!(code === 'ETLS' || NOT_TLS_CODES.has(orig) || /^ERR_(SSL|TLS)_/.test(orig) || orig === 'EPROTO')) return undefined;
  if (ctx.security === 'tls' && (NOT_TLS_CODES.has(orig) || /wrong version number|packet length too long/i.test(detail))) {
    return make(
      ErrorCode.SMTP_TLS_FAILED,
      withDeliveryNote(ctx, l10n.t('The TLS handshake with {0} failed because the server does not speak TLS from the first byte on this port ({1})', where, detail)),
      ctx,
      { ...base, hint: l10n.t('Port 587 normally uses STARTTLS: set sendAsEmail.smtp.security to "starttls", or use port 465 with "tls".') },
    );
  }
  const clause = serverResponse ? l10n.t('TLS with {0} failed: {1} ({2})', where, detail, serverResponse) : l10n.t('TLS with {0} failed: {1}', where, detail);
  return make(ErrorCode.SMTP_TLS_FAILED, withDeliveryNote(ctx, clause), ctx, {
    ...base,
    hint: implicitTlsHint(ctx) ?? l10n.t('Check sendAsEmail.smtp.security and sendAsEmail.smtp.port (587 "starttls", 465 "tls").'),
  });
}

/**
 * The one mapping from whatever the SMTP client threw to a SendAsEmailError.
 * A SendAsEmailError passes through unchanged.
 */
export function toSmtpError(err: unknown, ctx: SmtpErrorContext): SendAsEmailError {
  if (err instanceof SendAsEmailError) return err;
  const f = readFailure(err, ctx);
  const reached = reachError(f, ctx);
  if (reached) return reached;
  if (f.code === 'ETIMEDOUT' || f.orig === 'ETIMEDOUT') return timeoutError(f, ctx);
  if (CERT_CODES.has(f.orig)) return certificateError(f, ctx);
  return tlsError(f, ctx) ?? replyError(f, ctx);
}
