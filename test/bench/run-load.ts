/**
 * Child process: a fresh Node process requires the extension bundle with `vscode` stubbed and calls `activate()`
 * with a minimal context. Reports the require and activate times separately and, for the instrumented bundle,
 * which modules were evaluated by then. Forked by bench.ts.
 */
import { createRequire } from 'module';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { LOADED_GLOBAL, type LoadResult, type LoadTask } from './lib/extension';
import { fakeContext, installVscodeStub } from './lib/vscode-stub';

async function main(): Promise<LoadResult> {
  const task = JSON.parse(process.argv[2] ?? '{}') as LoadTask;
  installVscodeStub();
  const loaded: string[] = [];
  if (task.mode === 'modules') (globalThis as Record<string, unknown>)[LOADED_GLOBAL] = loaded;
  const context = fakeContext(task.root, path.join(task.storage, String(process.pid)));

  const t0 = performance.now();
  const extension = createRequire(task.bundle)(task.bundle) as { activate?: (ctx: unknown) => unknown };
  const requireMs = performance.now() - t0;
  const evaluatedAtRequire = [...loaded];

  let activateMs = NaN;
  let error: string | undefined;
  try {
    if (typeof extension.activate !== 'function') throw new Error('The bundle exports no activate function.');
    const t1 = performance.now();
    const api = extension.activate(context);
    if (api && typeof (api as Promise<unknown>).then === 'function') await api;
    activateMs = performance.now() - t1;
  } catch (e) {
    error = `activate() failed with the stubbed vscode: ${e instanceof Error ? e.message : String(e)}`;
  }
  // Anything activation started asynchronously (a dynamic import left running) gets a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const memory = process.memoryUsage();
  return {
    requireMs,
    activateMs,
    rssMB: memory.rss / 1024 / 1024,
    heapMB: memory.heapUsed / 1024 / 1024,
    subscriptions: (context.subscriptions as unknown[]).length,
    ...(task.mode === 'modules' ? { evaluatedAtRequire, evaluatedAfterActivate: [...loaded] } : {}),
    ...(error ? { error } : {}),
  };
}

main().then(
  (result) => process.send?.(result, () => process.exit(0)),
  (e: unknown) =>
    process.send?.({ requireMs: NaN, activateMs: NaN, rssMB: NaN, heapMB: NaN, subscriptions: 0, error: String(e instanceof Error ? e.stack : e) }, () =>
      process.exit(0),
    ),
);
