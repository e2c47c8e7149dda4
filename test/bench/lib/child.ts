/**
 * The protocol between the benchmark and the child processes it forks (one child per measured variant and workload,
 * so that the child's peak RSS belongs to that variant alone), and the round loop a child runs.
 */
import { performance } from 'perf_hooks';
import type { Workload } from './workloads';

export const VARIANTS = ['floor-compose', 'ours-compose', 'floor-send', 'ours-send'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantTask {
  variant: Variant;
  workload: Workload;
  /** Measured rounds; one warm-up round runs before them and is reported apart. */
  rounds: number;
  /** The discarding SMTP server on 127.0.0.1. */
  port: number;
  /** A folder of the child's own (the outbox lives there). */
  scratch: string;
}

export interface VariantResult {
  variant: Variant;
  workload: string;
  /** Wall time of each measured round, ms. */
  roundsMs: number[];
  /** The first (cold) round: lazy module initialisation, JIT warm-up. Not part of the statistics. */
  warmupMs: number;
  /** Size of the message composed or sent, bytes. */
  messageBytes: number;
  /** process.resourceUsage().maxRSS over the child's whole life (warm-up and rounds), MB. */
  peakRssMB: number;
  /** RSS before the first round (node, the bundle and the inputs loaded), MB. */
  startRssMB: number;
  /** Highest heapUsed / external seen by a 5 ms sampler (misses peaks inside long synchronous stretches), MB. */
  sampledPeakHeapMB: number;
  sampledPeakExternalMB: number;
  /** Wall time of named stretches within each measured round (e.g. compose, deliver), ms. */
  phasesMs: Record<string, number[]>;
  error?: string;
}

const MB = 1024 * 1024;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** Ends a named stretch of the round: the time since the round started or since the previous mark. */
export type Mark = (phase: string) => void;

/** Runs `once` for a warm-up round and `rounds` measured rounds, with a full GC before each. */
export async function runRounds(task: VariantTask, once: (round: number, mark: Mark) => Promise<number>): Promise<VariantResult> {
  collectGarbage();
  const startRss = process.memoryUsage().rss;
  let peakHeap = 0;
  let peakExternal = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  };
  const sampler = setInterval(sample, 5);
  const times: number[] = [];
  let warmupMs = 0;
  let messageBytes = 0;
  const phasesMs: Record<string, number[]> = {};
  try {
    for (let round = 0; round <= task.rounds; round++) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      let last = t0;
      const mark: Mark = (phase) => {
        const now = performance.now();
        if (round > 0) (phasesMs[phase] ??= []).push(now - last);
        last = now;
      };
      messageBytes = await once(round, mark);
      const ms = performance.now() - t0;
      sample();
      if (round === 0) warmupMs = ms;
      else times.push(ms);
    }
  } finally {
    clearInterval(sampler);
  }
  return {
    variant: task.variant,
    workload: task.workload.name,
    roundsMs: times,
    warmupMs,
    messageBytes,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    startRssMB: startRss / MB,
    sampledPeakHeapMB: peakHeap / MB,
    sampledPeakExternalMB: peakExternal / MB,
    phasesMs,
  };
}

/** The body of a child entry point: read the task, run it, hand the result to the parent, exit. */
export function childMain(run: (task: VariantTask) => Promise<VariantResult>): void {
  const task = JSON.parse(process.argv[2] ?? '{}') as VariantTask;
  const finish = (result: VariantResult): void => {
    if (process.send) process.send(result, () => process.exit(0));
    else {
      console.log(JSON.stringify(result));
      process.exit(0);
    }
  };
  run(task).then(finish, (e: unknown) =>
    finish({
      variant: task.variant,
      workload: task.workload?.name ?? '?',
      roundsMs: [],
      warmupMs: NaN,
      messageBytes: 0,
      peakRssMB: NaN,
      startRssMB: NaN,
      sampledPeakHeapMB: NaN,
      sampledPeakExternalMB: NaN,
      phasesMs: {},
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    }),
  );
}
