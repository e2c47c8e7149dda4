// Runs the integration suite in a real VS Code extension host, offline:
// code-server (VS Code 1.100.3 server build, remote Node extension host) opened in headless Debian Chromium
// through playwright-core. Started by test/host/run.sh (inside a loopback-only network namespace when possible).
//
// Exit code: the extension host's test exit code; non-zero when no results were written, when none ran,
// when code-server or the browser did not start (3), or on timeout (124).
// Env: SAE_TIMEOUT_MS (default 600000), SAE_RESULTS_FILE (default .test-results/host/results.json),
//      SAE_CHROMIUM (default /usr/bin/chromium), SAE_VERBOSE=1 (all workbench output), SAE_CS_LOG (code-server log level).
// Passed to the extension host: SAE_RESULTS_FILE, SAE_DRIVER_PORT (screenshot endpoint), SAE_PROJECT_ROOT.
// It writes a run folder in the system temp folder (sae-cs-<pid>-XXXXXX: fresh per run, removed after a pass, kept
// after a failure) and .test-results/host/ (SAE_ARTIFACTS_DIR: code-server.log, server and workbench logs, browser console, screenshots).
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import util from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXT_TESTS_PATH = path.join(ROOT, 'out/test/integration/index');
const FIXTURE = path.join(ROOT, 'test/fixtures/workspace');
// A second folder with its own settings: the host opens a multi-root workspace, so per-folder settings are tested.
const FIXTURE_SECOND = path.join(ROOT, 'test/fixtures/second');
// The run folder (home, runtime and temp folders, user data, the workspace copy) is a short mkdtemp in the system
// temp folder, wherever the project is cloned: Chromium and code-server put Unix sockets below it, and a socket path
// may not exceed 107 bytes. Per run (the driver's pid in the name): two runs at once do not collide.
const RUN_PREFIX = 'sae-cs-';
const RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), `${RUN_PREFIX}${process.pid}-`));
const ART_DIR = path.resolve(ROOT, process.env.SAE_ARTIFACTS_DIR ?? '.test-results/host');
const WORKSPACE = path.join(RUN_DIR, 'workspace');
const SECOND = path.join(RUN_DIR, 'second');
const WORKSPACE_FILE = path.join(RUN_DIR, 'fixture.code-workspace');
const CS_ENTRY = path.join(ROOT, 'test/host/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.SAE_TIMEOUT_MS ?? 600_000);
const RESULTS_FILE = path.resolve(ROOT, process.env.SAE_RESULTS_FILE ?? path.join(ART_DIR, 'results.json'));
const VERBOSE = !!process.env.SAE_VERBOSE;

const t0 = Date.now();
const log = (...a) => console.log(`[driver +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// ---- isolated, fresh run folder; this process and its children write nothing outside the project.
// Folders of earlier runs whose driver is gone are removed (a failed run keeps its folder until then).
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
for (const d of fs.readdirSync(os.tmpdir())) {
  const m = /^sae-cs-(\d+)-\w+$/.exec(d);
  if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
}
fs.rmSync(path.join(ROOT, '.vscode-test-run'), { recursive: true, force: true }); // where earlier versions ran
fs.rmSync(ART_DIR, { recursive: true, force: true });
fs.rmSync(RESULTS_FILE, { force: true });
const home = path.join(RUN_DIR, 'home');
const isolatedEnv = {
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, '.config'),
  XDG_DATA_HOME: path.join(home, '.local/share'),
  XDG_CACHE_HOME: path.join(home, '.cache'),
  XDG_RUNTIME_DIR: path.join(RUN_DIR, 'runtime'),
  TMPDIR: path.join(RUN_DIR, 'tmp'), // os.tmpdir() here (playwright's browser profile) and in the extension host
};
for (const d of [...Object.values(isolatedEnv), path.join(RUN_DIR, 'user-data/User'), ART_DIR]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
Object.assign(process.env, isolatedEnv);
fs.cpSync(FIXTURE, WORKSPACE, { recursive: true });
fs.cpSync(FIXTURE_SECOND, SECOND, { recursive: true });
fs.writeFileSync(WORKSPACE_FILE, JSON.stringify({ folders: [{ path: 'workspace' }, { path: 'second' }], settings: {} }, null, 2));
fs.writeFileSync(path.join(RUN_DIR, 'user-data/User/settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false, 'workbench.enableExperiments': false, 'update.mode': 'none',
  'extensions.ignoreRecommendations': true, 'workbench.tips.enabled': false, 'git.enabled': false,
  'security.workspace.trust.enabled': false,
}, null, 1));
fs.writeFileSync(path.join(RUN_DIR, 'config.yaml'), 'auth: none\ncert: false\n');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }).on('error', reject);
  });
}
async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => http.get(url, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${ms} ms`);
}
const withTimeout = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);

