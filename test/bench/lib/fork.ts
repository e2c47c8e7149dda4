/**
 * Forks the benchmark's child bundles. They run from a private copy (`copyChildren`), so a `node esbuild.js` that
 * someone starts while the benchmark runs cannot swap or remove a child's code halfway through.
 */
import { fork } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';

/** The folder of the bundled benchmark (out/test/bench), where the child entry points are built. */
export const BENCH_OUT = __dirname;

const CHILDREN = ['run-ours.js', 'run-floor.js', 'run-build.js', 'run-load.js', 'usage-probe.js', 'run-check.js'];

/** Copies the child bundles and their source maps into `dir`; returns `dir`. */
export async function copyChildren(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const name of CHILDREN) {
    await fs.copyFile(path.join(BENCH_OUT, name), path.join(dir, name));
    await fs.copyFile(path.join(BENCH_OUT, `${name}.map`), path.join(dir, `${name}.map`)).catch(() => {});
  }
  // The recipients check's caniemail bundle, which run-check.js loads from here (as the extension does beside it).
  await fs.copyFile(path.join(BENCH_OUT, '..', '..', '..', 'dist', 'check.js'), path.join(dir, 'check.js'));
  return dir;
}

/** Runs `script` (an absolute path) with the task as its argument and returns the one message it sends back. */
export function runChild<T>(script: string, task: unknown, options: { cwd?: string; execArgv?: string[] } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(script, [JSON.stringify(task)], {
      cwd: options.cwd,
      execArgv: options.execArgv ?? ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    let message: { value: T } | undefined;
    child.once('message', (m) => (message = { value: m as T }));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (message) resolve(message.value);
      else reject(new Error(`Child ${path.basename(script)} exited with ${signal ?? `code ${String(code)}`} and no result.`));
    });
  });
}

/** Runs `script` (an absolute path), which reports through files; resolves with its exit code. */
export function runToExit(script: string, task: unknown, options: { cwd?: string } = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = fork(script, [JSON.stringify(task)], {
      cwd: options.cwd,
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
