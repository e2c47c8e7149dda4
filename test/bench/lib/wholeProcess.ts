/**
 * The whole-process pairing: the command-line tool as its users run it, `node bin/send-as-email.js send
 * newsletter.md` (the production build of the npm bin, in a scratch folder), against a plain nodemailer script that
 * sends the same HTML and files (test/bench/floor-send.js). Each round starts every command once, in turn, as a fresh
 * process: its wall time runs from spawn to exit (start-up, loading, composing, sending), its CPU time is the
 * process's own user + system time, read by usage-probe.js as it exits.
 */
import { spawn } from 'child_process';
import type * as Esbuild from 'esbuild';
import { promises as fs } from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { summarize, type Summary } from './stats';
import { FROM, TO, type Workload } from './workloads';

export interface ProcessFigures {
  /** `cli`, `cli-vs` (the build given with --cli-vs) or `nodemailer`. */
  name: string;
  /** The command line, for the table. */
  command: string;
  wallMs: Summary;
  cpuMs: Summary;
  peakRssMB: Summary;
  /** The first run of each command, not counted: it writes the command-line tool's code cache. */
  warmup: { wallMs: number; cpuMs: number };
}

export interface WholeProcessResults {
  workload: string;
  rounds: number;
  commands: ProcessFigures[];
  /** Each command against the nodemailer script: the median of the ratios taken round by round. */
  ratios: { name: string; wall: number; cpu: number }[];
}

interface Command {
  name: string;
  args: string[];
  /** Emptied after each run, outside the timing (the command-line tool's outbox). */
  scratch?: string;
}

interface Run {
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
}

/** Builds the npm bin as it ships (esbuild.js's production build of dist/cli.js) into `dir`; returns the bin's path. */
export async function buildCli(root: string, dir: string): Promise<string> {
  const req = createRequire(path.join(root, 'esbuild.js'));
  const esbuild = req('esbuild') as typeof Esbuild;
  const { builds } = req('./esbuild.js') as { builds(o: { production: boolean; productOnly: boolean }): Esbuild.BuildOptions[] };
  const cli = builds({ production: true, productOnly: true }).find((b) => typeof b.entryPoints === 'object' && 'cli' in b.entryPoints);
  if (!cli) throw new Error('esbuild.js has no build of dist/cli.js.');
  await esbuild.build({ ...cli, outdir: path.join(dir, 'dist'), absWorkingDir: root, logLevel: 'silent' });
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  for (const f of await fs.readdir(path.join(root, 'bin'))) await fs.copyFile(path.join(root, 'bin', f), path.join(dir, 'bin', f));
  return path.join(dir, 'bin', 'send-as-email.js');
}

async function runOnce(command: Command, probe: string, usageFile: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  await fs.rm(usageFile, { force: true });
  const t0 = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', probe, ...command.args], {
      cwd,
      env: { ...env, SEND_AS_EMAIL_BENCH_USAGE: usageFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (c) => resolve({ code: c, stderr: err }));
  });
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`${command.name} exited with code ${String(code)}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  const usage = JSON.parse(await fs.readFile(usageFile, 'utf8')) as { userMicros: number; systemMicros: number; maxRssKB: number };
  if (command.scratch) await fs.rm(command.scratch, { recursive: true, force: true });
  return { wallMs, cpuMs: (usage.userMicros + usage.systemMicros) / 1000, peakRssMB: usage.maxRssKB / 1024 };
}

export interface PairingTask {
  root: string;
  /** A folder of the pairing's own: the built bin, the outboxes, the code cache. */
  scratch: string;
  /** usage-probe.js. */
  probe: string;
  workload: Workload;
  /** The discarding SMTP server on 127.0.0.1. */
  port: number;
  rounds: number;
  /** Another build's bin (an older checkout's bin/send-as-email.js), run in the same rounds. */
  otherCli?: string;
  progress(line: string): void;
}

export async function pairWholeProcess(task: PairingTask): Promise<WholeProcessResults> {
  const { scratch, workload, port } = task;
  task.progress('  building the production bin for the whole-process pairing ...');
  const bin = await buildCli(task.root, path.join(scratch, 'package'));
  // The code cache goes to a home of the pairing's own, on every system (XDG_CACHE_HOME, ~/Library, LOCALAPPDATA).
  const home = path.join(scratch, 'home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    LOCALAPPDATA: path.join(home, 'AppData', 'Local'),
    NODE_DISABLE_COMPILE_CACHE: '',
  };
  const cliArgs = (outbox: string): string[] => [
    'send',
    workload.doc,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--security',
    'none',
    '--from',
    FROM,
    '--outbox',
    outbox,
  ];
  const commands: Command[] = [{ name: 'cli', args: [bin, ...cliArgs(path.join(scratch, 'outbox-cli'))], scratch: path.join(scratch, 'outbox-cli') }];
  if (task.otherCli) {
    commands.push({ name: 'cli-vs', args: [task.otherCli, ...cliArgs(path.join(scratch, 'outbox-vs'))], scratch: path.join(scratch, 'outbox-vs') });
  }
  const floor: Command = { name: 'nodemailer', args: [path.join(task.root, 'test', 'bench', 'floor-send.js'), workload.floor, String(port), FROM, TO] };
  commands.push(floor);

  const usageFile = path.join(scratch, 'usage.json');
  const runs = new Map<string, Run[]>(commands.map((c) => [c.name, []]));
  const warmups = new Map<string, Run>();
  for (let round = 0; round <= task.rounds; round++) {
    for (const command of commands) {
      const run = await runOnce(command, task.probe, usageFile, workload.dir, env);
      if (round === 0) warmups.set(command.name, run);
      else runs.get(command.name)!.push(run);
    }
    if (round > 0 && (round % 5 === 0 || round === task.rounds)) task.progress(`  whole process: ${round} of ${task.rounds} rounds`);
  }

  const floorRuns = runs.get(floor.name)!;
  const label = (c: Command): string =>
    c === floor ? 'node test/bench/floor-send.js (plain nodemailer)' : `node ${c.name === 'cli' ? 'bin/send-as-email.js' : task.otherCli} send ${path.basename(workload.doc)}`;
  return {
    workload: workload.name,
    rounds: task.rounds,
    commands: commands.map((c) => {
      const r = runs.get(c.name)!;
      const w = warmups.get(c.name)!;
      return {
        name: c.name,
        command: label(c),
        wallMs: summarize(r.map((x) => x.wallMs)),
        cpuMs: summarize(r.map((x) => x.cpuMs)),
        peakRssMB: summarize(r.map((x) => x.peakRssMB)),
        warmup: { wallMs: w.wallMs, cpuMs: w.cpuMs },
      };
    }),
    ratios: commands
      .filter((c) => c !== floor)
      .map((c) => {
        const r = runs.get(c.name)!;
        return {
          name: c.name,
          wall: summarize(r.map((x, i) => x.wallMs / floorRuns[i]!.wallMs)).median,
          cpu: summarize(r.map((x, i) => x.cpuMs / floorRuns[i]!.cpuMs)).median,
        };
      }),
  };
}
