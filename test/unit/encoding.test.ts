import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode, isSendAsEmailError } from '../../src/core/errors';
import { decodeTextFile } from '../../src/core/source/textFile';
import { runCli as run } from '../support/cli';
import { parseMail } from '../support/mail';
import { projectRoot } from '../support/root';

/** GB18030 bytes, committed as they are: "预警" is D4 A4 BE AF, "✔" (beyond GBK) 81 37 BD 38. */
const GB18030_FIXTURE = path.join(projectRoot(), 'test', 'fixtures', 'encoding', 'gb18030.md');

describe('document encodings (command line)', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-encoding-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a GB18030 file read as UTF-8, naming the file and --encoding gb18030, and writes nothing', async () => {
    const bytes = fs.readFileSync(GB18030_FIXTURE);
    assert.ok(bytes.includes(Buffer.from([0xd4, 0xa4, 0xbe, 0xaf])) && bytes.includes(Buffer.from([0x81, 0x37, 0xbd, 0x38])), 'the fixture is GB18030');
    fs.copyFileSync(GB18030_FIXTURE, path.join(dir, 'alert.md'));
    const r = await run(['build', 'alert.md'], dir);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`${path.join(dir, 'alert.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not UTF-8 text \\(line 2 `));
    assert.match(r.err, /--encoding gb18030/);
    assert.ok(!fs.existsSync(path.join(dir, 'alert.eml')));
  });

  it('reads it with --encoding gb18030: the Chinese subject, sender and body arrive intact', async () => {
    fs.copyFileSync(GB18030_FIXTURE, path.join(dir, 'alert.md'));
    const r = await run(['build', 'alert.md', '--encoding', 'gb18030'], dir);
    assert.strictEqual(r.code, 0, r.err);
    const mail = await parseMail(fs.readFileSync(path.join(dir, 'alert.eml')));
    assert.strictEqual(mail.subject, '预警：机房温度过高');
    assert.deepStrictEqual(mail.from?.value.map((a) => [a.name, a.address]), [['监控系统', 'monitor@example.com']]);
    assert.strictEqual(mail.text?.replace(/\r\n/g, '\n'), '# 预警\n\n机房温度超过 35°C，费用 €12，状态 ✔。\n');
    assert.match(String(mail.html), /<h1 id="预警"[^>]*>预警<\/h1>/);
    assert.ok(!String(mail.html).includes('\uFFFD') && !mail.text?.includes('\uFFFD'));
  });

  it('refuses an unknown --encoding as a usage error naming it', async () => {
    fs.copyFileSync(GB18030_FIXTURE, path.join(dir, 'alert.md'));
    const r = await run(['build', 'alert.md', '--encoding', 'klingon-8'], dir);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /--encoding: unknown encoding "klingon-8"/);
  });

  it('honours UTF-16 and UTF-8 byte order marks, and never keeps the mark in the text', async () => {
    const md = '---\nsubject: 双字节 UTF-16\nfrom: a@example.com\nto: b@example.com\n---\nBody text.\n';
    fs.writeFileSync(path.join(dir, 'wide.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(md, 'utf16le')]));
    const wide = await run(['build', 'wide.md'], dir);
    assert.strictEqual(wide.code, 0, wide.err);
    assert.strictEqual((await parseMail(fs.readFileSync(path.join(dir, 'wide.eml')))).subject, '双字节 UTF-16');

    fs.writeFileSync(path.join(dir, 'bom.html'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<meta name="email:from" content="a@example.com"><p>Hello</p>')]));
    const bom = await run(['build', 'bom.html'], dir);
    assert.strictEqual(bom.code, 0, bom.err);
    const html = String((await parseMail(fs.readFileSync(path.join(dir, 'bom.eml')))).html);
    assert.ok(!html.includes('\uFEFF'), 'the byte order mark travelled in the HTML');
  });

  it('refuses a binary file (an image or a PDF renamed .md), naming the file', async () => {
    const png = fs.readFileSync(path.join(projectRoot(), 'test', 'fixtures', 'compose', 'ws', 'img', 'logo.png'));
    fs.writeFileSync(path.join(dir, 'picture.md'), png);
    const r1 = await run(['build', 'picture.md'], dir);
    assert.strictEqual(r1.code, 2);
    assert.match(r1.err, /picture\.md is not a text document: it looks like a PNG image/);
    fs.writeFileSync(path.join(dir, 'report.md'), '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1');
    const r2 = await run(['build', 'report.md', '--encoding', 'gb18030'], dir);
    assert.strictEqual(r2.code, 2);
    assert.match(r2.err, /report\.md is not a text document: it looks like a PDF file/);
    fs.writeFileSync(path.join(dir, 'nul.md'), Buffer.from('# Title\n\u0000\u0001 data\n', 'latin1'));
    const r3 = await run(['build', 'nul.md'], dir);
    assert.strictEqual(r3.code, 2);
    assert.match(r3.err, /nul\.md is not a text document: it looks like binary data/);
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')), []);
  });

  it('decodeTextFile names the encoding it was told when the bytes do not fit it', () => {
    assert.strictEqual(decodeTextFile(Buffer.from([0xa4, 0xa4, 0xa4, 0xe5]), 'big5.md', 'big5'), '中文');
    assert.throws(
      () => decodeTextFile(Buffer.from([0x82, 0xa0, 0xff]), 'sjis.md', 'shift_jis'),
      (e: unknown) => isSendAsEmailError(e, ErrorCode.DOCUMENT_NOT_TEXT) && e.message === 'sjis.md is not valid shift_jis text.',
    );
  });
});
