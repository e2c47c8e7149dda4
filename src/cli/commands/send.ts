/** `send-as-email send FILE`: compose FILE, keep it in the outbox and send it over SMTP. */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../../core/errors';
import { formatBytes } from '../../core/format';
import { composeMessageStream } from '../../core/message/compose';
import { deliverComposed } from '../../core/send/deliver';
import { Outbox } from '../../core/send/outbox';
import { sourceDocumentAccount } from '../../core/source/documentAccount';
import { documentOf } from '../document';
import { cliLogger, untilInterrupted, type Io } from '../io';
import type { CliOptions } from '../options';
import { hasParts, partCounts, printParts, printResult, reportWarnings } from '../print';
import { smtpTarget } from '../smtpTarget';

export async function send(opts: CliOptions, io: Io): Promise<number> {
  const { doc, options } = documentOf(opts, io);
  // The server and the password or token first (the document's account: names which): a missing one stops the
  // command before any image is read.
  const target = await smtpTarget(opts, io, await sourceDocumentAccount(doc));
  // A stream: the message is stored in the outbox and sent without being held in memory whole.
  const composed = reportWarnings(await composeMessageStream(doc, options), io);
  if (composed.envelope.to.length === 0) {
    throw new SendAsEmailError(ErrorCode.NO_RECIPIENTS, l10n.t('"{0}" has no recipients: add "to:" to the front matter or use --to.', composed.headers.subject));
  }
  // What is about to leave, before it does.
  const [subject, size, parts] = [composed.headers.subject, formatBytes(composed.size), partCounts(composed)];
  io.out(hasParts(composed) ? l10n.t('Sending "{0}" ({1}, {2}):', subject, size, parts) : l10n.t('Sending "{0}" ({1}, {2}).', subject, size, parts));
  printParts(composed, io);
  const outbox = new Outbox(opts.outboxDir);
  // The same document sent again unchanged replaces its older waiting entries (no pile of copies).
  const { result, entryId } = await untilInterrupted((signal) =>
    deliverComposed(composed, doc.path, target, outbox, { logger: cliLogger(io, opts.verbose), signal }),
  );
  return printResult(result, io, entryId);
}
