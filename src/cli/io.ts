/** What the command-line tool takes from its process: where it prints, its environment and folder, Ctrl-C, its log. */
import type { Logger } from '../core/types';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  cwd: process.cwd(),
};

export function cliLogger(io: Io, verbose: boolean): Logger {
  return {
    info: (m) => verbose && io.err(m),
    warn: (m) => io.err(`warning: ${m}`),
    error: (m) => io.err(`error: ${m}`),
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
