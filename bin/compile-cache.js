'use strict';
// Runs the command-line bundle from a V8 code cache: the bytecode of dist/cli.js and of every function the last run
// of the same command compiled, so a `send` does not compile the Markdown renderer, the CSS inliner and the MIME and
// SMTP code again on every run (Node 22's module.enableCompileCache does the same; this works on Node 20 too).
// The cache lives in the user's own cache folder, one file per bundle content, Node version and command. Whatever
// goes wrong with it, the bundle runs as a plain require() would run it.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');
const vm = require('vm');

/** The user's cache folder for send-as-email: XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%. */
function cacheFolder(env = process.env, platform = process.platform, home = os.homedir()) {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'send-as-email', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'send-as-email');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'send-as-email');
}

/**
 * Loads `file`, a CommonJS bundle, like require() but through a code cache in `folder` kept for `name` (a command).
 * Returns the module's exports, whether V8 took the code from the cache (`fromCache`), and `save()`, which writes the
 * cache when there was none (or V8 refused it): call it when the work is done, so that the functions it ran are in it.
 */
function loadCached(file, folder, name) {
  const source = fs.readFileSync(file, 'utf8');
  // V8 checks the cache against the source's length, not its content: the file name carries a hash of the content.
  const key = crypto.createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 24);
  const stem = `${path.basename(file, '.js')}-${name}-`;
  const cacheFile = path.join(folder, `${stem}${key}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;

  const save = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(temporary, cacheFile);
      // The caches of earlier builds of this bundle for this command are of no more use.
      for (const old of fs.readdirSync(folder)) {
        if (old.startsWith(stem) && old.endsWith('.v8') && path.join(folder, old) !== cacheFile) fs.rmSync(path.join(folder, old), { force: true });
      }
    } catch {
      // No cache this time (a read-only home folder, say): the next run compiles again.
    }
  };
  return { exports: mod.exports, fromCache: cachedData !== undefined && !script.cachedDataRejected, save };
}

module.exports = { cacheFolder, loadCached };
