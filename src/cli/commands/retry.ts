/** `send-as-email retry ID`: send an outbox entry again (the same bytes, the same Message-ID). */
import * as l10n from '@vscode/l10n';
import { settleMergeEntry } from '../../core/merge/record';
import { retry } from '../../core/send/deliver';
import { Outbox } from '../../core/send/outbox';
import { cliLogger, untilInterrupted, type Io } from '../io';
import { usage, type CliOptions } from '../options';
import { printResult } from '../print';
import { smtpTarget } from '../smtpTarget';

export async function retryEntry(opts: CliOptions, io: Io): Promise<number> {
  const id = opts.positionals[0];
  if (!id) throw usage(l10n.t('Name the outbox entry to retry (send-as-email outbox lists them).'));
  const outbox = new Outbox(opts.outboxDir);
  // A mail merge's row the server accepted (its record says so) is never sent again from here.
  await settleMergeEntry(outbox, id);
  // The account the message was sent with, unless --account names another.
  const target = await smtpTarget(opts, io, (await outbox.get(id))?.account);
  const result = await untilInterrupted((signal) => retry(outbox, id, target, { logger: cliLogger(io, opts.verbose), signal }));
  return printResult(result, io, id);
}
