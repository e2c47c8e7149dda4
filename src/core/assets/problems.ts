/**
 * Problems with images and attachments: each one as a Problem (with its line and a short summary), as the preview's
 * warning, and all of them as the one error a send fails with.
 */
import { ErrorCode, type Problem, SendAsEmailError } from '../errors';
import type { Warning, WarningKind } from '../types';
import type { Failure } from './localFile';
import type { CidReference, Reference } from './references';

/** A reference as shown in messages: data: URIs are cut short. */
export function shorten(url: string): string {
  return url.length > 64 && /^data:/i.test(url) ? `${url.slice(0, 48)}…` : url;
}

export function lineText(line: number | undefined): string {
  return line ? ` (line ${line})` : '';
}

export function imageProblem(ref: Reference, f: Failure): Problem {
  return makeProblem('Image', shorten(ref.url), ref.line, f);
}

/** The short form of each problem, for the one-line summary of several (`"a.png" (line 3) not found`). */
const summaries = new WeakMap<Problem, string>();

export function makeProblem(noun: 'Image' | 'Attachment', ref: string, line: number, f: Failure): Problem {
  const summary = `"${ref}"${lineText(line)} ${f.reason}`;
  const where = f.shown ?? f.path;
  const problem: Problem = {
    code: f.code,
    message: `${noun} ${summary}${where && f.code !== ErrorCode.IMAGE_INVALID ? `: ${where}` : ''}`,
    ref,
    line: line || undefined,
    path: f.path,
  };
  summaries.set(problem, summary);
  return problem;
}

export function cidProblem(r: CidReference): Problem {
  const summary = `"${r.ref}"${lineText(r.line)} has no inline part`;
  const problem: Problem = {
    code: ErrorCode.CID_NOT_FOUND,
    message: `Image ${summary}: name its file with inline: { ${r.cid}: path } in the front matter or <meta name="email:inline" content="${r.cid}=path">`,
    ref: r.ref,
    line: r.line || undefined,
  };
  summaries.set(problem, summary);
  return problem;
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
  return { kind: WARNING_KIND[p.code] ?? 'image-not-found', severity: 'error', message: `${p.message}.`, line: p.line, ref: p.ref };
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
    ? 'Move the file into the workspace, or turn on the sendAsEmail.images.allowOutsideWorkspace setting if you trust this document.'
    : 'Fix the path in the document, or remove the reference.';
  const extra = { problems, hint };
  if (problems.length === 1) return new SendAsEmailError(first.code, `${first.message}.`, extra);
  const images = problems.filter((p) => IMAGE_CODES.includes(p.code)).length;
  const noun =
    images === problems.length
      ? `${problems.length} images cannot be embedded`
      : images === 0
        ? `${problems.length} attachments cannot be attached`
        : `${problems.length} images and attachments cannot be included`;
  const parts = problems.map((p) => summaries.get(p) ?? p.message);
  return new SendAsEmailError(first.code, `${noun}: ${parts.join('; ')}.`, extra);
}
