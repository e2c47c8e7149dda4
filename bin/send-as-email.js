#!/usr/bin/env node
'use strict';
// The command-line tool: a thin entry over the bundled core (dist/cli.js), built in a clone on first use and
// again whenever a source file is newer than the bundle (after a pull, say).
const path = require('path');
const fs = require('fs');
const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const name of fs.readdirSync(dir, { recursive: true })) {
    newest = Math.max(newest, fs.statSync(path.join(dir, String(name))).mtimeMs);
  }
  return newest;
}

const src = path.join(root, 'src');
if (!fs.existsSync(cli) || !fs.existsSync(path.join(root, 'dist', 'cli-demo.js')) || (fs.existsSync(src) && newestSource(src) > fs.statSync(cli).mtimeMs)) {
  const { spawnSync } = require('child_process');
  const built = spawnSync(process.execPath, [path.join(root, 'esbuild.js'), '--production'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
  if (built.status !== 0) {
    console.error(`send-as-email: building ${cli} failed${built.error ? ` (${built.error.message})` : ''}; run "npm install" in ${root}, then try again.`);
    process.exit(1);
  }
}
const args = process.argv.slice(2);
// The commands run from a code cache of their own (bin/compile-cache.js); --help and the like need none.
// NODE_DISABLE_COMPILE_CACHE, Node's own switch for its cache, turns it off.
let loaded;
if (['build', 'send', 'outbox', 'retry', 'demo'].includes(args[0]) && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const { cacheFolder, loadCached } = require('./compile-cache');
    loaded = loadCached(cli, cacheFolder(), args[0]);
  } catch {
    loaded = undefined;
  }
}
if (!loaded) {
  loaded = { exports: require(cli), save: () => {} };
}
loaded.exports.main(args).then((code) => {
  process.exitCode = code;
  loaded.save();
});
