/** `send-as-email outbox`: list the messages waiting in the outbox and what each is waiting for. */
import { ExitCode } from '../../core/errors';
import { Outbox, type OutboxEntry } from '../../core/send/outbox';
import type { Io } from '../io';
import type { CliOptions } from '../options';

export async function listOutbox(opts: CliOptions, io: Io): Promise<number> {
  const outbox = new Outbox(opts.outboxDir);
  const pending = await outbox.pending();
  if (pending.length === 0) io.out(`Nothing waiting in ${opts.outboxDir}.`);
  for (const e of pending) {
    if (e.status === 'unreadable') io.out(`${e.id}  (unreadable: ${e.problem})`);
    else io.out(`${e.id}  ${e.subject}  to ${e.envelope.to.join(', ')}  (${entryState(e)})${e.lastError ? `  [${e.lastError.code}: ${e.lastError.message}]` : ''}`);
  }
  return ExitCode.OK;
}

/** What an outbox entry is waiting for, in the `outbox` listing. */
function entryState(e: OutboxEntry): string {
  switch (e.status) {
    case 'partial':
      return `partly delivered, waiting for ${(e.pendingRecipients ?? []).join(', ')}`;
    case 'accepted':
      return 'accepted, record incomplete: never sent again';
    case 'unknown':
      return 'delivery unknown: the server may have it, check before retrying';
    default:
      return 'waiting';
  }
}
