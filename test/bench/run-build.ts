/**
 * Child process: runs the repository's own esbuild.js with `--production` (its exact options), with its output sent
 * to a scratch folder instead of dist/ and a metafile kept. Beside it, a second build with the same options, not
 * minified, where every module records its own evaluation (a marker statement prepended by an onLoad plugin), so
 * run-load can tell which modules `activate()` evaluates. Forked by bench.ts with the repository as cwd.
 */
import * as fs from 'fs';
import Module, { createRequire } from 'module';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type * as Esbuild from 'esbuild';
import { LOADED_GLOBAL, type BuildResult, type BuildTask } from './lib/extension';


/** Prepends `globalThis.<LOADED_GLOBAL>.push("<path>")` to every module, after a shebang or "use strict" prologue. */
function instrumentPlugin(root: string): Esbuild.Plugin {
  return {
    name: 'bench-record-module-evaluation',
    setup(build) {
      build.onLoad({ filter: /\.(?:[cm]?js|ts)$/ }, async (args) => {
        if (args.namespace !== 'file') return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        const label = path.relative(root, args.path).split(path.sep).join('/');
        const marker = `;(globalThis.${LOADED_GLOBAL} || []).push(${JSON.stringify(label)});\n`;
        const prologue = /^(?:#![^\n]*\n)?(?:\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*(?:(['"])use strict\1;?)?/.exec(source)?.[0] ?? '';
        const keep = /use strict/.test(prologue) || prologue.startsWith('#!') ? prologue : '';
        return {
          contents: `${keep}\n${marker}${source.slice(keep.length)}`,
          loader: args.path.endsWith('.ts') ? 'ts' : 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

function main(): void {
  const task = JSON.parse(process.argv[2] ?? '{}') as BuildTask;
  fs.mkdirSync(task.outProduction, { recursive: true });
  const req = createRequire(path.join(task.root, 'esbuild.js'));
  const esbuild = req('esbuild') as typeof Esbuild;
  let buildMs = NaN;
  let contexts = 0;
  const patched = {
    ...esbuild,
    // Every build esbuild.js makes goes to the scratch folder, each with its metafile (meta-<n>.json).
    async context(options: Esbuild.BuildOptions) {
      const n = contexts++;
      const production = { ...options, outdir: task.outProduction, metafile: true };
      const ctx = await esbuild.context(production);
      return {
        async rebuild() {
          const t0 = performance.now();
          const result = await ctx.rebuild();
          buildMs = Math.max(Number.isNaN(buildMs) ? 0 : buildMs, performance.now() - t0);
          fs.writeFileSync(path.join(task.outProduction, `meta-${n}.json`), JSON.stringify(result.metafile));
          const instrumented = await esbuild.build({
            ...options,
            outdir: task.outInstrumented,
            minify: false,
            sourcemap: false,
            metafile: true,
            plugins: [...(options.plugins ?? []), instrumentPlugin(task.root)],
          });
          fs.writeFileSync(path.join(task.outInstrumented, `meta-${n}.json`), JSON.stringify(instrumented.metafile));
          return result;
        },
        dispose: () => ctx.dispose(),
        watch: () => ctx.watch(),
      };
    },
  };
  const internals = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = internals._load;
  internals._load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
    return request === 'esbuild' ? patched : load.call(this, request, ...rest);
  };
  process.argv = [process.argv[0]!, path.join(task.root, 'esbuild.js'), '--production'];
  process.on('exit', (code) => {
    const result: BuildResult = code === 0 && Number.isFinite(buildMs) ? { buildMs } : { buildMs, error: `esbuild.js --production exited with code ${code}` };
    fs.writeFileSync(path.join(task.outProduction, 'build-result.json'), JSON.stringify(result));
  });
  // esbuild.js builds when run as a script; required, it exports its main() (the unit tests require it for its options).
  const script = req('./esbuild.js') as { main?: () => Promise<void> };
  script.main?.().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

main();
