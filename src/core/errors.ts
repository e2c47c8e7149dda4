/**
 * Every failure the product reports carries one of these codes. Callers branch on the code,
 * never on message text. Messages are one sentence, name the thing (file, line, address, host)
 * and never contain a secret.
 */
import * as l10n from '@vscode/l10n';

export const ErrorCode = {
  // input: the document, its headers, its images and attachments
  IMAGE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  IMAGE_OUTSIDE_WORKSPACE: 'IMAGE_OUTSIDE_WORKSPACE',
  IMAGE_REMOTE_FAILED: 'IMAGE_REMOTE_FAILED',
  IMAGE_INVALID: 'IMAGE_INVALID',
  /** A `cid:` written in the document that no inline part provides. */
  CID_NOT_FOUND: 'CID_NOT_FOUND',
  ATTACHMENT_NOT_FOUND: 'ATTACHMENT_NOT_FOUND',
  ATTACHMENT_OUTSIDE_WORKSPACE: 'ATTACHMENT_OUTSIDE_WORKSPACE',
  /** A document file that is not text in its encoding (invalid bytes, or a binary file). */
  DOCUMENT_NOT_TEXT: 'DOCUMENT_NOT_TEXT',
  FRONT_MATTER_INVALID: 'FRONT_MATTER_INVALID',
  STYLESHEET_NOT_FOUND: 'STYLESHEET_NOT_FOUND',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  HEADER_INJECTION: 'HEADER_INJECTION',
  NO_RECIPIENTS: 'NO_RECIPIENTS',
  NO_FROM: 'NO_FROM',
  SETTINGS_INVALID: 'SETTINGS_INVALID',
  USAGE: 'USAGE',
  WORKSPACE_UNTRUSTED: 'WORKSPACE_UNTRUSTED',
  /** A document, --account or sendAsEmail.defaultAccount names an account sendAsEmail.accounts does not have. */
  ACCOUNT_NOT_FOUND: 'ACCOUNT_NOT_FOUND',
  /** The OAuth2 token command failed, timed out or printed no token. */
  TOKEN_COMMAND_FAILED: 'TOKEN_COMMAND_FAILED',
  /** A failure no code describes (a bug, an unexpected exception): reported as itself, never as a server's refusal. */
  UNEXPECTED: 'UNEXPECTED',
  // SMTP: connection, TLS, authentication, delivery
  SMTP_NOT_CONFIGURED: 'SMTP_NOT_CONFIGURED',
  SMTP_HOST_NOT_FOUND: 'SMTP_HOST_NOT_FOUND',
  SMTP_CONNECTION_REFUSED: 'SMTP_CONNECTION_REFUSED',
  SMTP_TIMEOUT: 'SMTP_TIMEOUT',
  SMTP_TLS_FAILED: 'SMTP_TLS_FAILED',
  SMTP_CERT_UNTRUSTED: 'SMTP_CERT_UNTRUSTED',
  SMTP_STARTTLS_UNAVAILABLE: 'SMTP_STARTTLS_UNAVAILABLE',
  SMTP_PLAINTEXT_AUTH_REFUSED: 'SMTP_PLAINTEXT_AUTH_REFUSED',
  SMTP_AUTH_FAILED: 'SMTP_AUTH_FAILED',
  SMTP_PASSWORD_MISSING: 'SMTP_PASSWORD_MISSING',
  SMTP_RECIPIENTS_REJECTED: 'SMTP_RECIPIENTS_REJECTED',
  SMTP_MESSAGE_TOO_LARGE: 'SMTP_MESSAGE_TOO_LARGE',
  SMTP_CONNECTION_DROPPED: 'SMTP_CONNECTION_DROPPED',
  SMTP_DELIVERY_UNKNOWN: 'SMTP_DELIVERY_UNKNOWN',
  SMTP_CANCELLED: 'SMTP_CANCELLED',
  SMTP_REJECTED: 'SMTP_REJECTED',
  // outbox
  OUTBOX_ENTRY_NOT_FOUND: 'OUTBOX_ENTRY_NOT_FOUND',
  OUTBOX_ALREADY_SENT: 'OUTBOX_ALREADY_SENT',
  OUTBOX_WRITE_FAILED: 'OUTBOX_WRITE_FAILED',
  OUTBOX_ENTRY_BUSY: 'OUTBOX_ENTRY_BUSY',
  OUTBOX_ENTRY_INVALID: 'OUTBOX_ENTRY_INVALID',
  // mail merge
  /** The data file cannot be read or parsed (names the file and line), or the document names none. */
  MERGE_DATA_INVALID: 'MERGE_DATA_INVALID',
  /** A row cannot be rendered: a missing field, an empty or bad address (names the row, its line and the field). */
  MERGE_ROW_INVALID: 'MERGE_ROW_INVALID',
  /** Another process is sending the same merge (names it). */
  MERGE_BUSY: 'MERGE_BUSY',
  /** A mail merge template (front matter `data:`) composed to be sent or saved as one message, placeholders and all. */
  MERGE_TEMPLATE: 'MERGE_TEMPLATE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What fixes a refused login, for the adapter to turn into a button (core/send/loginErrors.ts decides it):
 * open a provider's page (app password, authorization code), switch the account to OAuth 2.0 (Microsoft sign-in),
 * or ask the mailbox's admin to turn SMTP AUTH on (a page that says how).
 */
export type LoginFix =
  | { kind: 'openUrl'; url: string }
  | { kind: 'switchToOAuth'; url?: string }
  | { kind: 'enableSmtpAuth'; url: string };

/** One offending thing in the input: an image reference, an address, a header. */
export interface Problem {
  code: ErrorCode;
  /** One sentence naming the thing, e.g. `Image "img/a.png" (line 12) not found: /ws/img/a.png`. */
  message: string;
  /** The reference as written in the source (image src, attachment path, address). */
  ref?: string;
  /** 1-based line in the source document, when known. */
  line?: number;
  /** Resolved file system path, when there is one. */
  path?: string;
}

export class SendAsEmailError extends Error {
  override readonly name = 'SendAsEmailError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      /** Every offending item, for errors that gather several (all missing images, say). */
      problems?: Problem[];
      /** What to do about it, one sentence. */
      hint?: string;
      /** The SMTP server's own reply text, when there was one. */
      serverResponse?: string;
      /** Recipients the server accepted before the failure (partial delivery). */
      accepted?: string[];
      /** Recipients the server refused, with its reply for each. */
      rejected?: { address: string; response: string }[];
      /** Recipients the server refused for now (4xx, e.g. greylisting), with its reply: a retry may reach them. */
      deferred?: { address: string; response: string }[];
      /** The message may have reached the server although the send failed (no reply to the final dot). */
      deliveryUnknown?: boolean;
      /** The outbox entry a failed send or retry left its message in. */
      outboxEntryId?: string;
      /** A refused login: what fixes it, as a button (see LoginFix). */
      fix?: LoginFix;
      cause?: unknown;
    } = {},
  ) {
    super(message);
  }

  get problems(): Problem[] {
    return this.extra.problems ?? [];
  }
}

export function isSendAsEmailError(e: unknown, code?: ErrorCode): e is SendAsEmailError {
  return e instanceof SendAsEmailError && (code === undefined || e.code === code);
}

/** `e` as a SendAsEmailError: itself, or UNEXPECTED carrying it (its message kept), so an unknown failure stays unknown. */
export function toSendAsEmailError(e: unknown): SendAsEmailError {
  if (e instanceof SendAsEmailError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SendAsEmailError(ErrorCode.UNEXPECTED, l10n.t('Something unexpected went wrong: {0}', message), {
    hint: l10n.t('Show Log has the details; please report it.'),
    cause: e,
  });
}

/** Exit codes of the command-line tool. */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  PARTIAL: 3,
} as const;