let server, browser, page, shotServer, consoleLog;
let exiting = false;
let resolveExit = () => {};
const exitPromise = new Promise((r) => { resolveExit = r; });

/**
 * A display language other than English needs a language pack installed, or VS Code falls back to English. Offline
 * there is none to download, so a fixture pack (test/host/language-pack-<locale>: no translations of VS Code itself)
 * is packaged and installed into this run's extensions folder: VS Code then runs in that language and hands each
 * extension its own bundle for it.
 */
function installLanguagePack(locale) {
  const fixture = path.join(ROOT, 'test/host', `language-pack-${locale}`);
  const vsix = path.join(RUN_DIR, `language-pack-${locale}.vsix`);
  const run = (args, cwd) => {
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  run([path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], fixture);
  run([CS_ENTRY, '--user-data-dir', path.join(RUN_DIR, 'user-data'), '--extensions-dir', path.join(RUN_DIR, 'extensions'), '--install-extension', vsix], ROOT);
  // The server reads the installed packs from languagepacks.json, which a command-line install does not write.
  const manifest = JSON.parse(fs.readFileSync(path.join(fixture, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const installed = path.join(RUN_DIR, 'extensions', `${id}-${manifest.version}`);
  const packs = {
    [locale]: {
      hash: crypto.createHash('md5').update(id).update(manifest.version).digest('hex'),
      extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
      translations: { vscode: path.join(installed, 'translations/main.i18n.json') },
      label: manifest.contributes.localizations[0].localizedLanguageName,
    },
  };
  fs.writeFileSync(path.join(RUN_DIR, 'user-data', 'languagepacks.json'), JSON.stringify(packs));
  log(`installed the ${locale} language pack fixture`);
}

async function finish(code, why) {
  if (exiting) return;
  exiting = true;
  log(`finishing: ${why} -> exit ${code}`);
  await withTimeout(browser?.close().catch((e) => log('browser close error:', e.message)), 15_000);
  shotServer?.close();
  if (server?.pid) { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ } }
  await new Promise((r) => setTimeout(r, 700));
  if (server?.pid) { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ } }
  try { fs.cpSync(path.join(RUN_DIR, 'user-data/logs'), path.join(ART_DIR, 'server-logs'), { recursive: true }); } catch { /* no logs */ }
  // Kept after a failure (the workspace copy and user data help to debug it), removed after a pass.
  const keep = code !== 0 || !!process.env.SAE_KEEP_RUN;
  try { fs.rmSync(keep ? isolatedEnv.TMPDIR : RUN_DIR, { recursive: true, force: true }); } catch { /* best effort */ }
  if (keep) log(`run folder kept: ${RUN_DIR}`);
  if (consoleLog !== undefined) fs.closeSync(consoleLog);
  process.exit(code);
}
process.on('SIGINT', () => void finish(130, 'SIGINT'));
process.on('SIGTERM', () => void finish(143, 'SIGTERM'));
process.on('unhandledRejection', (e) => void finish(3, `unhandled error: ${e?.stack ?? e}`));

// One watchdog over the whole run: startup, page load and the tests.
const watchdog = setTimeout(async () => {
  log(`TIMEOUT after ${TIMEOUT_MS} ms (SAE_TIMEOUT_MS)`);
  if (page) await withTimeout(page.screenshot({ path: path.join(ART_DIR, 'timeout.png') }).catch(() => {}), 10_000);
  if (page) resolveExit(124); else void finish(124, 'timeout before the workbench opened');
}, TIMEOUT_MS);

/** Resolves a screenshot target: `path` relative to the project root (must stay inside it), else .test-results/host/<name>.png. */
function shotTarget(u) {
  const name = (u.searchParams.get('name') || 'screenshot').replace(/[^\w.-]/g, '_');
  const rel = u.searchParams.get('path');
  const file = rel ? path.resolve(ROOT, rel) : path.join(ART_DIR, `${name}.png`);
  if (file !== ROOT && !file.startsWith(ROOT + path.sep)) throw new Error(`path ${rel} is outside the project`);
  if (!file.endsWith('.png')) throw new Error(`path ${rel} does not end in .png`);
  return file;
}

async function answerJson(res, work) {
  try {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await work()));
  } catch (e) {
    log('request failed:', e.message);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(e.message);
  }
}

