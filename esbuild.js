// Bundles the extension, the command-line tool, the preview's page script, the test module, the tests and the
// benchmark (shape of the official esbuild sample).
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** Only the product bundles (dist/): what `npm run demo` and the command-line tool need. */
const productOnly = production || process.argv.includes('--product');

/** Prints errors in the form VS Code's $esbuild-watch problem matcher reads. */
const esbuildProblemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const [kind, list] of [['ERROR', result.errors], ['WARNING', result.warnings]]) {
        for (const { text, location } of list) {
          console.error(`${kind === 'ERROR' ? '✘' : '▲'} [${kind}] ${text}`);
          if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

function testEntries(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  // Prefer ESM builds: jsonc-parser's UMD build requires its own files dynamically, which a bundle cannot follow.
  mainFields: ['module', 'main'],
  // cheerio's main entry pulls in an HTTP client and charset tables for fromURL()/loadBuffer(), never used here.
  alias: {
    undici: './src/stubs/undici.ts',
    'encoding-sniffer': './src/stubs/encoding-sniffer.ts',
  },
  plugins: [esbuildProblemMatcherPlugin],
};

/**
 * The command-line tool's demo packages (an SMTP server, a mail parser, a MIME splitter) are a bundle of their own,
 * dist/cli-demo.js, which only `send-as-email demo` loads: every other command starts without parsing them.
 * src/cli/commands/demo.ts imports './demoPackages'; in dist/cli.js that import names the file beside it.
 */
const cliDemoApart = {
  name: 'cli-demo-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/demoPackages$/ }, (args) =>
      path.basename(args.importer) === 'demo.ts' ? { path: './cli-demo.js', external: true } : undefined,
    );
  },
};

/**
 * Packages only some documents need are bundles of their own, dist/lazy-<name>.js, beside the bundle that loads them
 * with `await import('<package>')`: activation never parses them (a 2 MB bundle costs its require() time in parsing).
 * Tests bundle them inline, as before.
 */
const LAZY_PACKAGES = ['data-urls'];
const lazyFile = (pkg) => `lazy-${pkg.replace(/^@/, '').replace(/\//g, '-')}`;
const lazyEntries = Object.fromEntries(LAZY_PACKAGES.map((pkg) => [lazyFile(pkg), pkg]));
const lazyApart = {
  name: 'lazy-apart',
  setup(build) {
    const names = LAZY_PACKAGES.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) =>
      args.kind === 'dynamic-import' ? { path: `./${lazyFile(args.path)}.js`, external: true } : undefined,
    );
  },
};

/**
 * caniemail reads its data with createRequire(import.meta.url), which a CommonJS bundle cannot run: the data goes
 * into the bundle as a JSON.parse() of its text, which V8 reads faster than the same data as an object literal.
 */
const caniemailData = {
  name: 'caniemail-data',
  setup(build) {
    build.onLoad({ filter: /caniemail[\\/]dist[\\/]json\.js$/ }, (args) => {
      const json = fs.readFileSync(path.join(path.dirname(args.path), '..', 'data', 'caniemail.json'), 'utf8');
      return { contents: `export const caniEmailJson = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(json)))});\n`, loader: 'js' };
    });
  },
};

/**
 * The recipients check's data and checker (caniemail), dist/check.js: shipped beside dist/extension.js and
 * dist/cli.js, which load it by a computed path on the first check only (src/core/check/loadEngine.ts).
 */
const checkEngine = {
  ...common,
  entryPoints: { check: 'src/core/check/caniemailEngine.ts' },
  outdir: 'dist',
  plugins: [...common.plugins, caniemailData],
};

/**
 * Renderers loaded on the first message that needs them, bundles of their own beside dist/extension.js and dist/cli.js:
 * dist/svg-render.js (resvg, with its WebAssembly copied as dist/resvg.wasm) and dist/code-highlight.js (highlight.js
 * and its themes). `import('./svgRender')` and `import('./highlightPackages')` name those files in the product
 * bundles, which therefore never parse them at activation; the tests bundle them inline.
 */
