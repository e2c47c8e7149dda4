/** What the commands print about a message: its parts, its warnings, each recipient's answer, the send's result. */
import * as l10n from '@vscode/l10n';
import * as path from 'path';
import { ExitCode } from '../core/errors';
import { formatBytes } from '../core/format';
import type { Attachment, InlineImage, SendResult } from '../core/types';
import type { Io } from './io';

/** `1 inline image, 2 attachments`: one whole label for each case of singular and plural. */
export function partCounts(m: { inlineImages: readonly unknown[]; attachments: readonly unknown[] }): string {
  const images = m.inlineImages.length;
  const files = m.attachments.length;
  if (images === 1) return files === 1 ? l10n.t('1 inline image, 1 attachment') : l10n.t('1 inline image, {0} attachments', files);
  return files === 1 ? l10n.t('{0} inline images, 1 attachment', images) : l10n.t('{0} inline images, {1} attachments', images, files);
}

/** True when the message carries files, which `printParts` lists after the line that ends with a colon. */
export function hasParts(m: { inlineImages: readonly unknown[]; attachments: readonly unknown[] }): boolean {
  return m.inlineImages.length + m.attachments.length > 0;
}

/** Every file that travels with the message, one line each: how it travels, its name, its size, where it is read from. */
export function printParts(m: { inlineImages: readonly InlineImage[]; attachments: readonly Attachment[] }, io: Io): void {
  const from = (source: string): string => {
    if (!path.isAbsolute(source)) return source;
    const rel = path.relative(io.cwd, source);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : source;
  };
  for (const i of m.inlineImages) io.out(l10n.t('  inline      {0}  {1}  {2}', i.filename, formatBytes(i.size), from(i.source)));
  for (const a of m.attachments) io.out(l10n.t('  attachment  {0}  {1}  {2}', a.filename, formatBytes(a.size), from(a.path)));
}

export function reportWarnings<T extends { warnings: { message: string }[] }>(composed: T, io: Io): T {
  for (const w of composed.warnings) io.err(l10n.t('warning: {0}', w.message));
  return composed;
}

export type Refusal = { address: string; response: string };

/** One line per recipient: accepted, refused (for good) or deferred (refused for now), with the server's answer. */
export function printRecipients(accepted: readonly string[], rejected: readonly Refusal[], io: Io, indent = '', deferred: readonly Refusal[] = []): void {
  for (const a of accepted) io.out(indent + l10n.t('accepted  {0}', a));
  for (const r of rejected) io.out(indent + l10n.t('refused   {0}  {1}', r.address, r.response));
  for (const r of deferred) io.out(indent + l10n.t('deferred  {0}  {1}', r.address, r.response));
}

/** How to reach the recipients the server refused for now, kept pending in outbox entry `entryId`. */
export function deferredNote(deferred: readonly Refusal[], entryId: string | undefined): string | undefined {
  if (deferred.length === 0 || !entryId) return undefined;
  if (deferred.length === 1) {
    return l10n.t('The server refused {0} for now; send-as-email retry {1} (with the same SMTP options) sends the same message to that recipient alone.', deferred[0]!.address, entryId);
  }
  const who = deferred.map((r) => r.address).join(', ');
  return l10n.t('The server refused {0} for now; send-as-email retry {1} (with the same SMTP options) sends the same message to them alone.', who, entryId);
}

export function printResult(result: SendResult, io: Io, entryId?: string): number {
  printRecipients(result.accepted, result.rejected, io, '', result.deferred);
  io.out(l10n.t('{0}: {1} ({2} bytes)', result.messageId, result.response, result.size));
  const note = deferredNote(result.deferred, entryId);
  if (note) io.out(note);
  if (result.rejected.length === 0 && result.deferred.length === 0) return ExitCode.OK;
  return result.accepted.length > 0 ? ExitCode.PARTIAL : ExitCode.FAILED;
}
