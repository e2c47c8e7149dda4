#!/usr/bin/env node
'use strict';
// The command-line tool: a thin entry over the bundled core (dist/cli.js), built on first use in a clone.
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  const { execFileSync } = require('child_process');
  execFileSync(process.execPath, [path.join(__dirname, '..', 'esbuild.js'), '--production'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: path.join(__dirname, '..') });
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
