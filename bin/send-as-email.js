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
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
