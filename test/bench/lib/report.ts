/** The benchmark's results: the JSON a script compares (.bench/results.json) and the table a person reads. */
import type { VariantResult } from './child';
import { CHECK_TARGET_MS, renderCheck, type CheckFigures } from './check';
import type { ExtensionFigures } from './extension';
import type { PreviewFigures } from './preview';
import type { ProfileSummary } from './profile';
import { round, summarize, type Summary } from './stats';
import type { WholeProcessResults } from './wholeProcess';
import type { Workload, WorkloadName } from './workloads';

export const TARGETS = {
  sendTimeRatio: 1.3,
  sendPeakRssRatio: 1.5,
  /** `send-as-email send` of the newsletter against a plain nodemailer script, whole process, wall and CPU time. */
  wholeProcessRatio: 1.3,
  longTextComposeMs: 1000,
  bundleRequireMs: 50,
  previewFirstRenderMs: 500,
  previewEditAfterDebounceMs: 200,
  /** The workloads the ratio targets apply to. */
  ratioWorkloads: ['newsletter', 'large'] as WorkloadName[],
};

export interface MeasuredVariant extends VariantResult {
  ms: Summary;
  /** With --cpu-prof: where the time went (warm-up round included). */
  profile?: ProfileSummary;
}

export interface Ratios {
  workload: WorkloadName;
  composeTime: number;
  composePeakRss: number;
  sendTime: number;
  sendPeakRss: number;
  /** Peak RSS above the child's starting RSS (node and bundle loaded): the memory the work itself took. */
  sendWorkRss: number;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  durationS: number;
  machine: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryGB: number;
    /** 1-minute load average when the run started and ended: other work on the machine makes the figures noisy. */
    loadAverage: { atStart: number; atEnd: number };
  };
  config: { rounds: number; largeRounds: number; warmupRounds: 1; seedBased: true };
  workloads: (Omit<Workload, 'dir' | 'doc' | 'floor'> & { file: string })[];
  results: MeasuredVariant[];
  ratios: Ratios[];
  server: { messages: number; bytes: number; greetsAtOnce: boolean };
  extension?: ExtensionFigures;
  extensionError?: string;
  preview?: PreviewFigures;
  /** The recipients check of the newsletter (lib/check.ts). */
  check?: CheckFigures;
  checkError?: string;
  /** The workload "merge 1,000" (run-merge.js): ours against a plain nodemailer pool, memory at 1,000 vs 100 rows, the dry run. */
  merge?: { rows: number; oursMs: number; floorMs: number; ratio: number; peakRssMb: Record<string, number>; rssGrowth: string; floorRssGrowth: string; dryRunMs: number };
  mergeError?: string;
  wholeProcess?: WholeProcessResults;
  wholeProcessError?: string;
  targets: typeof TARGETS;
  verdicts: { name: string; value: number | null; target: string; met: boolean | null }[];
}

const MB = 1024 * 1024;

function ms(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n < 10 ? n.toFixed(1) : String(Math.round(n));
}

/**
 * Sizes for the table's columns: whole KB below 1 MB, else MB with one decimal. Not src/core/format.ts's
 * formatBytes on purpose: no "bytes" unit and no KB decimals keep the columns short and aligned.
 */
