/**
 * `npm run bench`: compose and send speed and memory of our pipeline against the floor of the stack (plain
 * nodemailer), plus the extension's own costs. Measures, never asserts. Prints a table and writes
 * .bench/results.json for scripts to compare.
 *
 *   node out/test/bench/bench.js [--rounds 5] [--large-rounds 5] [--workloads small,newsletter,large,longText]
 *                                [--no-extension] [--out .bench/results.json] [--keep] [--cpu-prof]
 *                                [--process-rounds 11] [--process-only] [--cli-vs OTHER/bin/send-as-email.js]
 *                                [--check-rounds 20] [--check-only] [--no-merge]
 *
 * The whole-process pairing (lib/wholeProcess.ts) runs `node bin/send-as-email.js send newsletter.md` against a plain
 * nodemailer script, each a fresh process, in turn, --process-rounds rounds (0: not at all). --process-only runs only
 * that (the newsletter, no in-process variants, no extension figures); --cli-vs adds another build's bin (an older
 * checkout, built) to the same rounds, for a before/after measured side by side.
 *
 * The recipients check (lib/check.ts, run-check.js) is timed on the newsletter's composed HTML in a fresh child:
 * loading dist/check.js, the first check, then --check-rounds warm checks. --check-only measures only that.
 *
 * --cpu-prof runs every variant under `node --cpu-prof` (profiles kept in .bench/profiles/) and prints where the
 * time went, function by function, in source files (through the bundle's source map).
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { parseArgs, promisify } from 'util';

const execFileAsync = promisify(execFile);
import { projectRoot } from '../support/root';
import { VARIANTS, type VariantResult, type VariantTask } from './lib/child';
import { measureExtension, type ExtensionFigures } from './lib/extension';
import type { CheckFigures, CheckResult, CheckTask } from './lib/check';
import { BENCH_OUT, copyChildren, runChild } from './lib/fork';
import { readPreviewTimings } from './lib/preview';
import { summarizeProfile, type ProfileSummary } from './lib/profile';
import { computeRatios, renderTable, TARGETS, verdicts, type BenchResults, type MeasuredVariant } from './lib/report';
import { startDiscardServer } from './lib/server';
import { round, summarize } from './lib/stats';
import { pairWholeProcess, type WholeProcessResults } from './lib/wholeProcess';
import { generateWorkloads, WORKLOAD_NAMES, type WorkloadName } from './lib/workloads';

interface Args {
  rounds: number;
  largeRounds: number;
  workloads: WorkloadName[];
  extension: boolean;
  out: string;
  keep: boolean;
  cpuProf: boolean;
  processRounds: number;
  processOnly: boolean;
  cliVs?: string;
  checkRounds: number;
  checkOnly: boolean;
  /** The workload "merge 1,000" (off with --no-merge). */
  merge: boolean;
}

const ROOT = projectRoot();

function parseCommandLine(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '5' },
      'large-rounds': { type: 'string', default: '5' },
      workloads: { type: 'string', default: WORKLOAD_NAMES.join(',') },
      'no-extension': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(ROOT, '.bench', 'results.json') },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'process-rounds': { type: 'string', default: '11' },
      'process-only': { type: 'boolean', default: false },
      'cli-vs': { type: 'string' },
      'check-rounds': { type: 'string', default: '20' },
      'check-only': { type: 'boolean', default: false },
      'no-merge': { type: 'boolean', default: false },
    },
  });
  const count = (name: 'rounds' | 'large-rounds' | 'process-rounds' | 'check-rounds', least = 1): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < least) throw new Error(`Option --${name} needs a whole number of at least ${least}.`);
    return n;
  };
  const processOnly = values['process-only'];
  const checkOnly = values['check-only'];
  const workloads = processOnly || checkOnly ? ['newsletter'] : values.workloads.split(',').map((s) => s.trim());
  const unknown = workloads.filter((n) => !(WORKLOAD_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`Unknown workload ${unknown.join(', ')}; known: ${WORKLOAD_NAMES.join(', ')}.`);
  return {
    rounds: count('rounds'),
    largeRounds: count('large-rounds'),
    workloads: workloads as WorkloadName[],
    extension: !values['no-extension'],
    out: path.resolve(values.out),
    keep: values.keep,
    cpuProf: values['cpu-prof'],
    processRounds: count('process-rounds', 0),
    processOnly,
    cliVs: values['cli-vs'] === undefined ? undefined : path.resolve(values['cli-vs']),
    checkRounds: count('check-rounds', 0),
    checkOnly,
    merge: !values['no-merge'],
  };
}

