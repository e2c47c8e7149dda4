/**
 * The extension's own costs: the size of the production bundle (the repository's esbuild.js `--production`, written
 * to a scratch folder), the time a fresh Node process takes to require it and to run `activate()` (vscode
 * stubbed), and which modules activation evaluates: the heavy ones should wait for first use.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { runChild, runToExit } from './fork';
import { summarize, type Summary } from './stats';

export const LOADED_GLOBAL = '__sendAsEmailBenchLoaded';

export interface BuildTask {
  root: string;
  outProduction: string;
  outInstrumented: string;
}

export interface BuildResult {
  buildMs: number;
  error?: string;
}

export interface LoadTask {
  bundle: string;
  root: string;
  /** `time`: the production bundle, times only; `modules`: the instrumented bundle, the evaluated modules too. */
  mode: 'time' | 'modules';
  /** A scratch folder for the fake context's storage. */
  storage: string;
}

export interface LoadResult {
  requireMs: number;
  activateMs: number;
  /** RSS and heap after activation, MB. */
  rssMB: number;
  heapMB: number;
  /** Disposables activate() pushed into context.subscriptions. */
  subscriptions: number;
  /** Modules evaluated by require(), and by activate() plus a short settle (instrumented bundle only). */
  evaluatedAtRequire?: string[];
  evaluatedAfterActivate?: string[];
  error?: string;
}

/** Packages that must not be evaluated at activation (path prefixes below node_modules/). */
const HEAVY = [
  'juice',
  'cheerio',
  'marked',
  'html-to-text',
  'nodemailer/lib/smtp-connection',
  'nodemailer/lib/smtp-transport',
  'nodemailer/lib/mail-composer',
  'nodemailer/lib/mime-node',
  'yaml',
  'postcss',
  'postcss-value-parser',
  'image-size',
  'htmlparser2',
  'parse5',
  'css-select',
  'mensch',
  'web-resource-inliner',
  '@zone-eu/mailsplit',
  // cheerio's main entry pulls these in for fromURL / loadBuffer, which we never call
  'undici',
  'iconv-lite',
  'encoding-sniffer',
  // loaded on first use only: the recipients check, SVG images, code colours, mail merge
  'caniemail',
  '@resvg/resvg-wasm',
  'highlight.js',
  'mustache',
  'csv-parse',
];

export interface ExtensionFigures {
  /** dist/extension.js and dist/cli.js as `node esbuild.js --production` writes them (minified, no source map). */
  productionBundleBytes: number;
  productionCliBytes: number;
  /** The development bundle in dist/ (not minified, built by `node esbuild.js` before the benchmark), for reference. */
  devBundleBytes?: number;
  productionBuildMs: number;
  loads: number;
  requireMs: Summary;
  activateMs: Summary;
  rssAfterActivateMB: Summary;
  subscriptions: number;
  /** What the production bundle is made of: bytes per package (our own files as "src"), largest first. */
  bundleComposition: { name: string; bytes: number }[];
  /** Modules in the production bundle (esbuild metafile, tree-shaken ones excluded). */
  modulesInBundle: number;
  modulesEvaluatedAtRequire: number;
  modulesEvaluatedAtActivation: number;
  /** node_modules packages evaluated by the end of activation, with how many of their modules. */
  packagesAtActivation: { name: string; modules: number }[];
  /** Heavy modules evaluated by the end of activation (should be none). */
  heavyAtActivation: string[];
  /** Their packages. */
  heavyPackagesAtActivation: string[];
  /** Our files evaluated at activation that import a heavy package statically (make those imports lazy). */
  heavyStaticImports: { from: string; imports: string }[];
  /** Our own source files evaluated by the end of activation. */
  ownAtActivation: string[];
  errors: string[];
}

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

function isHeavy(label: string): boolean {
  if (!label.includes('node_modules/')) return false;
  const rel = belowNodeModules(label);
  return HEAVY.some((h) => rel === h || rel.startsWith(`${h}/`) || rel.startsWith(`${h}.`));
}

function packageOf(label: string): string | undefined {
  const parts = label.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const name = parts[at + 1] ?? '';
  return name.startsWith('@') ? `${name}/${parts[at + 2] ?? ''}` : name;
}

function belowNodeModules(label: string): string {
  const at = label.lastIndexOf('node_modules/');
  return at < 0 ? label : label.slice(at + 'node_modules/'.length);
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return undefined;
  }
}

