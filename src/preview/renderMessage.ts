/**
 * What the webview shows for one compose: the `render` message, built from the composed message, the form's state
 * and the prepared body. Pure: no `vscode`, no state.
 */
import * as l10n from '@vscode/l10n';
import { formatBytes } from '../core/format';
import type { PreviewMessage } from '../core/types';
import type { CheckedFields } from './fields';
import { FIELD_NAMES, type AccountView, type HeaderFields, type ImageData, type MergeView, type RenderMessage, type WarningView } from './messages';

/** The last successful compose, as shown. */
export interface View {
  composed: PreviewMessage;
  documentVersion: number;
  checked: CheckedFields;
  edited: Partial<HeaderFields>;
  /** Warnings the panel found in the source itself (a `<picture>`'s sources that do not travel). */
  sourceWarnings?: WarningView[];
  /** Sending is not set up: the settings to fill in. */
  setup?: { missing: string[] };
  /** A mail merge: the row shown. */
  merge?: MergeView;
}

export interface RenderInput {
  view: View;
  renderId: number;
  /** The source document: its file name and URI. */
  source: string;
  documentKey: string;
  /** The body as the frame shows it (remote images held back unless allowed). */
  body: { html: string; remoteImages: number };
  remoteAllowed: boolean;
  /** Bytes that travel with the render, and the images whose bytes follow it (with their intrinsic sizes). */
  imageData: ImageData[];
  expectImages: string[];
  dimensions?: (content: Uint8Array) => { width?: number; height?: number } | undefined;
  sizeLimit: number | undefined;
  /** The account selector, when there are accounts to choose from. */
  account?: AccountView;
}

export function warningsOf(composed: PreviewMessage, sizeLimit: number | undefined, sourceWarnings: WarningView[] = []): WarningView[] {
  const list: WarningView[] = composed.warnings.map((w) => ({ message: w.message, line: w.line, severity: w.severity }));
  list.push(...sourceWarnings);
  if (sizeLimit !== undefined && composed.size > sizeLimit) {
    list.push({
      message: l10n.t('The message is {0}, more than the {1} the SMTP server accepts.', formatBytes(composed.size), formatBytes(sizeLimit)),
      severity: 'warning',
    });
  }
  return list;
}

export function renderMessage(input: RenderInput): RenderMessage {
  const { view, body } = input;
  const { composed } = view;
  const h = composed.headers;
  const fields: HeaderFields = { to: h.to.join(', '), cc: h.cc.join(', '), bcc: h.bcc.join(', '), subject: h.subject };
  for (const name of FIELD_NAMES) {
    const typed = view.edited[name];
    if (typed !== undefined) fields[name] = typed;
  }
  const errors = view.checked.errors;
  const following = new Set(input.expectImages);
  const warnings = warningsOf(composed, input.sizeLimit, view.sourceWarnings);
  const problems = warnings.filter((w) => w.severity === 'error').length;
  const sendOff = sendOffReason({ setup: view.setup, problems, fieldErrors: Object.keys(errors).length, recipients: composed.envelope.to.length });
  return {
    type: 'render',
    renderId: input.renderId,
    documentVersion: view.documentVersion,
    source: input.source,
    documentKey: input.documentKey,
    from: h.from,
    fields,
    overridden: FIELD_NAMES.filter((n) => view.edited[n] !== undefined),
    fieldErrors: errors,
    html: body.html,
    text: composed.text,
    images: composed.inlineImages.map((img) => ({
      cid: img.cid,
      filename: img.filename,
      contentType: img.contentType,
      size: img.size,
      lines: img.refs.map((r) => r.line),
      ...(following.size > 0 && input.dimensions ? (input.dimensions(img.content) ?? {}) : {}),
    })),
    imageData: input.imageData,
    expectImages: input.expectImages,
    attachments: composed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    totalSize: composed.size,
    htmlSize: Buffer.byteLength(composed.html),
    sizeLimit: input.sizeLimit,
    warnings,
    remoteImages: body.remoteImages,
    remoteAllowed: input.remoteAllowed,
    // A problem (a missing image...) turns Send off: strict compose would refuse the message. Warnings leave it on.
    canSend: sendOff === undefined,
    sendOff,
    blocked: problems > 0 || view.setup !== undefined,
    setup: view.setup,
    ...(input.account ? { account: input.account } : {}),
    ...(view.merge ? { merge: view.merge } : {}),
  };
}

/** Why Send is off, the first reason that applies; undefined when it is on. */
export function sendOffReason(s: { setup?: { missing: string[] }; problems: number; fieldErrors: number; recipients: number }): string | undefined {
  if (s.setup) return l10n.t('Sending is not set up yet.');
  if (s.problems === 1) return l10n.t('Fix the problem marked ✖ below to send.');
  if (s.problems > 1) return l10n.t('Fix the {0} problems marked ✖ below to send.', s.problems);
  if (s.fieldErrors > 0) return l10n.t('Fix the fields marked in red to send.');
  if (s.recipients === 0) return l10n.t('Add a recipient to send.');
  return undefined;
}