/** The summary of the one .cpuprofile a child left in `dir`. */
async function profileIn(dir: string): Promise<ProfileSummary | undefined> {
  const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  // The children ran from a copy; their source maps' paths are relative to where they were built.
  return files[0] ? summarizeProfile(path.join(dir, files[0]), ROOT, BENCH_OUT) : undefined;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const args = parseCommandLine(process.argv.slice(2));
  const started = new Date();
  const loadAtStart = os.loadavg()[0]!;
  const t0 = performance.now();
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'send-as-email-bench-'));
  try {
    const bin = await copyChildren(path.join(scratch, 'bin'));
    progress(`Generating workloads in ${scratch} ...`);
    const workloads = await generateWorkloads(path.join(scratch, 'workloads'), args.workloads);
    const server = await startDiscardServer();
    const results: MeasuredVariant[] = [];
    let wholeProcess: WholeProcessResults | undefined;
    let wholeProcessError: string | undefined;
    try {
      for (const workload of args.processOnly || args.checkOnly ? [] : workloads) {
        for (const variant of VARIANTS) {
          const task: VariantTask = {
            variant,
            workload,
            rounds: workload.name === 'large' ? args.largeRounds : args.rounds,
            port: server.port,
            scratch: path.join(scratch, 'children', `${workload.name}-${variant}`),
          };
          const ours = variant.startsWith('ours');
          const profileDir = path.join(path.dirname(args.out), 'profiles', `${workload.name}-${variant}`);
          const execArgv = ['--expose-gc'];
          if (args.cpuProf) {
            await fs.rm(profileDir, { recursive: true, force: true });
            execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir);
          }
          const result = await runChild<VariantResult>(path.join(bin, ours ? 'run-ours.js' : 'run-floor.js'), task, { execArgv });
          const ms = summarize(result.roundsMs);
          const measured: MeasuredVariant = { ...result, ms };
          if (args.cpuProf) measured.profile = await profileIn(profileDir);
          results.push(measured);
          progress(
            `  ${workload.name.padEnd(10)} ${variant.padEnd(13)} ` +
              (result.error ? `failed: ${result.error}` : `${Math.round(ms.median)} ms median, peak RSS ${Math.round(result.peakRssMB)} MB`),
          );
        }
      }
      const newsletter = workloads.find((w) => w.name === 'newsletter');
      if (newsletter && args.processRounds > 0 && !args.checkOnly) {
        progress('Whole process: send-as-email send against a plain nodemailer script ...');
        try {
          wholeProcess = await pairWholeProcess({
            root: ROOT,
            scratch: path.join(scratch, 'whole-process'),
            probe: path.join(bin, 'usage-probe.js'),
            workload: newsletter,
            port: server.port,
            rounds: args.processRounds,
            otherCli: args.cliVs,
            progress,
          });
        } catch (e) {
          wholeProcessError = e instanceof Error ? e.message : String(e);
          progress(`  failed: ${wholeProcessError}`);
        }
      }
    } finally {
      await server.close();
    }

    let check: CheckFigures | undefined;
    let checkError: string | undefined;
    const newsletter = workloads.find((w) => w.name === 'newsletter');
    if (newsletter && args.checkRounds > 0 && !args.processOnly) {
      progress('Recipients check of the newsletter ...');
      const task: CheckTask = { workload: newsletter, engineDir: bin, rounds: args.checkRounds };
      const r = await runChild<CheckResult>(path.join(bin, 'run-check.js'), task);
      if (r.error) checkError = r.error;
      else check = { ...r, warmMs: summarize(r.warmMs), coldMs: summarize(r.coldMs), firstAddedMs: r.loadMs + r.firstCheckMs };
      progress(checkError ? `  failed: ${checkError}` : `  load ${Math.round(r.loadMs)} ms, first ${Math.round(r.firstCheckMs)} ms, then ${Math.round(check!.warmMs.median)} ms median (${Math.round(check!.coldMs.median)} ms unremembered)`);
    }

    let merge: BenchResults['merge'];
    let mergeError: string | undefined;
    if (args.merge && !args.processOnly && !args.checkOnly) {
      progress('Mail merge of 1,000 rows beside a plain nodemailer pool (run-merge.js) ...');
      try {
        const { stdout } = await execFileAsync(process.execPath, [path.join(BENCH_OUT, 'run-merge.js'), '--rows', '1000', '--rounds', '1'], { maxBuffer: 64 << 20 });
        const r = JSON.parse(stdout) as NonNullable<BenchResults['merge']>;
        merge = { rows: r.rows, oursMs: r.oursMs, floorMs: r.floorMs, ratio: r.ratio, peakRssMb: r.peakRssMb, rssGrowth: r.rssGrowth, floorRssGrowth: r.floorRssGrowth, dryRunMs: r.dryRunMs };
        progress(
          `  ${merge.oursMs} ms against ${merge.floorMs} ms: ${merge.ratio}x (goal 1.5x); peak RSS at 1,000 rows over 100: ${merge.rssGrowth} (goal 10%; the nodemailer pool's: ${merge.floorRssGrowth}); dry run ${merge.dryRunMs} ms (goal 2,000)`,
        );
      } catch (e) {
        mergeError = e instanceof Error ? e.message : String(e);
        progress(`  failed: ${mergeError}`);
      }
    }

    let extension: ExtensionFigures | undefined;
    let extensionError: string | undefined;
    if (args.extension && !args.processOnly && !args.checkOnly) {
      progress('Measuring the extension bundle ...');
      try {
        extension = await measureExtension(ROOT, bin, path.join(scratch, 'extension'), 5);
      } catch (e) {
        extensionError = e instanceof Error ? e.message : String(e);
      }
    }

    const cpus = os.cpus();
    const partial: Omit<BenchResults, 'verdicts'> = {
      version: 1,
      startedAt: started.toISOString(),
      durationS: 0,
      machine: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? 'unknown',
        memoryGB: Math.round(os.totalmem() / 1024 ** 3),
        loadAverage: { atStart: round(loadAtStart, 2), atEnd: round(os.loadavg()[0]!, 2) },
      },
      config: { rounds: args.rounds, largeRounds: args.largeRounds, warmupRounds: 1, seedBased: true },
      workloads: workloads.map(({ dir: _dir, doc, floor: _floor, ...w }) => ({ ...w, file: path.basename(doc) })),
      results,
      ratios: computeRatios(results, args.workloads),
      server: { ...server.stats(), greetsAtOnce: server.greetsAtOnce },
      ...(extension ? { extension } : {}),
      ...(extensionError ? { extensionError } : {}),
      preview: await readPreviewTimings(ROOT),
      ...(check ? { check } : {}),
      ...(checkError ? { checkError } : {}),
      ...(merge ? { merge } : {}),
      ...(mergeError ? { mergeError } : {}),
      ...(wholeProcess ? { wholeProcess } : {}),
      ...(wholeProcessError ? { wholeProcessError } : {}),
      targets: TARGETS,
    };
    partial.durationS = Math.round((performance.now() - t0) / 100) / 10;
    const data: BenchResults = { ...partial, verdicts: verdicts(partial) };

    console.log('');
    console.log(renderTable(data));
    await fs.mkdir(path.dirname(args.out), { recursive: true });
    await fs.writeFile(args.out, JSON.stringify(data, null, 2) + '\n');
    console.log('');
    console.log(`Wrote ${path.relative(process.cwd(), args.out) || args.out} (${data.durationS} s in all).`);
  } finally {
    if (args.keep) progress(`Kept the scratch folder ${scratch}.`);
    else await fs.rm(scratch, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