/** `bin`: the folder with the child bundles (see copyChildren). */
export async function measureExtension(root: string, bin: string, scratch: string, loads: number): Promise<ExtensionFigures> {
  const errors: string[] = [];
  const build: BuildTask = { root, outProduction: path.join(scratch, 'production'), outInstrumented: path.join(scratch, 'instrumented') };
  const code = await runToExit(path.join(bin, 'run-build.js'), build, { cwd: root });
  let buildResult: BuildResult = { buildMs: NaN };
  try {
    buildResult = JSON.parse(await fs.readFile(path.join(build.outProduction, 'build-result.json'), 'utf8')) as BuildResult;
  } catch {
    buildResult.error = `the production build exited with code ${code} and left no result`;
  }
  if (buildResult.error) throw new Error(`Building the production bundle failed: ${buildResult.error}.`);

  const productionBundle = path.join(build.outProduction, 'extension.js');
  const times: LoadResult[] = [];
  const storage = path.join(scratch, 'storage');
  const load = (task: LoadTask): Promise<LoadResult> => runChild<LoadResult>(path.join(bin, 'run-load.js'), task, { execArgv: [] });
  for (let i = 0; i < loads; i++) times.push(await load({ bundle: productionBundle, root, mode: 'time', storage }));
  const modules = await load({ bundle: path.join(build.outInstrumented, 'extension.js'), root, mode: 'modules', storage });
  for (const r of [...times, modules]) if (r.error && !errors.includes(r.error)) errors.push(r.error);

  // Modules that made it into the real bundle (the marker would keep tree-shaken ones alive in the instrumented one).
  const label = (file: string): string => path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  let output: Metafile['outputs'][string] | undefined;
  const staticImports = new Map<string, string[]>();
  for (const file of (await fs.readdir(build.outProduction)).filter((f) => /^meta-\d+\.json$/.test(f))) {
    const meta = JSON.parse(await fs.readFile(path.join(build.outProduction, file), 'utf8')) as Metafile;
    output ??= Object.entries(meta.outputs).find(([out]) => out.endsWith('extension.js'))?.[1];
    for (const [input, { imports }] of Object.entries(meta.inputs)) {
      const list = imports.filter((i) => !i.external && i.kind !== 'dynamic-import').map((i) => label(i.path));
      staticImports.set(label(input), list);
    }
  }
  const bundled = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([file, v]) => ({ label: label(file), bytes: v.bytesInOutput }));
  const inBundle = new Set(bundled.map((b) => b.label));
  const composition = new Map<string, number>();
  for (const b of bundled) {
    const name = packageOf(b.label) ?? 'src';
    composition.set(name, (composition.get(name) ?? 0) + b.bytes);
  }
  const evaluated = (modules.evaluatedAfterActivate ?? []).filter((m) => inBundle.has(m));
  const atRequire = (modules.evaluatedAtRequire ?? []).filter((m) => inBundle.has(m));
  const packages = new Map<string, number>();
  for (const m of evaluated) {
    const p = packageOf(m);
    if (p) packages.set(p, (packages.get(p) ?? 0) + 1);
  }
  const heavy = evaluated.filter(isHeavy);
  const ownAtActivation = evaluated.filter((m) => !m.includes('node_modules/'));
  // Where our code pulls a heavy package in eagerly: a static import from one of our files evaluated at activation.
  const heavyImports = ownAtActivation.flatMap((own) =>
    (staticImports.get(own) ?? []).filter(isHeavy).map((dep) => ({ from: own, imports: packageOf(dep) ?? dep })),
  );

  return {
    productionBundleBytes: (await fileSize(productionBundle)) ?? NaN,
    productionCliBytes: (await fileSize(path.join(build.outProduction, 'cli.js'))) ?? NaN,
    devBundleBytes: await fileSize(path.join(root, 'dist', 'extension.js')),
    productionBuildMs: buildResult.buildMs,
    loads,
    requireMs: summarize(times.map((t) => t.requireMs)),
    activateMs: summarize(times.map((t) => t.activateMs)),
    rssAfterActivateMB: summarize(times.map((t) => t.rssMB)),
    subscriptions: times[0]?.subscriptions ?? 0,
    bundleComposition: [...composition].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    modulesInBundle: inBundle.size,
    modulesEvaluatedAtRequire: atRequire.length,
    modulesEvaluatedAtActivation: evaluated.length,
    packagesAtActivation: [...packages].map(([name, n]) => ({ name, modules: n })).sort((a, b) => b.modules - a.modules),
    heavyAtActivation: heavy.map(belowNodeModules),
    heavyPackagesAtActivation: [...new Set(heavy.map((m) => packageOf(m) ?? m))],
    heavyStaticImports: heavyImports.filter((h, i) => heavyImports.findIndex((o) => o.from === h.from && o.imports === h.imports) === i),
    ownAtActivation,
    errors,
  };
}
