/** What the command-line tool takes from its process: where it prints, its environment and folder, Ctrl-C, its log. */
import * as l10n from '@vscode/l10n';
import type { Logger } from '../core/types';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The whole of standard input as text (`merge --data -`). */
  stdin?: () => Promise<string>;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  cwd: process.cwd(),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** The core's log on stderr: warnings and errors always, the SMTP conversation (info, debug) with --verbose. */
export function cliLogger(io: Io, verbose: boolean): Logger {
  return {
    info: (m) => verbose && io.err(m),
    warn: (m) => io.err(l10n.t('warning: {0}', m)),
    error: (m) => io.err(l10n.t('error: {0}', m)),
    debug: (m) => verbose && io.err(m),
  };
}

/** Runs `work` with a signal that Ctrl-C aborts (the send stops cleanly; the outbox keeps the message). */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
