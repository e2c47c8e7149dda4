/**
 * The benchmark workload "merge 1,000": a 3-image newsletter and a 1,000-row CSV sent to the loopback smtp-server with
 * no rate limit (planMerge + runMerge: each row composed, stored in the outbox, sent over one connection, recorded),
 * beside a plain nodemailer pooled transport (one connection) sending the same 1,000 messages built from the same HTML
 * and image files. Also: peak memory (maxRSS of the process) at 1,000 rows against 100 rows (ours, and the floor's for
 * comparison), and the dry run (every row rendered and sized) of 1,000 rows. Each measurement is a fresh child
 * process. Measures, never asserts.
 *
 *   node out/test/bench/run-merge.js [--rows 1000] [--rounds 3] [--dir /dev/shm]
 *   node out/test/bench/run-merge.js --prepare DIR [--rows N]; node --cpu-prof out/test/bench/run-merge.js --child ours --root DIR --rows N --port P
 */
import { fork } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { parseArgs } from 'util';
import { makePng } from './lib/png';
import { Prng } from './lib/prng';
import { startDiscardServer } from './lib/server';

type Kind = 'ours' | 'floor' | 'dry';
interface ChildResult {
  ms: number;
  maxRssMb: number;
  messages: number;
  /** Heap still used after the run and a full garbage collection (what the run keeps). */
  heapAfterGcMb?: number;
}

const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger', 'Radia'];

async function makeWorkload(root: string, rows: number[]): Promise<void> {
  const prng = new Prng(15);
  await fs.mkdir(path.join(root, 'images'), { recursive: true });
  for (let i = 1; i <= 3; i++) await fs.writeFile(path.join(root, 'images', `img${i}.png`), makePng(prng, 60 * 1024).png);
  const paragraph = 'This month we shipped a faster preview, a calmer outbox and many small fixes. '.repeat(6);
  const doc = [
    '---',
    'to: "{{name}} <{{email}}>"',
    'subject: "Newsletter for {{name}}"',
    '---',
    '# Hello {{name}}',
    '',
    paragraph,
    '',
    '![Chart](images/img1.png)',
    '',
    '## What is new, {{name}}',
    '',
    paragraph,
    '',
    '![Team](images/img2.png)',
    '',
    `| Item | Value |\n|---|---|\n| Your id | {{id}} |\n| Plan | {{plan}} |`,
    '',
    '![Footer](images/img3.png)',
    '',
  ].join('\n');
  await fs.writeFile(path.join(root, 'newsletter.md'), doc);
  for (const n of rows) {
    const lines = ['name,email,id,plan'];
    for (let i = 1; i <= n; i++) lines.push(`${NAMES[i % NAMES.length]} ${i},reader${i}@example.com,${i},${i % 3 === 0 ? 'pro' : 'free'}`);
    await fs.writeFile(path.join(root, `people-${n}.csv`), lines.join('\n') + '\n');
  }
}

