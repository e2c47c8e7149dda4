/** `send-as-email outbox`: list the messages waiting in the outbox and what each is waiting for. */
import * as l10n from '@vscode/l10n';
import { ExitCode } from '../../core/errors';
import { Outbox, type OutboxEntry } from '../../core/send/outbox';
import type { Io } from '../io';
import type { CliOptions } from '../options';

export async function listOutbox(opts: CliOptions, io: Io): Promise<number> {
  const outbox = new Outbox(opts.outboxDir);
  const pending = await outbox.pending();
  if (pending.length === 0) io.out(l10n.t('Nothing waiting in {0}.', opts.outboxDir));
  for (const e of pending) {
    if (e.status === 'unreadable') {
      io.out(l10n.t('{0}  (unreadable: {1})', e.id, e.problem ?? ''));
      continue;
    }
    const [to, state] = [e.envelope.to.join(', '), entryState(e)];
    if (e.lastError) io.out(l10n.t('{0}  {1}  to {2}  ({3})  [{4}: {5}]', e.id, e.subject, to, state, e.lastError.code, e.lastError.message));
    else io.out(l10n.t('{0}  {1}  to {2}  ({3})', e.id, e.subject, to, state));
  }
  return ExitCode.OK;
}

/** What an outbox entry is waiting for, in the `outbox` listing. */
function entryState(e: OutboxEntry): string {
  switch (e.status) {
    case 'partial':
      return l10n.t('partly delivered, waiting for {0}', (e.pendingRecipients ?? []).join(', '));
    case 'accepted':
      return l10n.t('accepted, record incomplete: never sent again');
    case 'unknown':
      return l10n.t('delivery unknown: the server may have it, check before retrying');
    default:
      return l10n.t('waiting');
  }
}
