// `send-as-email check` as a person (or CI) runs it: the built tool dist/cli.js, which loads the caniemail bundle
// dist/check.js beside it on the first check only.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../support/root';

const root = projectRoot();
const cli = path.join(root, 'dist', 'cli.js');
const fixtures = path.join(root, 'test', 'fixtures', 'check');

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: fixtures,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'en_US.UTF-8', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonReport {
  file: string;
  issues: { id: string; severity: string; feature: string; clients: string[]; line: number | null; lineIn: string; message: string; fix: string }[];
  clients: string[];
  untested: string[];
  dataDate: string;
}

describe('send-as-email check', function () {
  this.timeout(60000);

  it('exit 1 with errors: the newsletter\'s background image, cid: background and flex layout, at their source lines', () => {
    const r = run(['check', 'newsletter.md']);
    assert.strictEqual(r.code, 1, r.err);
    assert.match(r.out, /^newsletter\.md: 3 errors, \d+ warnings\./);
    assert.match(r.out, /newsletter\.md:7: error \[caniemail:css-background-image\] background-image is not supported by Outlook \(Windows\)\./);
    assert.match(r.out, /newsletter\.md:7: error \[css-cid-background\]/);
    assert.match(r.out, /newsletter\.md:10: error \[caniemail:css-display-flex\]/);
    assert.match(r.out, /Fix: Lay out columns with a table/);
    assert.match(r.out, /Not in the caniemail data, so not checked: QQ Mail, NetEase Mail \(163\), Foxmail\./);
  });

  it('exit 0 when there are only warnings', () => {
    for (const file of ['clean.md', 'clean.html']) {
      const r = run(['check', file]);
      assert.strictEqual(r.code, 0, `${file}: ${r.out}${r.err}`);
      assert.match(r.out, new RegExp(`^${file.replace('.', '\\.')}: 0 errors`));
    }
  });

  it('--format json: the issues with severity, feature, clients, line, message and fix', () => {
    const r = run(['check', 'newsletter.md', '--format', 'json', '--clients', 'outlook.windows,thunderbird']);
    assert.strictEqual(r.code, 1, r.err);
    const report = JSON.parse(r.out) as JsonReport;
    assert.deepStrictEqual(report.clients, ['Outlook (Windows)', 'Thunderbird']);
    assert.deepStrictEqual(report.untested, ['QQ Mail', 'NetEase Mail (163)', 'Foxmail']);
    const errors = report.issues.filter((i) => i.severity === 'error').map((i) => [i.id, i.feature, i.clients, i.line, i.lineIn]);
    assert.deepStrictEqual(errors, [
      ['caniemail:css-background-image', 'background-image', ['Outlook (Windows)'], 7, 'source'],
      ['css-cid-background', 'CSS background from a cid: image', ['Thunderbird'], 7, 'source'],
      ['caniemail:css-display-flex', 'display:flex', ['Outlook (Windows)'], 10, 'source'],
    ]);
    for (const issue of report.issues) {
      for (const key of ['severity', 'feature', 'clients', 'line', 'message', 'fix']) assert.ok(key in issue, `${issue.id} has no ${key}`);
      assert.ok(issue.message.length > 0 && issue.fix.length > 0);
    }
  });

  it('--clients limits the report: Apple Mail alone has no error here (exit 0)', () => {
    const r = run(['check', 'newsletter.md', '--clients', 'apple-mail', '--format', 'json']);
    assert.strictEqual(r.code, 0, r.out);
    const report = JSON.parse(r.out) as JsonReport;
    assert.deepStrictEqual(report.clients, ['Apple Mail (macOS)', 'Apple Mail (iOS)']);
    assert.ok(report.issues.every((i) => i.severity === 'warning'));
  });

  it('switches rules off from a settings file (sendAsEmail.check.disable)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-check-'));
    try {
      const settings = path.join(dir, 'settings.json');
      fs.writeFileSync(settings, JSON.stringify({ 'sendAsEmail.check.disable': ['css-background-image', 'css-cid-background', 'caniemail:css-display-flex'] }));
      const r = run(['check', 'newsletter.md', '--settings', settings]);
      assert.strictEqual(r.code, 0, r.out);
      assert.doesNotMatch(r.out, /css-display-flex\]|css-cid-background|css-background-image\]/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit 2 for bad input: no file, a missing file, an unknown client, an unknown format', () => {
    const cases: [string[], RegExp][] = [
      [['check'], /Name the Markdown or HTML file/],
      [['check', 'nothere.md'], /Cannot read .*nothere\.md/],
      [['check', 'clean.md', '--clients', 'gmail,qqmail'], /unknown client "qqmail"/],
      [['check', 'clean.md', '--format', 'xml'], /--format must be text or json, got "xml"/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, message);
    }
  });

  it('speaks Chinese with LANG=zh_CN.UTF-8, and says the data has no QQ Mail, 163 or Foxmail', () => {
    const r = run(['check', 'newsletter.md'], { LANG: 'zh_CN.UTF-8', NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.strictEqual(r.code, 1, r.err);
    assert.match(r.out, /caniemail 数据中没有、因此未检查：QQ 邮箱、网易邮箱（163）、Foxmail。/);
    assert.match(r.out, /newsletter\.md:10: 错误 \[caniemail:css-display-flex\] display:flex 不受 Outlook \(Windows\) 支持。/);
  });

  it('loads the caniemail bundle on the first check only: not in the extension or the tool\'s own bundle', async () => {
    const check = fs.readFileSync(path.join(root, 'dist', 'check.js'), 'utf8');
    assert.ok(check.includes('caniemail.com/features'), 'dist/check.js carries the data');
    for (const bundle of ['extension.js', 'cli.js']) {
      const text = fs.readFileSync(path.join(root, 'dist', bundle), 'utf8');
      assert.ok(!text.includes('caniemail.com/features'), `dist/${bundle} carries the caniemail data`);
    }
    // In a fresh process: importing the tool loads no check.js; running check does.
    const probe = [
      `const cli = require(${JSON.stringify(cli)});`,
      `const engine = require('path').join(${JSON.stringify(path.join(root, 'dist'))}, 'check.js');`,
      'const before = engine in require.cache;',
      'const io = { out() {}, err() {}, env: {}, cwd: ' + JSON.stringify(fixtures) + ' };',
      "cli.main(['check', 'clean.html'], io).then((code) => console.log(JSON.stringify({ before, after: engine in require.cache, code })));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    assert.deepStrictEqual(JSON.parse(r.stdout), { before: false, after: true, code: 0 }, r.stderr);
  });
});
