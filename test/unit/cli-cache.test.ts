// The npm bin runs dist/cli.js from a V8 code cache (bin/compile-cache.js): written once per bundle content, Node
// version and command, reused after, never the code of another build.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../support/root';

interface Loaded {
  exports: Record<string, () => string>;
  fromCache: boolean;
  save(): void;
}
interface CompileCache {
  cacheFolder(env: NodeJS.ProcessEnv, platform: string, home: string): string;
  loadCached(file: string, folder: string, name: string): Loaded;
}

const root = projectRoot();
const { cacheFolder, loadCached } = createRequire(__filename)(path.join(root, 'bin', 'compile-cache.js')) as CompileCache;

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

describe('command-line tool: the code cache', function () {
  this.timeout(60_000);
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-cache-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lives in the user cache folder of each system', () => {
    assert.strictEqual(cacheFolder({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/ada'), path.join('/x/cache', 'send-as-email'));
    assert.strictEqual(cacheFolder({}, 'linux', '/home/ada'), path.join('/home/ada', '.cache', 'send-as-email'));
    assert.strictEqual(cacheFolder({ XDG_CACHE_HOME: '/x/cache' }, 'darwin', '/Users/ada'), path.join('/Users/ada', 'Library', 'Caches', 'send-as-email'));
    assert.strictEqual(cacheFolder({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada'), path.join('C:\\Users\\ada\\AppData\\Local', 'send-as-email', 'Cache'));
  });

  it('is written once, taken by V8 on the next load, and a bundle of the same length but other content runs its own code', () => {
    const bundle = path.join(tmp, 'cli.js');
    const folder = path.join(tmp, 'cache');
    fs.writeFileSync(bundle, "module.exports = { word: () => 'first', file: () => __filename };\n");
    const first = loadCached(bundle, folder, 'send');
    assert.strictEqual(first.exports.word!(), 'first');
    assert.strictEqual(first.exports.file!(), bundle);
    assert.strictEqual(first.fromCache, false);
    first.save();
    const [written, ...more] = filesBelow(folder);
    assert.ok(written?.startsWith('cli-send-') && written.endsWith('.v8') && more.length === 0, filesBelow(folder).join(', '));
    const writtenAt = fs.statSync(path.join(folder, written)).mtimeMs;

    const second = loadCached(bundle, folder, 'send');
    assert.strictEqual(second.fromCache, true, 'V8 refused the cache it wrote');
    assert.strictEqual(second.exports.word!(), 'first');
    second.save();
    assert.deepStrictEqual(filesBelow(folder), [written]);
    assert.strictEqual(fs.statSync(path.join(folder, written)).mtimeMs, writtenAt, 'an accepted cache was written again');

    // V8 itself checks only the length of the source: the cache of the first build must not serve the second.
    fs.writeFileSync(bundle, "module.exports = { word: () => 'other', file: () => __filename };\n");
    const rebuilt = loadCached(bundle, folder, 'send');
    assert.strictEqual(rebuilt.fromCache, false);
    assert.strictEqual(rebuilt.exports.word!(), 'other');
    rebuilt.save();
    const after = filesBelow(folder);
    assert.strictEqual(after.length, 1, `the old build's cache was kept: ${after.join(', ')}`);
    assert.notStrictEqual(after[0], written);
  });

  it('a folder that cannot be written leaves the command running without a cache', () => {
    const bundle = path.join(tmp, 'cli.js');
    fs.writeFileSync(bundle, "module.exports = { word: () => 'ran' };\n");
    const notAFolder = path.join(tmp, 'file');
    fs.writeFileSync(notAFolder, '');
    const loaded = loadCached(bundle, path.join(notAFolder, 'cache'), 'build');
    assert.strictEqual(loaded.exports.word!(), 'ran');
    assert.doesNotThrow(() => loaded.save());
  });

  it('the bin, copied below a path with spaces and run from another folder, builds twice from one cache it wrote', () => {
    const pkg = path.join(tmp, 'a package with spaces');
    for (const dir of ['bin', 'dist']) fs.mkdirSync(path.join(pkg, dir), { recursive: true });
    for (const f of ['send-as-email.js', 'compile-cache.js']) fs.copyFileSync(path.join(root, 'bin', f), path.join(pkg, 'bin', f));
    for (const f of ['cli.js', 'cli-demo.js']) fs.copyFileSync(path.join(root, 'dist', f), path.join(pkg, 'dist', f));
    const ws = path.join(tmp, 'work space');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'note.md'), '---\nsubject: Cached\nto: ada@example.com\nfrom: bob@example.com\n---\n\nHello.\n');
    // The user cache folder of every system points into the scratch folder.
    const home = path.join(tmp, 'home');
    const env = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, 'xdg'), LOCALAPPDATA: path.join(home, 'local'), NODE_DISABLE_COMPILE_CACHE: '' };
    const bin = path.join(pkg, 'bin', 'send-as-email.js');
    const run = (): string => execFileSync(process.execPath, [bin, 'build', 'note.md'], { cwd: ws, env, encoding: 'utf8', timeout: 30_000 });
    assert.match(run(), /Wrote .*note\.eml/);
    const caches = filesBelow(home).filter((f) => f.endsWith('.v8'));
    assert.strictEqual(caches.length, 1, caches.join(', '));
    assert.match(path.basename(caches[0]!), /^cli-build-[0-9a-f]+\.v8$/);
    const writtenAt = fs.statSync(path.join(home, caches[0]!)).mtimeMs;
    fs.rmSync(path.join(ws, 'note.eml'));
    assert.match(run(), /Wrote .*note\.eml/);
    assert.ok(fs.existsSync(path.join(ws, 'note.eml')));
    assert.deepStrictEqual(filesBelow(home).filter((f) => f.endsWith('.v8')), caches);
    assert.strictEqual(fs.statSync(path.join(home, caches[0]!)).mtimeMs, writtenAt, 'the second run did not take the cache');
  });
});
