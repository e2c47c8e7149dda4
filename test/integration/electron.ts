// `npm run test:electron`: the same integration suite under @vscode/test-electron, for machines that can download
// VS Code (desktop Electron build; on Linux without a display run it under xvfb-run). The offline harness that
// `npm test` uses is test/host/run.sh (code-server + headless Chromium).
// Env: SAE_VSCODE_VERSION (default: the engine's minimum, 1.100.3; "stable" for the latest), SAE_RESULTS_FILE.
import * as fs from 'fs';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  // Bundled to out/test/integration/electron.js.
  const root = path.resolve(__dirname, '../../..');
  const runDir = path.join(root, '.vscode-test-run/electron');
  const workspace = path.join(runDir, 'workspace');
  const resultsFile = path.resolve(root, process.env.SAE_RESULTS_FILE ?? '.test-results/electron/results.json');
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.rmSync(resultsFile, { force: true });
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });

  let code = 0;
  try {
    await runTests({
      version: process.env.SAE_VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/index'),
      extensionTestsEnv: { SAE_RESULTS_FILE: resultsFile, SAE_PROJECT_ROOT: root },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(runDir, 'user-data')}`,
      ],
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    code = 1;
  }

  let results: { passed: number; failed: number; pending: number; total: number } | undefined;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    console.error(`The integration suite wrote no results to ${resultsFile}`);
    return 1;
  }
  if (!results || results.total === 0) {
    console.error('The integration suite ran no tests');
    return 1;
  }
  console.log(`${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  return results.failed > 0 ? 1 : code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
