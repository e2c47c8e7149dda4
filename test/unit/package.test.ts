// What ships: the production bundles and the packaged file list carry no test hook, and activate() returns nothing
// outside ExtensionMode.Test. The test module (out/testing/) exists only in the development build.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fakeContext, installVscodeStub } from '../bench/lib/vscode-stub';
import { projectRoot } from '../support/root';

/** Names that exist only for the tests: none of them may reach the .vsix. */
const HOOK_NAMES = [
  'probeScriptDetection',
  'probe:scripts',
  'probe:click',
  'probe:fill',
  'probe:queryUi',
  'losePreSent',
  'captureLinks',
  'openedLinks',
  'imagesAskedAgain',
  'clickSend',
  'setHeaders',
  'firstRenderMs',
  'SwitchablePrompts',
  'data-script-ran',
];

interface Builds {
  builds(options: { production: boolean; productOnly: boolean }): { entryPoints: unknown; outdir: string }[];
}

describe('package: nothing test-only ships', function () {
  this.timeout(120_000);
  const root = projectRoot();
  let scratch: string;
  let shipped: Map<string, string>;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-package-'));
    // The production builds of esbuild.js, written to a scratch folder (dist/ and media/ stay as they are).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { builds } = require(path.join(root, 'esbuild.js')) as Builds;
    const esbuild = await import('esbuild');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      for (const b of builds({ production: true, productOnly: true })) {
        await esbuild.build({ ...b, outdir: path.join(scratch, b.outdir), logLevel: 'silent' } as Parameters<typeof esbuild.build>[0]);
      }
    } finally {
      process.chdir(cwd);
    }
    // The files `vsce` packs, as the allow-list in .vscodeignore selects them.
    const listed = execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], {
      cwd: root,
      encoding: 'utf8',
    });
    shipped = new Map();
    for (const file of listed.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const built = path.join(scratch, file);
      shipped.set(file, fs.readFileSync(fs.existsSync(built) ? built : path.join(root, file), 'latin1'));
    }
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('packs only the product: the bundle, the page script and style, no test module, no source maps', () => {
    const files = [...shipped.keys()].sort();
    assert.ok(files.includes('dist/extension.js'), `dist/extension.js is not packed: ${files.join(', ')}`);
    assert.ok(files.includes('media/preview.js'), 'media/preview.js is not packed');
    const unwanted = files.filter((f) => /^(out|src|test)\//.test(f) || f.endsWith('.map') || f.includes('testing'));
    assert.deepStrictEqual(unwanted, []);
  });

  it('packs every file the bundle loads beside itself (the packages loaded on first use)', () => {
    const bundle = fs.readFileSync(path.join(scratch, 'dist/extension.js'), 'utf8');
    const beside = [...new Set([...bundle.matchAll(/require\(["'](\.\/[^"']+)["']\)/g)].map((m) => path.posix.join('dist', m[1]!)))];
    assert.ok(beside.includes('dist/lazy-data-urls.js'), `the bundle loads no package apart: ${beside.join(', ')}`);
    const missing = beside.filter((f) => !shipped.has(f));
    assert.deepStrictEqual(missing, [], 'loaded by dist/extension.js but not packed');
    // the file apart works on its own: data-urls decodes a data: URL
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parse = require(path.join(scratch, 'dist/lazy-data-urls.js')) as (url: string) => { body: Uint8Array } | null;
    assert.strictEqual(Buffer.from(parse('data:text/plain;base64,aGk=')!.body).toString(), 'hi');
  });

  it('finds no test hook name in any packed file', () => {
    const found = [];
    for (const [file, text] of shipped) for (const name of HOOK_NAMES) if (text.includes(name)) found.push(`${file}: ${name}`);
    assert.deepStrictEqual(found, []);
  });

  it('would find them: the test module and its page script carry those names', () => {
    const testing = ['out/testing/index.js', 'out/testing/preview-page.js'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    const missing = HOOK_NAMES.filter((name) => !testing.includes(name));
    assert.deepStrictEqual(missing, [], 'the list names hooks the test module does not have');
  });

  it('activate() returns nothing in production and the test API only in ExtensionMode.Test', async () => {
    installVscodeStub();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const extension = require(path.join(scratch, 'dist/extension.js')) as { activate(context: unknown): unknown };
    const storage = path.join(scratch, 'storage');
    for (const mode of [1, 2]) {
      const context = fakeContext(root, storage, mode);
      assert.strictEqual(await extension.activate(context), undefined, `activate() returned something in mode ${mode}`);
      for (const d of context.subscriptions as { dispose(): unknown }[]) d.dispose();
    }
    const context = fakeContext(root, storage, 3);
    const api = (await extension.activate(context)) as Record<string, unknown> | undefined;
    assert.ok(api && typeof api === 'object', 'no test API in ExtensionMode.Test');
    assert.deepStrictEqual(Object.keys(api).sort(), ['accountStatus', 'accounts', 'log', 'mail', 'merges', 'outboxDir', 'playTrust', 'preview', 'prompts', 'secrets', 'useAuthProvider']);
    for (const d of context.subscriptions as { dispose(): unknown }[]) d.dispose();
  });
});
