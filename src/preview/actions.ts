/**
 * The preview's buttons: Send, Send Test to Me and Save as .eml. Each composes strictly (a missing image stops it
 * here, and the panel says why) and hands the message to the mail service.
 */
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { isSendAsEmailError } from '../core/errors';
import { formatBytes } from '../core/format';
import type { ComposedStream, Logger, PreviewMessage } from '../core/types';
import type { Mailer } from '../vscode/mailer';
import type { SendOutcome } from '../vscode/notifications';
import type { CheckedFields } from './fields';
import type { Action, ActionResultView } from './messages';

/** What an action needs of the panel, read when it runs (the document and form may change meanwhile). */
export interface ActionContext {
  mailer: Mailer;
  document: vscode.TextDocument;
  checked: CheckedFields;
  /** The last preview compose, for the From address of Send Test to Me. */
  composed: PreviewMessage | undefined;
  /** Composes leniently, when there is no preview compose yet. */
  composeLenient(): Promise<PreviewMessage>;
  /** True once the panel was closed. */
  disposed(): boolean;
}

export interface ActionOutcome {
  /** What the panel shows. */
  view: ActionResultView;
  /** For Send and Send Test: what the send ended with. */
  outcome?: SendOutcome;
  /** The message composed for the action, when there was one (the panel shows its size). */
  composed?: ComposedStream;
}

export async function runAction(action: Action, ctx: ActionContext): Promise<ActionOutcome> {
  if (action === 'saveEml') return saveEml(ctx);
  const { outcome, composed, problems } = await send(action === 'sendTest', ctx);
  return { view: { ...outcomeView(outcome), ...listed(problems) }, outcome, composed };
}

type Problems = ActionResultView['problems'];

/** Composes strictly and sends. */
async function send(toSelf: boolean, ctx: ActionContext): Promise<{ outcome: SendOutcome; composed?: ComposedStream; problems?: Problems }> {
  const { overrides, errors } = ctx.checked;
  let effective = overrides;
  if (toSelf) {
    if (errors.subject) return { outcome: { status: 'failed', code: 'INVALID_FIELD', message: errors.subject } };
    const from = ctx.composed?.headers.from ?? (await ctx.composeLenient()).headers.from;
    if (ctx.disposed()) return { outcome: { status: 'cancelled', message: l10n.t('The preview was closed.') } };
    effective = { ...overrides, to: [from], cc: [], bcc: [] };
  } else {
    const first = Object.values(errors)[0];
    if (first) return { outcome: { status: 'failed', code: 'INVALID_ADDRESS', message: first } };
  }
  let composed: ComposedStream;
  try {
    composed = await ctx.mailer.compose(ctx.document, effective);
  } catch (e) {
    return { outcome: { status: 'failed', code: isSendAsEmailError(e) ? e.code : 'COMPOSE_FAILED', message: composeFailure(e) }, problems: composeProblems(e) };
  }
  if (ctx.disposed()) return { outcome: { status: 'cancelled', message: l10n.t('The preview was closed before sending; nothing was sent.') } };
  return { outcome: await ctx.mailer.send(composed, ctx.document.uri), composed };
}

async function saveEml(ctx: ActionContext): Promise<ActionOutcome> {
  let composed: ComposedStream;
  try {
    composed = await ctx.mailer.compose(ctx.document, ctx.checked.overrides);
  } catch (e) {
    return { view: { status: 'failed', message: composeFailure(e), recipients: [], ...listed(composeProblems(e)) } };
  }
  if (ctx.disposed()) return { view: { status: 'cancelled', message: l10n.t('The preview was closed.'), recipients: [] } };
  const target = await ctx.mailer.saveEml(composed, ctx.document.uri);
  if (!target) return { view: { status: 'cancelled', message: l10n.t('Not saved.'), recipients: [] }, composed };
  return { view: { status: 'saved', message: l10n.t('Saved {0} to {1}.', formatBytes(composed.size), target.fsPath), recipients: [] }, composed };
}

/**
 * Runs an action and says how it ended, never throwing: a failure becomes the panel's failed result (and, for Send and
 * Send Test, a failed outcome); the log gets why.
 */
export async function settleAction(action: Action, log: Logger, run: () => Promise<ActionOutcome>): Promise<Pick<ActionOutcome, 'view' | 'outcome'>> {
  try {
    const done = await run();
    if (done.view.status === 'failed') log.error(l10n.t('Preview: {0} did not go through: {1}', action, done.view.message));
    return done;
  } catch (e) {
    const message = composeFailure(e);
    log.error(l10n.t('Preview: {0} failed: {1}', action, message));
    const outcome: SendOutcome | undefined = action === 'saveEml' ? undefined : { status: 'failed', code: isSendAsEmailError(e) ? e.code : 'PREVIEW_FAILED', message };
    return { view: { status: 'failed', message, recipients: [] }, outcome };
  }
}

/** What the panel says when compose stops an action: the error's message, which names every problem once. */
export function composeFailure(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Each problem of a compose error, with its line (the panel lists them, each revealing its line). */
export function composeProblems(e: unknown): { message: string; line?: number }[] {
  return isSendAsEmailError(e) ? e.problems.map((p) => ({ message: p.message, line: p.line })) : [];
}

/** The problems to list under the message: only when there are several (one is the message itself). */
function listed(problems: Problems): { problems?: Problems } {
  return problems && problems.length > 1 ? { problems } : {};
}

export function outcomeView(outcome: SendOutcome): ActionResultView {
  switch (outcome.status) {
    case 'sent':
    case 'partial': {
      const r = outcome.result;
      const recipients = [
        ...r.accepted.map((address) => ({ address, accepted: true })),
        ...r.rejected.map((x) => ({ address: x.address, accepted: false, response: x.response })),
        ...r.deferred.map((x) => ({ address: x.address, accepted: false, deferred: true, response: x.response })),
      ];
      const total = recipients.length;
      let message: string;
      if (outcome.status === 'sent') {
        message = total === 1 ? l10n.t('Sent to 1 recipient ({0}): {1}', formatBytes(r.size), r.response) : l10n.t('Sent to {0} recipients ({1}): {2}', total, formatBytes(r.size), r.response);
      } else if (r.deferred.length > 0) {
        message = l10n.t(
          'Delivered to {0} of {1} recipients; the server refused {2} for now: Retry in the outbox sends the message to them alone.',
          r.accepted.length,
          total,
          r.deferred.map((x) => x.address).join(', '),
        );
      } else {
        message = l10n.t('Delivered to {0} of {1} recipients; the server refused the others.', r.accepted.length, total);
      }
      return { status: outcome.status, message, recipients };
    }
    case 'failed':
      return { status: 'failed', message: outcome.message, recipients: [] };
    case 'cancelled':
      return { status: 'cancelled', message: outcome.message, recipients: [] };
  }
}