/** The workbench elements `selector` matches (not inside webviews): their text, the named attributes, whether they show. */
function readDom(selector, attrs) {
  if (!selector) throw new Error('no selector');
  return page.$$eval(selector, (els, names) => els.map((el) => ({
    text: el.textContent ?? '',
    visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length),
    attrs: Object.fromEntries(names.map((n) => [n, el.getAttribute(n)])),
  })), attrs);
}

/**
 * Clicks the visible element `selector` in whichever frame holds it (a webview's page too), then types `steps` with
 * the real keyboard, as fast as it goes: `{ press: 'Control+A' }` or `{ type: 'text' }`.
 */
async function typeInto(selector, steps) {
  if (!selector) throw new Error('no selector');
  let target = null;
  for (const frame of page.frames()) {
    const handle = await frame.$(selector).catch(() => null);
    if (handle && (await handle.isVisible())) { target = handle; break; }
  }
  if (!target) throw new Error(`no visible element ${selector} in any frame`);
  await target.click();
  for (const step of steps) {
    if (step.press) await page.keyboard.press(step.press);
    else if (typeof step.type === 'string') await page.keyboard.type(step.type);
  }
  return { steps: steps.length };
}

try {
  if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run `node esbuild.js` first');
  if (!fs.existsSync(`${EXT_TESTS_PATH}.js`)) throw new Error(`${EXT_TESTS_PATH}.js is missing: run \`node esbuild.js\` first`);
  if (!fs.existsSync(CS_ENTRY)) throw new Error('code-server is not installed: run test/host/run.sh');

  // 1. Loopback endpoint the tests (in the extension host) call to get the page screenshotted, to read the workbench's
  //    DOM (/dom) and to type with the real keyboard (/keys): what the extension API cannot observe or do.
  const shotPort = await freePort();
  shotServer = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!page) { res.writeHead(503).end('no page yet'); return; }
    if (u.pathname === '/dom') { await answerJson(res, () => readDom(u.searchParams.get('selector') ?? '', (u.searchParams.get('attrs') ?? '').split(',').filter(Boolean))); return; }
    if (u.pathname === '/keys') { await answerJson(res, () => typeInto(u.searchParams.get('selector') ?? '', JSON.parse(u.searchParams.get('steps') ?? '[]'))); return; }
    if (u.pathname !== '/screenshot') { res.writeHead(404).end('not found'); return; }
    try {
      const file = shotTarget(u);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
      log(`screenshot -> ${path.relative(ROOT, file)}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(file);
    } catch (e) {
      log('screenshot failed:', e.message);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(e.message);
    }
  });
  await new Promise((r) => shotServer.listen(shotPort, '127.0.0.1', r));

  // 2. code-server, in its own process group so that the whole tree can be killed at the end.
  if (process.env.SAE_LOCALE) installLanguagePack(process.env.SAE_LOCALE);
  const port = await freePort();
  const serverLog = fs.openSync(path.join(ART_DIR, 'code-server.log'), 'w');
  server = spawn(process.execPath, [CS_ENTRY,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(RUN_DIR, 'config.yaml'),
    '--user-data-dir', path.join(RUN_DIR, 'user-data'), '--extensions-dir', path.join(RUN_DIR, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--disable-proxy', '--ignore-last-opened', '--log', process.env.SAE_CS_LOG ?? 'info',
    ...(process.env.SAE_LOCALE ? ['--locale', process.env.SAE_LOCALE] : []),
  ], {
    detached: true,
    stdio: ['ignore', serverLog, serverLog],
    env: {
      ...process.env,
      EXTENSIONS_GALLERY: '{}', // no marketplace queries
      SAE_RESULTS_FILE: RESULTS_FILE,
      SAE_DRIVER_PORT: String(shotPort),
      SAE_PROJECT_ROOT: ROOT,
    },
  });
  fs.closeSync(serverLog);
  server.on('exit', (c, s) => { if (!exiting) void finish(3, `code-server exited early (${c ?? s}); see ${path.relative(ROOT, ART_DIR)}/code-server.log`); });
  log(`code-server pid ${server.pid} on 127.0.0.1:${port}`);
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 90_000);
  log('code-server is up');

  // 3. Headless Chromium from Debian (never a downloaded one).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-breakpad',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  consoleLog = fs.openSync(path.join(ART_DIR, 'browser-console.log'), 'w');
  page.on('pageerror', (e) => { fs.writeSync(consoleLog, `PAGE ERROR ${e.stack ?? e.message}\n`); if (VERBOSE) log('PAGE ERROR', e.message); });
  page.on('console', (m) => fs.writeSync(consoleLog, `[${m.type()}] ${m.text()}\n`));

  // Hooks the web workbench calls when it runs extension tests: the host's console, then its exit code.
  const noise = /^(Resolv|Creating a socket|Updating additional|\[Service Worker\]|ChatSessionStore|Ignoring fetching additional builtin|Started local extension host|Extension host agent|\[\d\d:\d\d:\d\d\])/;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = Array.isArray(args) ? util.format(...args) : String(args);
    if (VERBOSE || type === 'error' || !noise.test(line)) console.log(type === 'log' || type === 'info' ? line : `[host ${type}] ${line}`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    for (const l of logs ?? []) {
      const f = path.join(ART_DIR, 'workbench-logs', l.relativePath);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, l.contents);
    }
    resolveExit(code);
  });

  const authority = `127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
    ['extensionTestsPath', `vscode-remote://${authority}${EXT_TESTS_PATH}`],
    ['skipWelcome', 'true'],
  ];
  log(`opening the workbench on ${WORKSPACE_FILE} (fresh copies of test/fixtures/workspace and test/fixtures/second)`);
  await page.goto(`http://${authority}/?workspace=${encodeURIComponent(WORKSPACE_FILE)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
} catch (e) {
  await finish(3, `the host did not start: ${e?.message ?? e}`);
}

let code = await exitPromise;
clearTimeout(watchdog);
log(`extension host reported exit code ${code}`);
let results;
try { results = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')); } catch { /* none */ }
if (!results) {
  log(`the integration suite wrote no results (${path.relative(ROOT, RESULTS_FILE)}): failing`);
  if (code === 0) code = 1;
} else {
  for (const f of results.failures ?? []) console.log(`FAILED: ${f.title}\n  ${String(f.error).split('\n').slice(0, 6).join('\n  ')}`);
  if (results.total === 0) { log('the integration suite ran no tests: failing'); if (code === 0) code = 1; }
  if (results.failed > 0 && code === 0) code = 1;
  console.log(`${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
}
await finish(code, 'tests done');