function mb(bytes: number): string {
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

function x(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}x` : '-';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function find(results: MeasuredVariant[], workload: string, variant: string): MeasuredVariant | undefined {
  return results.find((r) => r.workload === workload && r.variant === variant && !r.error);
}

export function computeRatios(results: MeasuredVariant[], names: WorkloadName[]): Ratios[] {
  return names.map((workload) => {
    const get = (v: string): MeasuredVariant | undefined => find(results, workload, v);
    const ratio = (a: number | undefined, b: number | undefined): number => (a !== undefined && b !== undefined && b > 0 ? a / b : NaN);
    const [fc, oc, fs, os] = [get('floor-compose'), get('ours-compose'), get('floor-send'), get('ours-send')];
    return {
      workload,
      composeTime: ratio(oc?.ms.median, fc?.ms.median),
      composePeakRss: ratio(oc?.peakRssMB, fc?.peakRssMB),
      sendTime: ratio(os?.ms.median, fs?.ms.median),
      sendPeakRss: ratio(os?.peakRssMB, fs?.peakRssMB),
      sendWorkRss: ratio(os && os.peakRssMB - os.startRssMB, fs && fs.peakRssMB - fs.startRssMB),
    };
  });
}

export function verdicts(data: Omit<BenchResults, 'verdicts'>): BenchResults['verdicts'] {
  const out: BenchResults['verdicts'] = [];
  const check = (name: string, value: number | undefined, limit: number, unit: string): void => {
    const v = value !== undefined && Number.isFinite(value) ? value : null;
    out.push({ name, value: v === null ? null : round(v, 2), target: `≤ ${limit}${unit}`, met: v === null ? null : v <= limit });
  };
  for (const r of data.ratios.filter((r) => TARGETS.ratioWorkloads.includes(r.workload))) {
    check(`${r.workload}: compose+send time, ours / nodemailer`, r.sendTime, TARGETS.sendTimeRatio, 'x');
    check(`${r.workload}: compose+send peak RSS, ours / nodemailer`, r.sendPeakRss, TARGETS.sendPeakRssRatio, 'x');
  }
  for (const r of data.wholeProcess?.ratios ?? []) {
    const who = r.name === 'cli' ? 'send-as-email send' : `${r.name} send`;
    check(`${data.wholeProcess!.workload}: ${who}, whole process, CPU / nodemailer script`, r.cpu, TARGETS.wholeProcessRatio, 'x');
    check(`${data.wholeProcess!.workload}: ${who}, whole process, wall / nodemailer script`, r.wall, TARGETS.wholeProcessRatio, 'x');
  }
  const longText = find(data.results, 'longText', 'ours-compose');
  if (longText) check('longText: compose (ours), median', longText.ms.median, TARGETS.longTextComposeMs, ' ms');
  if (data.extension) check('extension bundle: require(), median', data.extension.requireMs.median, TARGETS.bundleRequireMs, ' ms');
  check('preview: first render of the newsletter (code-server)', data.preview?.firstRenderMs, TARGETS.previewFirstRenderMs, ' ms');
  check('preview: first render over a bare webview, same run', data.preview?.firstRenderOverBareMs, TARGETS.previewFirstRenderMs, ' ms');
  check('preview: newsletter edit re-rendered, after the debounce', data.preview?.editAfterDebounceMs, TARGETS.previewEditAfterDebounceMs, ' ms');
  if (data.check) {
    check('recipients check of the newsletter, each render, median', data.check.warmMs.median, CHECK_TARGET_MS, ' ms');
    check('recipients check, a new kind of tag, median', data.check.coldMs.median, CHECK_TARGET_MS, ' ms');
    check('recipients check, first one (load of check.js included)', data.check.firstAddedMs, CHECK_TARGET_MS, ' ms');
  }
  return out;
}

const VARIANT_LABEL: Record<string, string> = {
  'floor-compose': 'compose  nodemailer',
  'ours-compose': 'compose  ours',
  'floor-send': 'send     nodemailer',
  'ours-send': 'send     ours (+outbox)',
};

export function renderTable(data: BenchResults): string {
  const lines: string[] = [];
  const m = data.machine;
  lines.push(`Send as Email benchmark, ${data.startedAt}`);
  lines.push(`node ${m.node}, ${m.platform} ${m.arch}, ${m.cpus} x ${m.cpuModel}, ${m.memoryGB} GB, load average ${m.loadAverage.atStart} at start, ${m.loadAverage.atEnd} at end`);
  if (m.loadAverage.atStart > m.cpus / 2) {
    lines.push('Warning: the machine was busy with other work during the run; times are noisy. Run again on a quiet machine to compare.');
  }
  lines.push(
    `Each variant runs in its own process: 1 warm-up round (column "cold"), then ${data.config.rounds} measured rounds` +
      `${data.config.largeRounds !== data.config.rounds ? ` (large: ${data.config.largeRounds})` : ''}. Time: median [min-max] wall ms.`,
  );
  lines.push('Peak RSS: the process maxRSS (node itself included). Heap: highest heapUsed seen by a 5 ms sampler.');
  lines.push(
    `SMTP: smtp-server on 127.0.0.1, no TLS, no AUTH, data discarded, ${data.server.greetsAtOnce ? 'its 100 ms pre-greeting pause off' : 'WITH its 100 ms pre-greeting pause (in every send)'}.`,
  );
  lines.push('Floor: plain nodemailer given the HTML rendered beforehand and the image files as cid attachments (no rendering, inlining, outbox).');
  lines.push('');
  const header = `${pad('workload', 11)}${pad('input', 27)}${pad('variant', 25)}${lpad('time ms', 8)} ${pad('[min-max]', 14)}${lpad('cold', 7)}${lpad('peak RSS', 10)}${lpad('heap', 8)}${lpad('message', 10)}`;
  lines.push(header);
  lines.push('-'.repeat(header.length));
  for (const w of data.workloads) {
    const input = `${w.images} img ${mb(w.imageBytes)}, md ${mb(w.markdownBytes)}`;
    let first = true;
    for (const r of data.results.filter((r) => r.workload === w.name)) {
      const left = first ? `${pad(w.name, 11)}${pad(input, 27)}` : ' '.repeat(38);
      first = false;
      if (r.error) {
        lines.push(`${left}${pad(VARIANT_LABEL[r.variant] ?? r.variant, 25)}failed: ${r.error}`);
        continue;
      }
      lines.push(
        `${left}${pad(VARIANT_LABEL[r.variant] ?? r.variant, 25)}${lpad(ms(r.ms.median), 8)} ${pad(`[${ms(r.ms.min)}-${ms(r.ms.max)}]`, 14)}` +
          `${lpad(ms(r.warmupMs), 7)}${lpad(`${Math.round(r.peakRssMB)} MB`, 10)}${lpad(`${Math.round(r.sampledPeakHeapMB)} MB`, 8)}${lpad(mb(r.messageBytes), 10)}`,
      );
    }
  }
  const splits = data.results.filter((r) => r.variant === 'ours-send' && r.phasesMs.compose && r.phasesMs.deliver);
  if (splits.length > 0) {
    lines.push('');
    lines.push('send ours, median split: compose + deliver (outbox write with fsync, SMTP, outbox record)');
    for (const r of splits) {
      lines.push(`  ${pad(r.workload, 11)}${lpad(ms(summarize(r.phasesMs.compose!).median), 6)} ms + ${lpad(ms(summarize(r.phasesMs.deliver!).median), 6)} ms`);
    }
  }
  lines.push('');
  lines.push(
    `Ours / nodemailer floor (targets for ${TARGETS.ratioWorkloads.join(' and ')}: ` +
      `send time ≤ ${TARGETS.sendTimeRatio}x, send peak RSS ≤ ${TARGETS.sendPeakRssRatio}x)`,
  );
  const rh = `${pad('workload', 11)}${lpad('compose time', 13)}${lpad('compose RSS', 13)}${lpad('send time', 11)}${lpad('send RSS', 10)}${lpad('send RSS above start', 22)}`;
  lines.push(rh);
  lines.push('-'.repeat(rh.length));
  for (const r of data.ratios) {
    lines.push(
      `${pad(r.workload, 11)}${lpad(x(r.composeTime), 13)}${lpad(x(r.composePeakRss), 13)}${lpad(x(r.sendTime), 11)}${lpad(x(r.sendPeakRss), 10)}${lpad(x(r.sendWorkRss), 22)}`,
    );
  }
  lines.push('');
  lines.push(...renderWholeProcess(data));
  lines.push('');
  lines.push('Extension');
  const e = data.extension;
  if (e) {
    lines.push(
      `  production bundle (node esbuild.js --production, into a scratch folder): extension.js ${mb(e.productionBundleBytes)}, cli.js ${mb(e.productionCliBytes)}, built in ${ms(e.productionBuildMs)} ms`,
    );
    const top = e.bundleComposition.slice(0, 8).map((p) => `${p.name} ${mb(p.bytes)}`);
    lines.push(`  largest parts of extension.js (minified): ${top.join(', ')}`);
    if (e.devBundleBytes !== undefined) lines.push(`  development bundle dist/extension.js (not minified, for reference): ${mb(e.devBundleBytes)}`);
    lines.push(
      `  fresh node, vscode stubbed, ${e.loads} runs: require() ${ms(e.requireMs.median)} ms [${ms(e.requireMs.min)}-${ms(e.requireMs.max)}],` +
        ` activate() ${ms(e.activateMs.median)} ms [${ms(e.activateMs.min)}-${ms(e.activateMs.max)}], RSS after ${Math.round(e.rssAfterActivateMB.median)} MB,` +
        ` ${e.subscriptions} disposables registered`,
    );
    lines.push(
      `  modules evaluated: ${e.modulesEvaluatedAtRequire} by require(), ${e.modulesEvaluatedAtActivation} by activate(), of ${e.modulesInBundle} in the bundle`,
    );
    lines.push(`  packages evaluated at activation: ${e.packagesAtActivation.map((p) => `${p.name} (${p.modules})`).join(', ') || 'none'}`);
    lines.push(
      `  heavy packages evaluated at activation (juice, cheerio, marked, html-to-text, nodemailer SMTP/MIME, ...): ${
        e.heavyPackagesAtActivation.length === 0 ? 'none' : `${e.heavyPackagesAtActivation.join(', ')} (${e.heavyAtActivation.length} modules)`
      }`,
    );
    for (const h of e.heavyStaticImports) lines.push(`    ${h.from} imports ${h.imports} statically: load it on first use instead`);
    for (const err of e.errors) lines.push(`  note: ${err}`);
  } else {
    lines.push(`  not measured: ${data.extensionError ?? 'skipped'}`);
  }
  lines.push('');
  if (data.preview?.firstRenderMs !== undefined) {
    lines.push(`Preview first render: ${ms(data.preview.firstRenderMs)} ms ("${data.preview.key}" in ${data.preview.file}, written ${data.preview.writtenAt})`);
    if (data.preview.bareWebviewReadyMs !== undefined && data.preview.firstRenderOverBareMs !== undefined) {
      lines.push(
        `  beside a bare webview in the same host and run: ${ms(data.preview.bareWebviewReadyMs)} ms; ours adds ${ms(data.preview.firstRenderOverBareMs)} ms ` +
          `(${(data.preview.firstRenderMs / data.preview.bareWebviewReadyMs).toFixed(2)}x the bare webview)`,
      );
    }
    // `all` holds every number of the file; the raw lists (`all.*`) and per-round samples are left to the JSON.
    const others = Object.entries(data.preview.all).filter(([k]) => k !== data.preview!.key && !/\.(all|samples)\./.test(k));
    if (others.length > 0) lines.push(`  also: ${others.map(([k, v]) => `${k.replace(/^preview\./, '')} ${ms(v)}`).join(', ')}`);
  } else {
    lines.push('Preview first render: not measured (run npm test first)');
  }
  lines.push('');
  lines.push(...renderCheck(data.check, data.checkError));
  for (const r of data.results.filter((r) => r.profile)) {
    const p = r.profile!;
    lines.push('');
    lines.push(`CPU profile ${r.workload} / ${r.variant}: ${ms(p.totalMs)} ms sampled over ${r.roundsMs.length + 1} rounds, ${ms(p.idleMs)} ms of it idle (${p.file})`);
    lines.push('  by self time:');
    for (const e of p.bySelf.slice(0, 12)) lines.push(`    ${lpad(ms(e.selfMs), 7)} ms  ${e.name}`);
    if (p.ownByTotal.length > 0) lines.push('  our functions by total time (callees included):');
    for (const e of p.ownByTotal.slice(0, 12)) lines.push(`    ${lpad(ms(e.totalMs), 7)} ms  ${e.name}`);
    lines.push('  self time by file:');
    for (const f of p.byFile.slice(0, 8)) lines.push(`    ${lpad(ms(f.selfMs), 7)} ms  ${f.file}`);
  }
  lines.push('');
  lines.push('Targets (printed, not enforced)');
  for (const v of data.verdicts) {
    const status = v.met === null ? 'not measured' : v.met ? 'ok' : 'OVER';
    lines.push(`  ${pad(v.name, 58)}${lpad(v.value === null ? '-' : String(v.value), 10)}  ${pad(v.target, 9)} ${status}`);
  }
  return lines.join('\n');
}

/** The whole-process pairing: each command's medians, then its ratios to the nodemailer script. */
function renderWholeProcess(data: BenchResults): string[] {
  const w = data.wholeProcess;
  if (!w) return [`Whole process: not measured${data.wholeProcessError ? ` (${data.wholeProcessError})` : ''}`];
  const lines = [
    `Whole process, ${w.workload}: each command a fresh node process, in turn, ${w.rounds} rounds after 1 warm-up round` +
      ' (it writes the CLI code cache). Median [min-max]; CPU is user + system of the process itself.',
  ];
  const head = `${pad('command', 9)}${lpad('wall ms', 8)} ${pad('[min-max]', 14)}${lpad('CPU ms', 7)} ${pad('[min-max]', 14)}${lpad('peak RSS', 9)}  run`;
  lines.push(head);
  lines.push('-'.repeat(head.length + 20));
  for (const c of w.commands) {
    lines.push(
      `${pad(c.name, 9)}${lpad(ms(c.wallMs.median), 8)} ${pad(`[${ms(c.wallMs.min)}-${ms(c.wallMs.max)}]`, 14)}` +
        `${lpad(ms(c.cpuMs.median), 7)} ${pad(`[${ms(c.cpuMs.min)}-${ms(c.cpuMs.max)}]`, 14)}${lpad(`${Math.round(c.peakRssMB.median)} MB`, 9)}  ${c.command}`,
    );
  }
  for (const r of w.ratios) {
    lines.push(`${r.name} / nodemailer, median of the round-by-round ratios: wall ${x(r.wall)}, CPU ${x(r.cpu)} (target ≤ ${TARGETS.wholeProcessRatio}x)`);
  }
  return lines;
}