const LAZY_CHUNKS = { './svgRender': 'svg-render', './highlightPackages': 'code-highlight' };
const lazyChunksApart = {
  name: 'lazy-chunks-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/(svgRender|highlightPackages)$/ }, (args) => ({ path: `./${LAZY_CHUNKS[args.path]}.js`, external: true }));
  },
};

/** resvg's .wasm beside the bundle that loads it (src/core/assets/svgRender.ts looks for it there). */
const resvgWasm = {
  name: 'resvg-wasm',
  setup(build) {
    build.onEnd(() => {
      fs.mkdirSync(build.initialOptions.outdir, { recursive: true });
      fs.copyFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm'), path.join(build.initialOptions.outdir, 'resvg.wasm'));
    });
  },
};

const lazyChunks = {
  ...common,
  entryPoints: { 'svg-render': 'src/core/assets/svgRender.ts', 'code-highlight': 'src/core/source/highlightPackages.ts' },
  outdir: 'dist',
  plugins: [...common.plugins, resvgWasm],
};

/** Product bundles: what ships in the .vsix. */
const product = {
  ...common,
  entryPoints: { extension: 'src/extension.ts', ...lazyEntries },
  outdir: 'dist',
  minify: production,
  external: ['vscode'],
  // import('./lazy-….js') becomes require() wrapped in __toESM, so a CommonJS package's default export is itself.
  supported: { 'dynamic-import': false },
  plugins: [...common.plugins, lazyApart, lazyChunksApart],
};

/** The command-line tool, the npm `bin`: dist/cli.js, and dist/cli-demo.js for `demo`. Never in the .vsix. */
const cli = {
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', 'cli-demo': 'src/cli/commands/demoPackages.ts', ...lazyEntries },
  outdir: 'dist',
  minify: production,
  // import('./cli-demo.js') becomes require(): bin/send-as-email.js runs dist/cli.js from a V8 code cache, where a
  // dynamic import() has no loader to call.
  supported: { 'dynamic-import': false },
  plugins: [...common.plugins, cliDemoApart, lazyApart, lazyChunksApart],
};

/** The preview's page script (TypeScript in src/webview/), for the browser: shipped as media/preview.js. */
const webview = {
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  entryPoints: { preview: 'src/webview/preview.ts' },
  outdir: 'media',
  minify: production,
  alias: {},
};

/**
 * Test mode only (never with --production, never in the .vsix): the module activate() loads in ExtensionMode.Test,
 * and the preview page script with the tests' probe in front of it.
 */
const testing = [
  { ...common, entryPoints: { index: 'src/testing/index.ts' }, outdir: 'out/testing', external: ['vscode'] },
  { ...webview, entryPoints: { 'preview-page': 'src/testing/webview/page.ts' }, outdir: 'out/testing', minify: false },
];

/** Tests and benchmark: bundled too (several dependencies are ESM-only), never shipped. */
const tests = {
  ...common,
  entryPoints: [...testEntries('test/unit'), ...testEntries('test/integration'), ...testEntries('test/bench')],
  outbase: 'test',
  outdir: 'out/test',
  external: ['vscode', 'mocha', 'playwright-core', 'esbuild', 'typescript'],
};

/** The builds for these flags: the product (extension, CLI, page script), plus the test module and the tests. */
function builds(options = { production, productOnly }) {
  const shipped = [product, cli, webview, lazyChunks, checkEngine].map((b) => ({ ...b, minify: options.production, sourcemap: !options.production }));
  return options.productOnly ? shipped : [...shipped, ...testing, tests];
}

async function main() {
  const builds = module.exports.builds();
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (results.some((r) => r.errors.length > 0)) process.exit(1);
}

module.exports = { builds, product, cli, webview, checkEngine, main };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
