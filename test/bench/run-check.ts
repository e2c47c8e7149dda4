/**
 * Child process: the recipients check on the newsletter (see lib/check.ts). Composes as the preview does, then times
 * the load of check.js, the first check and the warm ones. Forked by bench.ts.
 */
import { promises as fs } from 'fs';
import { performance } from 'perf_hooks';
import { checkMessage } from '../../src/core/check/checkMessage';
import { loadEngine } from '../../src/core/check/loadEngine';
import { composePreview } from '../../src/core/message/compose';
import { defaultSettings } from '../../src/core/settings';
import type { CheckResult, CheckTask } from './lib/check';
import { FROM } from './lib/workloads';

async function main(): Promise<CheckResult> {
  const task = JSON.parse(process.argv[2] ?? '{}') as CheckTask;
  const settings = defaultSettings();
  settings.from = FROM;
  const text = await fs.readFile(task.workload.doc, 'utf8');
  const composed = await composePreview({ path: task.workload.doc, text }, { settings, workspaceFolders: [task.workload.dir], lenient: true });
  const input = {
    html: composed.html,
    sourceText: text,
    sourceKind: 'markdown' as const,
    messageSize: composed.size,
    inlineImages: composed.inlineImages.map((img) => ({ name: img.filename, size: img.size, sourceLine: img.refs[0]?.line })),
  };
  const rssBeforeMB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  loadEngine(task.engineDir);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const first = await checkMessage(input, { engineDir: task.engineDir });
  const firstCheckMs = performance.now() - t1;
  // As the preview checks after an edit of the text: each round's HTML differs by a word, its tags are the same.
  const engine = loadEngine(task.engineDir);
  const warmMs: number[] = [];
  const coldMs: number[] = [];
  for (let i = 0; i < task.rounds; i++) {
    const edited = { ...input, html: input.html.replace('</h1>', ` ${i}</h1>`) };
    let t = performance.now();
    await checkMessage(edited, { engineDir: task.engineDir });
    warmMs.push(performance.now() - t);
    // Without the results remembered from the last check: an edit that adds a new kind of tag or style.
    engine.forgetResults();
    t = performance.now();
    await checkMessage(edited, { engineDir: task.engineDir });
    coldMs.push(performance.now() - t);
  }
  return {
    htmlBytes: Buffer.byteLength(composed.html),
    issues: first.issues.length,
    errors: first.issues.filter((i) => i.severity === 'error').length,
    loadMs,
    firstCheckMs,
    warmMs,
    coldMs,
    rssBeforeMB,
    rssAfterMB: process.memoryUsage().rss / 1024 / 1024,
  };
}

main().then(
  (result) => process.send?.(result, () => process.exit(0)),
  (e: unknown) =>
    process.send?.({ htmlBytes: 0, issues: 0, errors: 0, loadMs: NaN, firstCheckMs: NaN, warmMs: [], coldMs: [], rssBeforeMB: NaN, rssAfterMB: NaN, error: String(e instanceof Error ? e.stack : e) }, () =>
      process.exit(0),
    ),
);
