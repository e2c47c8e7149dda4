/**
 * send-as-email: the command-line adapter over the same core the extension uses.
 * Speaks the language of its environment (locale.ts), reads the flags and hands the command to its own file in
 * commands/: build | send | check | merge | outbox | retry | accounts | demo — see usage.ts.
 */
import * as l10n from '@vscode/l10n';
import { ExitCode } from '../core/errors';
import { reportError } from './failure';
import { processIo, type Io } from './io';
import { useLocale } from './locale';
import { parseCli, usage, type CliOptions } from './options';
import { usageText } from './usage';

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Before anything is printed.
  useLocale(io.env);
  let opts: CliOptions;
  try {
    opts = parseCli(argv, io.cwd);
    if (opts.help || opts.command === '' || opts.command === 'help') {
      io.out(usageText());
      return opts.help || opts.command === 'help' ? ExitCode.OK : ExitCode.USAGE;
    }
    // Each command's module (and the core it needs) is loaded when that command runs.
    switch (opts.command) {
      case 'build':
        return await (await import('./commands/build')).build(opts, io);
      case 'send':
        return await (await import('./commands/send')).send(opts, io);
      case 'outbox':
        return await (await import('./commands/outbox')).listOutbox(opts, io);
      case 'accounts':
        return (await import('./commands/accounts')).listAccountsCommand(opts, io);
      case 'retry':
        return await (await import('./commands/retry')).retryEntry(opts, io);
      case 'check':
        return await (await import('./commands/check')).check(opts, io);
      case 'merge':
        return await (await import('./commands/merge')).merge(opts, io);
      case 'demo':
        return await (await import('./commands/demo')).runDemo(opts, io);
      default:
        throw usage(l10n.t('Unknown command "{0}".', opts.command));
    }
  } catch (e) {
    // A failed send or retry names the outbox entry that keeps its message (extra.outboxEntryId).
    return reportError(e, io);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
