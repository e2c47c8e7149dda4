// Entry point the extension host loads through extensionTestsPath (code-server driver and @vscode/test-electron alike).
// Runs every *.test.js next to this file with mocha (BDD), foundation.test.js first so that it sees the extension
// before anything activated it (then walkthrough.test.js, see FIRST), and writes the counts to SAE_RESULTS_FILE for the driver and test/run-all.sh.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export interface IntegrationResults {
  passed: number;
  failed: number;
  pending: number;
  total: number;
  failures: { title: string; error: string }[];
}

/**
 * Files that run first, in this order. foundation sees the extension before anything activated it. walkthrough runs
 * next, before any other test opens a preview or sends: VS Code never ticks off a walkthrough step whose context key
 * is already set when the walkthrough registers (it counts the event as seen), and in this host it registers only
 * when the walkthrough is first opened.
 */
const FIRST = ['foundation.test.js', 'walkthrough.test.js'];
/** Files of the suite that runs in a host whose display language is Chinese (SAE_LOCALE=zh-cn). */
const ZH_SUFFIX = '.zh-cn.test.js';

/**
 * Test files in load order: foundation first, then the others alphabetically. With SAE_LOCALE set (a host started in
 * that display language) only the files written for that language run; otherwise only the others.
 */
export function testFiles(dir: string, locale = process.env.SAE_LOCALE): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && f.endsWith(ZH_SUFFIX) === (locale === 'zh-cn'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => path.join(dir, f));
}

/** Where a file runs: those of FIRST in their order, then the others. */
function rank(file: string): number {
  const i = FIRST.indexOf(file);
  return i === -1 ? FIRST.length : i;
}

function writeResults(results: IntegrationResults): void {
  const file = process.env.SAE_RESULTS_FILE;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 1));
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

export function run(): Promise<void> {
  // forbidOnly: a stray .only would silently skip every other test (the lint rule catches it too).
  // SAE_GREP: only the tests whose full title matches (a quicker run while working on some of them).
  const grep = process.env.SAE_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', forbidOnly: true, ...(grep ? { grep } : {}) });
  const failures: IntegrationResults['failures'] = [];
  try {
    for (const f of testFiles(__dirname)) mocha.addFile(f);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  return new Promise((resolve, reject) => {
    const done = (results: IntegrationResults): void => {
      writeResults(results);
      console.log(`[integration] ${results.passed} passed, ${results.failed} failed, ${results.pending} pending`);
      if (results.failed > 0) reject(new Error(`${results.failed} integration test(s) failed`));
      else if (results.total === 0) reject(new Error('No integration tests ran'));
      else resolve();
    };
    try {
      const runner = mocha.run(() => {
        const s = runner.stats;
        const passed = s?.passes ?? 0;
        const failed = s?.failures ?? failures.length;
        const pending = s?.pending ?? 0;
        done({ passed, failed, pending, total: passed + failed + pending, failures });
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
        failures.push({ title: test.fullTitle(), error: errorText(err) });
      });
    } catch (err) {
      // A test file that throws while loading: report it as one failure rather than no results at all.
      done({ passed: 0, failed: 1, pending: 0, total: 1, failures: [{ title: 'loading integration test files', error: errorText(err) }] });
    }
  });
}