async function child(kind: Kind, root: string, rows: number, port: number): Promise<ChildResult> {
  const { planMerge } = await import('../../src/core/merge/plan');
  const { runMerge } = await import('../../src/core/merge/run');
  const { defaultSettings } = await import('../../src/core/settings');
  const settings = defaultSettings();
  settings.from = 'Bench <bench@example.com>';
  const docPath = path.join(root, 'newsletter.md');
  const text = await fs.readFile(docPath, 'utf8');
  const compose = { settings, workspaceFolders: [root] };
  const target = { ...settings.smtp, host: '127.0.0.1', port, security: 'none' as const, timeoutSeconds: 30 };
  const data = { path: path.join(root, `people-${rows}.csv`) };
  if (kind === 'floor') {
    // The same HTML and images: row 1 composed by us once, outside the timing; each row's name put into it.
    const plan = await planMerge({ documentPath: docPath, text, data, compose });
    const first = await plan.renderRow(1);
    const name1 = 'Linus 1';
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({ pool: true, maxConnections: 1, host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const csv = (await fs.readFile(data.path, 'utf8')).trim().split('\n').slice(1);
    const t0 = performance.now();
    for (const line of csv) {
      const [name, email] = line.split(',');
      await transport.sendMail({
        from: settings.from,
        to: `${name} <${email}>`,
        subject: `Newsletter for ${name}`,
        html: first.html.split(name1).join(name),
        text: first.text.split(name1).join(name),
        attachments: first.inlineImages.map((img) => ({ path: img.source, cid: img.cid, filename: img.filename, contentDisposition: 'inline' as const })),
      });
    }
    const ms = performance.now() - t0;
    transport.close();
    return { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, messages: csv.length };
  }
  // Warm-up, outside the timing as the floor's is: the modules a first compose loads (marked, cheerio, juice, mustache,
  // csv-parse), once per process.
  await (await planMerge({ documentPath: docPath, text, data: { path: path.join(root, 'people-warmup.csv') }, compose })).renderRow(1);
  const t0 = performance.now();
  const plan = await planMerge({ documentPath: docPath, text, data, compose });
  if (kind === 'dry') {
    for (const r of plan.rows) await plan.previewRow(r.row);
    return { ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024, messages: plan.rows.length };
  }
  const outboxDir = await fs.mkdtemp(path.join(root, 'outbox-'));
  const outcome = await runMerge(plan, { target, outboxDir });
  const ms = performance.now() - t0;
  await fs.rm(outboxDir, { recursive: true, force: true });
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfterGcMb = Math.round(process.memoryUsage().heapUsed / 1024 / 102.4) / 10;
  return { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, messages: outcome.accepted, heapAfterGcMb };
}

function runChild(kind: Kind, root: string, rows: number, port: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = fork(__filename, ['--child', kind, '--root', root, '--rows', String(rows), '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      execArgv: ['--expose-gc'],
    });
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`${kind} child exited ${code}`))));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function parent(rows: number, rounds: number, base: string): Promise<void> {
  // The outbox lives below it: its fsyncs cost what that file system's cost (tmpfs: nothing, a loaded disk: most).
  const root = await fs.mkdtemp(path.join(base, 'sae-bench-merge-'));
  const small = Math.max(1, Math.round(rows / 10));
  await makeWorkload(root, [rows, small]);
  await fs.copyFile(path.join(root, `people-${small}.csv`), path.join(root, 'people-warmup.csv'));
  const server = await startDiscardServer();
  const results: Record<string, ChildResult[]> = { ours: [], floor: [], dry: [], oursSmall: [], floorSmall: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternated, so a busy moment of the machine falls on both.
      results.ours.push(await runChild('ours', root, rows, server.port));
      results.floor.push(await runChild('floor', root, rows, server.port));
      results.oursSmall.push(await runChild('ours', root, small, server.port));
      results.floorSmall.push(await runChild('floor', root, small, server.port));
      results.dry.push(await runChild('dry', root, rows, server.port));
    }
  } finally {
    await server.close();
    await fs.rm(root, { recursive: true, force: true });
  }
  const ms = (k: string): number => median(results[k].map((x) => x.ms));
  const rss = (k: string): number => median(results[k].map((x) => x.maxRssMb));
  const report = {
    rows,
    rounds,
    dir: base,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10),
    oursMs: Math.round(ms('ours')),
    floorMs: Math.round(ms('floor')),
    ratio: Math.round((ms('ours') / ms('floor')) * 100) / 100,
    oursPerMessageMs: Math.round((ms('ours') / rows) * 100) / 100,
    peakRssMb: { [rows]: Math.round(rss('ours')), [small]: Math.round(rss('oursSmall')), floor: Math.round(rss('floor')), [`floor ${small}`]: Math.round(rss('floorSmall')) },
    rssGrowth: Math.round((rss('ours') / rss('oursSmall') - 1) * 1000) / 10 + '%',
    // The same measure for the plain nodemailer pool: how much of the growth is Node's own (V8 grows its heap lazily).
    floorRssGrowth: Math.round((rss('floor') / rss('floorSmall') - 1) * 1000) / 10 + '%',
    dryRunMs: Math.round(ms('dry')),
    heapAfterGcMb: { [rows]: results.ours.map((x) => x.heapAfterGcMb), [small]: results.oursSmall.map((x) => x.heapAfterGcMb) },
    all: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((x) => ({ ms: Math.round(x.ms), rss: Math.round(x.maxRssMb), n: x.messages }))])),
  };
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      root: { type: 'string' },
      rows: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      /** Where the workload and the outbox live (default: the system's temporary folder). */
      dir: { type: 'string', default: os.tmpdir() },
      port: { type: 'string' },
      /** Only write the workload into this folder (to profile a child by hand). */
      prepare: { type: 'string' },
    },
  });
  if (values.prepare) {
    await makeWorkload(values.prepare, [Number(values.rows), 100]);
    await fs.copyFile(path.join(values.prepare, 'people-100.csv'), path.join(values.prepare, 'people-warmup.csv'));
    return;
  }
  if (values.child) {
    const r = await child(values.child as Kind, values.root!, Number(values.rows), Number(values.port));
    process.stdout.write(JSON.stringify(r));
    return;
  }
  await parent(Number(values.rows), Number(values.rounds), values.dir);
}

void cli().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
