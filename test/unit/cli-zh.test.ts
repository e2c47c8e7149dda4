// The built command-line tool in Chinese (LANG=zh_CN.UTF-8), as a person runs it: --help, and build's errors for a
// missing image (naming the file and its line), a bad address and a missing sender.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../support/root';

const CJK = /[\u4e00-\u9fff]/;

describe('command-line tool in Chinese', function () {
  this.timeout(30_000);
  const bin = path.join(projectRoot(), 'bin', 'send-as-email.js');
  let dir: string;

  function run(args: string[]): { code: number | null; out: string; err: string } {
    const env = { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8', NODE_DISABLE_COMPILE_CACHE: '1' };
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-zh-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--help is in Chinese', () => {
    const r = run(['--help']);
    assert.strictEqual(r.code, 0);
    assert.match(r.out.split('\n')[0]!, /^用法：send-as-email/);
    const prose = r.out.split('\n').filter((l) => /[a-z]{4,} [a-z]{4,} [a-z]{4,}/.test(l) && !CJK.test(l));
    assert.deepStrictEqual(prose, [], 'lines of English prose left in --help');
  });

  it('build names a missing image, its file and line, in Chinese (exit 2)', () => {
    fs.writeFileSync(path.join(dir, 'alert.md'), `---\nsubject: ATECenter预警12345\nfrom: '"ATE系统" <12345@qq.com>'\nto: ops@example.com\n---\n\n# 预警\n\n![chart](images/chart.png)\n`);
    const r = run(['build', 'alert.md']);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, CJK, r.err);
    assert.ok(r.err.includes('images/chart.png'), r.err);
    assert.match(r.err, /第 ?9 ?行/, r.err);
  });

  it('build names a bad address in Chinese', () => {
    fs.writeFileSync(path.join(dir, 'bad.md'), `---\nsubject: 测试\nfrom: '"ATE系统" <12345@qq.com>'\nto: not-an-address\n---\n\n正文\n`);
    const r = run(['build', 'bad.md']);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, CJK, r.err);
    assert.ok(r.err.includes('not-an-address'), r.err);
  });

  it('build says the sender is missing, in Chinese', () => {
    fs.writeFileSync(path.join(dir, 'nofrom.md'), '---\nsubject: 测试\nto: ops@example.com\n---\n\n正文\n');
    const r = run(['build', 'nofrom.md']);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, CJK, r.err);
    assert.match(r.err, /发件人/, r.err);
  });
});
