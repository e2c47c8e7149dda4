/**
 * Problems with images and attachments: each one as a Problem (with its line and a short summary), as the preview's
 * warning, and all of them as the one error a send fails with. Every sentence is whole, one per reason.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import { formatBytes } from '../format';
import { quotedAtLine } from '../source/lineLocator';
import type { Warning, WarningKind } from '../types';
import type { Failure, FileReason, Reason } from './localFile';
import type { CidReference, Reference } from './references';

/** A reference as shown in messages: data: URIs are cut short. */
export function shorten(url: string): string {
  return url.length > 64 && /^data:/i.test(url) ? `${url.slice(0, 48)}…` : url;
}

export function imageProblem(ref: Reference, f: Failure): Problem {
  return makeProblem('image', shorten(ref.url), ref.line, f);
}

/** The short form of each problem, for the one-line summary of several (`"a.png" (line 3) not found`). */
const summaries = new WeakMap<Problem, string>();

/** `what` (the reference named with its line) and why, without the noun: one item of the list of several. */
function summaryOf(what: string, r: Reason): string {
  switch (r.kind) {
    case 'not-found':
      return l10n.t('{0} not found', what);
    case 'outside':
      return l10n.t('{0} is outside the workspace', what);
    case 'not-a-file':
      return l10n.t('{0} is not a file', what);
    case 'denied':
      return l10n.t('{0} cannot be read (permission denied)', what);
    case 'unreadable':
      return l10n.t('{0} cannot be read ({1})', what, r.detail);
    case 'not-an-image':
      return l10n.t('{0} is not an image (PNG, JPEG, GIF, WebP or SVG)', what);
    case 'not-local':
      return l10n.t('{0} is not a local file (an inline part is a file in the workspace)', what);
    case 'http':
      return l10n.t('{0} could not be downloaded: the server answered HTTP {1}', what, r.status);
    case 'too-large':
      return l10n.t('{0} could not be downloaded: it is larger than {1}', what, formatBytes(r.limit));
    case 'timeout':
      return l10n.t('{0} could not be downloaded: no answer within {1} s', what, r.seconds);
    case 'download-failed':
      return l10n.t('{0} could not be downloaded: {1}', what, r.detail);
    case 'svg-failed':
      return l10n.t('{0} is an SVG that cannot be converted to PNG ({1})', what, r.detail);
  }
}

/** The whole sentence for an image that cannot be embedded; `at`: the file, for the reasons that have one. */
function imageMessage(what: string, r: Reason, at: string): string {
  switch (r.kind) {
    case 'not-found':
      return l10n.t('Image {0} not found: {1}', what, at);
    case 'outside':
      return l10n.t('Image {0} is outside the workspace: {1}', what, at);
    case 'not-a-file':
      return l10n.t('Image {0} is not a file: {1}', what, at);
    case 'denied':
      return l10n.t('Image {0} cannot be read (permission denied): {1}', what, at);
    case 'unreadable':
      return l10n.t('Image {0} cannot be read ({1}): {2}', what, r.detail, at);
    case 'not-an-image':
      return l10n.t('Image {0} is not an image (PNG, JPEG, GIF, WebP or SVG)', what);
    case 'not-local':
      return l10n.t('Image {0} is not a local file (an inline part is a file in the workspace)', what);
    case 'http':
      return l10n.t('Image {0} could not be downloaded: the server answered HTTP {1}', what, r.status);
    case 'too-large':
      return l10n.t('Image {0} could not be downloaded: it is larger than {1}', what, formatBytes(r.limit));
    case 'timeout':
      return l10n.t('Image {0} could not be downloaded: no answer within {1} s', what, r.seconds);
    case 'download-failed':
      return l10n.t('Image {0} could not be downloaded: {1}', what, r.detail);
    case 'svg-failed':
      return l10n.t('Image {0} is an SVG that cannot be converted to PNG ({1})', what, r.detail);
  }
}

/** The whole sentence for an attachment that cannot be attached. */
function attachmentMessage(what: string, r: FileReason, at: string): string {
  switch (r.kind) {
    case 'not-found':
      return l10n.t('Attachment {0} not found: {1}', what, at);
    case 'outside':
      return l10n.t('Attachment {0} is outside the workspace: {1}', what, at);
    case 'not-a-file':
      return l10n.t('Attachment {0} is not a file: {1}', what, at);
    case 'denied':
      return l10n.t('Attachment {0} cannot be read (permission denied): {1}', what, at);
    case 'unreadable':
      return l10n.t('Attachment {0} cannot be read ({1}): {2}', what, r.detail, at);
  }
}

