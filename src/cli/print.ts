/** What the commands print about a message: its parts, its warnings, each recipient's answer, the send's result. */
import * as path from 'path';
import { ExitCode } from '../core/errors';
import { formatBytes } from '../core/format';
import type { Attachment, InlineImage, SendResult } from '../core/types';
import type { Io } from './io';

/** `1 inline image, 2 attachments` */
export function partCounts(m: { inlineImages: readonly unknown[]; attachments: readonly unknown[] }): string {
  const n = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
  return `${n(m.inlineImages.length, 'inline image')}, ${n(m.attachments.length, 'attachment')}`;
}

/** Every file that travels with the message, one line each: how it travels, its name, its size, where it is read from. */
export function printParts(m: { inlineImages: readonly InlineImage[]; attachments: readonly Attachment[] }, io: Io): void {
  const from = (source: string): string => {
    if (!path.isAbsolute(source)) return source;
    const rel = path.relative(io.cwd, source);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : source;
  };
  for (const i of m.inlineImages) io.out(`  inline      ${i.filename}  ${formatBytes(i.size)}  ${from(i.source)}`);
  for (const a of m.attachments) io.out(`  attachment  ${a.filename}  ${formatBytes(a.size)}  ${from(a.path)}`);
}

export function reportWarnings<T extends { warnings: { message: string }[] }>(composed: T, io: Io): T {
  for (const w of composed.warnings) io.err(`warning: ${w.message}`);
  return composed;
}

export type Refusal = { address: string; response: string };

/** One line per recipient: accepted, refused (for good) or deferred (refused for now), with the server's answer. */
export function printRecipients(accepted: readonly string[], rejected: readonly Refusal[], io: Io, indent = '', deferred: readonly Refusal[] = []): void {
  for (const a of accepted) io.out(`${indent}accepted  ${a}`);
  for (const r of rejected) io.out(`${indent}refused   ${r.address}  ${r.response}`);
  for (const r of deferred) io.out(`${indent}deferred  ${r.address}  ${r.response}`);
}

/** How to reach the recipients the server refused for now, kept pending in outbox entry `entryId`. */
export function deferredNote(deferred: readonly Refusal[], entryId: string | undefined): string | undefined {
  if (deferred.length === 0 || !entryId) return undefined;
  const who = deferred.map((r) => r.address).join(', ');
  return `The server refused ${who} for now; send-as-email retry ${entryId} (with the same SMTP options) sends the same message to ${deferred.length === 1 ? 'that recipient' : 'them'} alone.`;
}

export function printResult(result: SendResult, io: Io, entryId?: string): number {
  printRecipients(result.accepted, result.rejected, io, '', result.deferred);
  io.out(`${result.messageId}: ${result.response} (${result.size} bytes)`);
  const note = deferredNote(result.deferred, entryId);
  if (note) io.out(note);
  if (result.rejected.length === 0 && result.deferred.length === 0) return ExitCode.OK;
  return result.accepted.length > 0 ? ExitCode.PARTIAL : ExitCode.FAILED;
}
