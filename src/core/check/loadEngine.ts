/**
 * Loads the caniemail bundle (dist/check.js) on the first check. The path is computed, so no bundler follows it:
 * dist/extension.js and dist/cli.js stay without the data, and importing the check costs nothing until it runs.
 */
import * as path from 'path';

export type CheckEngine = typeof import('./caniemailEngine');

const loaded = new Map<string, CheckEngine>();

/** The engine in `dir` (default: the folder of the running bundle, where esbuild.js writes check.js). */
export function loadEngine(dir: string = __dirname): CheckEngine {
  const file = path.join(dir, 'check.js');
  let engine = loaded.get(file);
  if (!engine) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    engine = require(file) as CheckEngine;
    loaded.set(file, engine);
  }
  return engine;
}