export function makeProblem(noun: 'image', ref: string, line: number, f: Failure): Problem;
export function makeProblem(noun: 'attachment', ref: string, line: number, f: Failure<FileReason>): Problem;
export function makeProblem(noun: 'image' | 'attachment', ref: string, line: number, f: Failure): Problem {
  const what = quotedAtLine(ref, line);
  // The file it resolved to (a symlink shown with where it leads); the reasons that are not about a file have none.
  const at = f.shown ?? f.path ?? '';
  const problem: Problem = {
    code: f.code,
    message: noun === 'image' ? imageMessage(what, f.reason, at) : attachmentMessage(what, f.reason as FileReason, at),
    ref,
    line: line || undefined,
    path: f.path,
  };
  summaries.set(problem, summaryOf(what, f.reason));
  return problem;
}

export function cidProblem(r: CidReference): Problem {
  const what = quotedAtLine(r.ref, r.line);
  const problem: Problem = {
    code: ErrorCode.CID_NOT_FOUND,
    message: l10n.t(
      'Image {0} has no inline part: name its file with inline: {1} in the front matter or {2}',
      what,
      `{ ${r.cid}: path }`,
      `<meta name="email:inline" content="${r.cid}=path">`,
    ),
    ref: r.ref,
    line: r.line || undefined,
  };
  summaries.set(problem, l10n.t('{0} has no inline part', what));
  return problem;
}

/**
 * A WebP image: the caniemail data (image-webp, last tested 2021-02-06) marks it unsupported in Outlook for Windows
 * (2007 to 2019), Outlook 2016 for Mac, Apple Mail before macOS 14 and iOS 14, and the iOS apps of 2020; Gmail
 * converts it to JPEG (no animation). A unit test holds this sentence to the data.
 */
export function webpWarning(ref: Reference): Warning {
  return {
    kind: 'image-format',
    severity: 'warning',
    message: l10n.t(
      'Image {0} is WebP: Outlook for Windows, Outlook 2016 for Mac and Apple Mail before macOS 14 and iOS 14 do not show it, and Gmail converts it to JPEG without animation. Use PNG or JPEG for every reader.',
      quotedAtLine(shorten(ref.url), ref.line),
    ),
    line: ref.line || undefined,
    ref: shorten(ref.url),
  };
}

const WARNING_KIND: Partial<Record<ErrorCode, WarningKind>> = {
  [ErrorCode.IMAGE_NOT_FOUND]: 'image-not-found',
  // A cid: with no part is a missing image, as the preview shows it.
  [ErrorCode.CID_NOT_FOUND]: 'image-not-found',
  [ErrorCode.IMAGE_OUTSIDE_WORKSPACE]: 'image-outside-workspace',
  [ErrorCode.IMAGE_INVALID]: 'image-invalid',
  [ErrorCode.IMAGE_REMOTE_FAILED]: 'remote-image',
  [ErrorCode.ATTACHMENT_NOT_FOUND]: 'attachment-not-found',
  [ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE]: 'attachment-outside-workspace',
};

/** The preview's view of a problem: a warning of the matching kind, an error (a strict compose stops at it). */
export function problemToWarning(p: Problem): Warning {
  return { kind: WARNING_KIND[p.code] ?? 'image-not-found', severity: 'error', message: l10n.t('{0}.', p.message), line: p.line, ref: p.ref };
}

const IMAGE_CODES: readonly ErrorCode[] = [
  ErrorCode.IMAGE_NOT_FOUND,
  ErrorCode.IMAGE_OUTSIDE_WORKSPACE,
  ErrorCode.IMAGE_INVALID,
  ErrorCode.IMAGE_REMOTE_FAILED,
  ErrorCode.CID_NOT_FOUND,
];

/**
 * One error for every problem found: the code of the first, a message that lists them all
 * (`2 images cannot be embedded: "a.png" (line 3) not found; "/etc/x.png" (line 5) is outside the workspace.`).
 */
export function problemsError(problems: Problem[]): SendAsEmailError {
  const first = problems[0];
  const outside = problems.some((p) => p.code === ErrorCode.IMAGE_OUTSIDE_WORKSPACE || p.code === ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE);
  const hint = outside
    ? l10n.t('Move the file into the workspace, or turn on the sendAsEmail.images.allowOutsideWorkspace setting if you trust this document.')
    : l10n.t('Fix the path in the document, or remove the reference.');
  const extra = { problems, hint };
  if (problems.length === 1) return new SendAsEmailError(first.code, l10n.t('{0}.', first.message), extra);
  const images = problems.filter((p) => IMAGE_CODES.includes(p.code)).length;
  const list = problems.map((p) => summaries.get(p) ?? p.message).join('; ');
  // Several problems (two or more): one sentence per mix of images and attachments.
  const message =
    images === problems.length
      ? l10n.t('{0} images cannot be embedded: {1}.', problems.length, list)
      : images === 0
        ? l10n.t('{0} attachments cannot be attached: {1}.', problems.length, list)
        : l10n.t('{0} images and attachments cannot be included: {1}.', problems.length, list);
  return new SendAsEmailError(first.code, message, extra);
}
