/** `send-as-email send FILE`: compose FILE, keep it in the outbox and send it over SMTP. */
import { ErrorCode, SendAsEmailError } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { composeMessageStream } from '../../core/message/compose';
import { deliverComposed } from '../../core/send/deliver';
import { Outbox } from '../../core/send/outbox';
import { documentOf } from '../document';
import { cliLogger, untilInterrupted, type Io } from '../io';
import type { CliOptions } from '../options';
import { partCounts, printParts, printResult, reportWarnings } from '../print';
import { smtpTarget } from '../smtpTarget';

export async function send(opts: CliOptions, io: Io): Promise<number> {
  // The server and password first: a missing one stops the command before any image is read.
  const target = smtpTarget(opts, io.env);
  const { doc, options } = documentOf(opts, io);
  // A stream: the message is stored in the outbox and sent without being held in memory whole.
  const composed = reportWarnings(await composeMessageStream(doc, options), io);
  if (composed.envelope.to.length === 0) {
    throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, `"${composed.headers.subject}" has no recipients: add "to:" to the front matter or use --to.`);
  }
  // What is about to leave, before it does.
  io.out(`Sending "${composed.headers.subject}" (${formatBytes(composed.size)}, ${partCounts(composed)})${composed.inlineImages.length + composed.attachments.length > 0 ? ':' : '.'}`);
  printParts(composed, io);
  const outbox = new Outbox(opts.outboxDir);
  // The same document sent again unchanged replaces its older waiting entries (no pile of copies).
  const { result, entryId } = await untilInterrupted((signal) =>
    deliverComposed(composed, doc.path, target, outbox, { logger: cliLogger(io, opts.verbose), signal }),
  );
  return printResult(result, io, entryId);
}
