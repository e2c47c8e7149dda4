/**
 * The SMTPConnection options for a target, after checking everything that can be checked without a connection:
 * host, port, security, a plaintext login to another machine, a missing password, the CA file.
 *
 * Security, from the settings:
 * - `starttls`: STARTTLS is required (nodemailer `requireTLS`); if the server does not offer it the
 *   session ends before AUTH or MAIL are sent (SMTP_STARTTLS_UNAVAILABLE).
 * - `tls`: implicit TLS from the first byte.
 * - `none`: plaintext; logging in is refused unless the server is this machine: here unless the host name or address
 *   is loopback, and after connecting (session.ts, before AUTH) unless the address connected to is loopback.
 * Certificates are verified against the default CA store plus `caFile` when set.
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { ErrorCode, SendAsEmailError } from '../errors';
import type { SmtpTarget } from '../types';
import { isLoopbackHost } from './loopback';
import { endpoint } from './smtpErrorContext';

function settingsError(message: string, hint: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.SETTINGS_INVALID, message, { hint });
}

/** Checks what can be checked without a connection. Throws SendAsEmailError. */
function checkTarget(target: SmtpTarget): void {
  if (!target.host || !target.host.trim()) {
    throw new SendAsEmailError(ErrorCode.SMTP_NOT_CONFIGURED, l10n.t('No SMTP server is configured: sendAsEmail.smtp.host is empty.'), {
      hint: l10n.t('Set sendAsEmail.smtp.host (and port, security, user) in the settings.'),
    });
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw settingsError(
      l10n.t('SMTP port {0} for {1} is not a valid port number.', String(target.port), target.host),
      l10n.t('Set sendAsEmail.smtp.port to 587 ("starttls") or 465 ("tls").'),
    );
  }
  if (!['starttls', 'tls', 'none'].includes(target.security)) {
    throw settingsError(
      l10n.t('SMTP security "{0}" is not one of "starttls", "tls" or "none".', String(target.security)),
      l10n.t('Set sendAsEmail.smtp.security to "starttls", "tls" or "none".'),
    );
  }
  const where = endpoint(target.host, target.port);
  if (target.user && target.security === 'none' && !isLoopbackHost(target.host)) {
    throw new SendAsEmailError(
      ErrorCode.SMTP_PLAINTEXT_AUTH_REFUSED,
      target.oauth2
        ? l10n.t('Refusing to send the access token for "{0}" to {1} unencrypted: security is "none" and the host is not this machine.', target.user, where)
        : l10n.t('Refusing to send the password for "{0}" to {1} unencrypted: security is "none" and the host is not this machine.', target.user, where),
      { hint: l10n.t('Set sendAsEmail.smtp.security to "starttls" (port 587) or "tls" (port 465).') },
    );
  }
  if (target.user && !target.password && !target.oauth2) {
    throw new SendAsEmailError(ErrorCode.SMTP_PASSWORD_MISSING, l10n.t('No SMTP password is set for "{0}" at {1}.', target.user, where), {
      hint: l10n.t('Set it with Email: Set SMTP Password.'),
    });
  }
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') || file.startsWith('~\\') ? path.join(os.homedir(), file.slice(1)) : file;
}

/** The default trust store: Node's `getCACertificates('default')` where available, else its bundled roots. */
function defaultCas(): string[] {
  const get = (tls as unknown as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : [...tls.rootCertificates];
}

function readCaFile(file: string): string {
  const resolved = path.resolve(expandHome(file));
  let pem: string;
  try {
    pem = fs.readFileSync(resolved, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw settingsError(
      code === 'ENOENT'
        ? l10n.t('CA file {0} (sendAsEmail.smtp.caFile) does not exist.', resolved)
        : l10n.t('CA file {0} (sendAsEmail.smtp.caFile) cannot be read ({1}).', resolved, code ?? String(e)),
      l10n.t('Point sendAsEmail.smtp.caFile to the PEM file of the CA that signed the server certificate, or clear it.'),
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw settingsError(
      l10n.t('CA file {0} (sendAsEmail.smtp.caFile) holds no PEM certificate ("-----BEGIN CERTIFICATE-----").', resolved),
      l10n.t('Export the CA certificate in PEM (Base64) format and point sendAsEmail.smtp.caFile to it.'),
    );
  }
  return pem;
}

/**
 * The SMTPConnection options for a target (no logger). Validates the target first: throws
 * SMTP_NOT_CONFIGURED, SETTINGS_INVALID (port, security, caFile), SMTP_PLAINTEXT_AUTH_REFUSED or
 * SMTP_PASSWORD_MISSING before anything touches the network. Exported for tests.
 */
export function transportOptions(target: SmtpTarget): SMTPConnectionOptions {
  checkTarget(target);
  const host = target.host.trim();
  const ms = Math.max(1, Number(target.timeoutSeconds) || 30) * 1000;
  const tlsOptions: tls.ConnectionOptions = { rejectUnauthorized: target.rejectUnauthorized !== false };
  // SNI and the identity check use the host name; an IP literal is checked against the IP SANs.
  if (!net.isIP(host)) tlsOptions.servername = host;
  if (target.caFile && target.caFile.trim()) tlsOptions.ca = [...defaultCas(), readCaFile(target.caFile.trim())];
  const common: SMTPConnectionOptions = {
    host,
    port: target.port,
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    dnsTimeout: ms,
    // close() destroys the socket at once: cancel means cancel.
    socketCloseTimeout: 0,
    tls: tlsOptions,
  };
  switch (target.security) {
    case 'tls':
      return { ...common, secure: true, requireTLS: false, ignoreTLS: false };
    case 'none':
      return { ...common, secure: false, requireTLS: false, ignoreTLS: true, opportunisticTLS: false };
    case 'starttls':
    default:
      return { ...common, secure: false, requireTLS: true, ignoreTLS: false, opportunisticTLS: false };
  }
}
