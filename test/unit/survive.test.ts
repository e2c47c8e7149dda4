// Issue 14, "make the message survive": SVG images sent as PNG, a WebP warning held to the caniemail data, fenced code
// highlighted with inline colours, and <html lang>, color-scheme and alt on every message.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { imageSize } from 'image-size';
import { load } from 'cheerio';
import { simpleParser, type ParsedMail } from 'mailparser';
import { composeMessage, composeMessageStream, composePreview } from '../../src/core/message/compose';
import { ErrorCode } from '../../src/core/errors';
import { defaultSettings, type EmailSettings, HIGHLIGHT_THEMES } from '../../src/core/settings';
import type { ComposeOptions } from '../../src/core/types';
import { rejectsWith } from '../support/fixtures';
import { projectRoot } from '../support/root';

const CHART_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#0099cc"/>' +
  '<text x="8" y="26" font-family="Arial" font-size="16" fill="#fff">Q1 sales</text></svg>';
const VIEWBOX_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><circle cx="150" cy="75" r="60" fill="#c33"/></svg>';
const HUGE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="1500"><rect width="3000" height="1500" fill="#333"/></svg>';
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgZGIGAAAOAAfXb+R4AAAAAElFTkSuQmCC', 'base64');
const HEADER = '---\nfrom: Bot <bot@example.org>\nto: ada@example.com\nsubject: Survive\n---\n';

describe('make the message survive (issue 14)', function () {
  this.timeout(60_000);
  let ws: string;
  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae survive ')));
    fs.mkdirSync(path.join(ws, 'img'));
    fs.writeFileSync(path.join(ws, 'img', 'chart.svg'), CHART_SVG);
    fs.writeFileSync(path.join(ws, 'img', 'round.svg'), VIEWBOX_SVG);
    fs.writeFileSync(path.join(ws, 'img', 'huge.svg'), HUGE_SVG);
    fs.writeFileSync(path.join(ws, 'img', 'broken.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10"');
    fs.writeFileSync(path.join(ws, 'img', 'dot.png'), PNG_1X1);
    fs.copyFileSync(path.join(projectRoot(), 'test', 'fixtures', 'compose', 'ws', 'img', 'pic.webp'), path.join(ws, 'img', 'pic.webp'));
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  function options(change: (s: EmailSettings) => void = () => undefined, extra: Partial<ComposeOptions> = {}): ComposeOptions {
    const settings = defaultSettings();
    change(settings);
    return { settings, workspaceFolders: [ws], ...extra };
  }
  const md = (body: string, name = 'doc.md'): { path: string; text: string } => ({ path: path.join(ws, name), text: HEADER + body });
  const inlineParts = (mail: ParsedMail): ParsedMail['attachments'] => mail.attachments.filter((a) => a.contentDisposition === 'inline');

  describe('SVG images', () => {
    it('sends a local SVG as an image/png part of twice its size, shown at its own size', async () => {
      const m = await composeMessage(md('![Sales chart](img/chart.svg)\n'), options());
      const mail = await simpleParser(m.raw, { keepCidLinks: true });
      const [part, ...rest] = inlineParts(mail);
      assert.strictEqual(rest.length, 0);
      assert.strictEqual(part.contentType, 'image/png');
      assert.strictEqual(part.filename, 'chart.png');
      const size = imageSize(part.content);
      assert.deepStrictEqual([size.type, size.width, size.height], ['png', 240, 80]);
      const img = load(String(mail.html))('img');
      assert.strictEqual(img.attr('src'), `cid:${part.contentId?.replace(/[<>]/g, '')}`);
      assert.deepStrictEqual([img.attr('width'), img.attr('height'), img.attr('alt')], ['120', '40', 'Sales chart']);
      assert.ok(!m.raw.includes('image/svg+xml'), 'no SVG part');
    });

    it('renders the SVG text with a system font (the label is not lost)', async () => {
      const withText = await composeMessage(md('![a](img/chart.svg)\n'), options());
      fs.writeFileSync(path.join(ws, 'img', 'chart-plain.svg'), CHART_SVG.replace(/<text[\s\S]*<\/text>/, ''));
      const without = await composeMessage(md('![a](img/chart-plain.svg)\n'), options());
      assert.notDeepStrictEqual(withText.inlineImages[0].content, without.inlineImages[0].content, 'the text made no pixels');
    });

    it('sizes an SVG by its viewBox, caps a huge one, and keeps the size the author gave', async () => {
      const m = await composeMessage(md('![r](img/round.svg) ![h](img/huge.svg)\n\n<img src="img/chart.svg" width="60" alt="small">\n'), options());
      const sizes = m.inlineImages.map((i) => [i.filename, imageSize(i.content).width, imageSize(i.content).height]);
      assert.deepStrictEqual(sizes, [
        ['round.png', 600, 300],
        ['huge.png', 2400, 1200],
        ['chart.png', 240, 80],
      ]);
      const $ = load(m.html);
      assert.deepStrictEqual([$('img[alt="r"]').attr('width'), $('img[alt="r"]').attr('height')], ['300', '150']);
      assert.deepStrictEqual([$('img[alt="small"]').attr('width'), $('img[alt="small"]').attr('height')], ['60', undefined]);
    });

    it('converts a data: SVG too, and a streamed send carries the same PNG', async () => {
      const uri = `data:image/svg+xml;base64,${Buffer.from(VIEWBOX_SVG).toString('base64')}`;
      const doc = md(`![inline](${uri})\n`);
      const m = await composeMessage(doc, options());
      assert.deepStrictEqual(m.inlineImages.map((i) => [i.contentType, i.filename]), [['image/png', 'image-1.png']]);
      const stream = await composeMessageStream(doc, options());
      const chunks: Buffer[] = [];
      for await (const c of stream.chunks()) chunks.push(Buffer.from(c));
      const mail = await simpleParser(Buffer.concat(chunks));
      assert.strictEqual(inlineParts(mail)[0].contentType, 'image/png');
      assert.ok(inlineParts(mail)[0].content.equals(m.inlineImages[0].content));
      const streamedFile = await composeMessageStream(md('![c](img/chart.svg)\n'), options());
      const fileChunks: Buffer[] = [];
      for await (const c of streamedFile.chunks()) fileChunks.push(Buffer.from(c));
      const parsed = await simpleParser(Buffer.concat(fileChunks));
      assert.deepStrictEqual([inlineParts(parsed)[0].contentType, imageSize(inlineParts(parsed)[0].content).width], ['image/png', 240]);
    });

    it('draws an SVG only CSS uses as a background at its own size (a background has no width to halve it)', async () => {
      const m = await composeMessage(md('<div style="background: url(img/round.svg)">Panel</div>\n'), options());
      assert.deepStrictEqual(m.inlineImages.map((i) => [i.contentType, imageSize(i.content).width]), [['image/png', 300]]);
      assert.match(m.html, /url\(['"]?cid:/);
    });

    it('sendAsEmail.images.convertSvg off: the SVG travels as it is', async () => {
      const m = await composeMessage(md('![Sales chart](img/chart.svg)\n'), options((s) => (s.images.convertSvg = false)));
      const part = inlineParts(await simpleParser(m.raw))[0];
      assert.strictEqual(part.contentType, 'image/svg+xml');
      assert.ok(part.content.equals(Buffer.from(CHART_SVG)));
      assert.strictEqual(load(m.html)('img').attr('width'), undefined);
    });

    it('a broken SVG is an error naming the file and its line; the preview shows it as a problem', async () => {
      const doc = md('Intro\n\n![bad](img/broken.svg)\n');
      const e = await rejectsWith(composeMessage(doc, options()), ErrorCode.IMAGE_INVALID);
      assert.match(e.message, /^Image "img\/broken\.svg" \(line 8\) is an SVG that cannot be converted to PNG \(.+\)\.$/);
      const preview = await composePreview(doc, options(undefined, { lenient: true }));
      assert.deepStrictEqual(preview.warnings.map((w) => [w.kind, w.severity, w.line]), [['image-invalid', 'error', 8]]);
    });
  });

  describe('WebP images', () => {
    it('warns, naming the clients the caniemail data says do not show WebP', async () => {
      const m = await composeMessage(md('![photo](img/pic.webp)\n'), options());
      assert.deepStrictEqual(m.warnings.map((w) => [w.kind, w.severity, w.line]), [['image-format', 'warning', 6]]);
      const message = m.warnings[0].message;
      assert.match(message, /^Image "img\/pic\.webp" \(line 6\) is WebP: /);
      // The sentence against the data it was written from (node_modules/caniemail, feature image-webp).
      const data = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'node_modules', 'caniemail', 'data', 'caniemail.json'), 'utf8')) as {
        data: { slug: string; stats: Record<string, Record<string, Record<string, string>>>; notes_by_num?: Record<string, string>; notes?: Record<string, string> }[];
      };
      const webp = data.data.find((f) => f.slug === 'image-webp');
      assert.ok(webp);
      const latest = (family: string, platform: string): string => Object.values(webp.stats[family][platform]).at(-1) ?? '';
      assert.ok(Object.values(webp.stats.outlook.windows).every((v) => v.startsWith('n')) && message.includes('Outlook for Windows'));
      assert.ok(webp.stats.outlook.macos['2016'].startsWith('n') && message.includes('Outlook 2016 for Mac'));
      assert.ok(webp.stats['apple-mail'].macos['13'].startsWith('n') && webp.stats['apple-mail'].macos['14'].startsWith('y'));
      assert.ok(webp.stats['apple-mail'].ios['13'].startsWith('n') && latest('apple-mail', 'ios').startsWith('y') && message.includes('Apple Mail before macOS 14 and iOS 14'));
      assert.ok(latest('gmail', 'desktop-webmail').startsWith('a') && /jpg/i.test(Object.values(webp.notes_by_num ?? webp.notes ?? {}).join(' ')) && message.includes('Gmail converts it to JPEG'));
      // Nothing else the data marks unsupported today is left out of the sentence.
      const stillNo = Object.entries(webp.stats).flatMap(([family, platforms]) =>
        Object.entries(platforms).filter(([, versions]) => (Object.values(versions).at(-1) ?? '').startsWith('n')).map(([p]) => `${family}/${p}`),
      );
      assert.deepStrictEqual(stillNo, ['outlook/windows']);
    });

    it('does not warn about PNG', async () => {
      const m = await composeMessage(md('![dot](img/dot.png)\n'), options());
      assert.deepStrictEqual(m.warnings, []);
    });
  });

  describe('fenced code', () => {
    const code = '```js\n// a comment\nconst answer = 42; function add(a, b) { return a + b; }\n```\n\n```\nplain block\n```\n';

    it('highlights a block that names its language: spans with inline colours, <pre> with the theme background and pre-wrap', async () => {
      const m = await composeMessage(md(code), options());
      const $ = load(m.html);
      const pre = $('pre.hljs-pre');
      assert.strictEqual(pre.length, 1);
      const preStyle = pre.attr('style') ?? '';
      assert.match(preStyle, /background-color: #ffffff/);
      assert.match(preStyle, /white-space: pre-wrap/);
      assert.strictEqual(pre.find('code').text(), '// a comment\nconst answer = 42; function add(a, b) { return a + b; }\n');
      const color = (cls: string): string | undefined => /(?:^|;)\s*color:\s*([^;]+)/.exec(pre.find(`span.${cls}`).first().attr('style') ?? '')?.[1]?.trim();
      assert.strictEqual(color('hljs-keyword'), '#d73a49');
      assert.strictEqual(color('hljs-comment'), '#6a737d');
      assert.strictEqual(color('hljs-number'), '#005cc5');
      assert.ok(!$('style').text().includes('hljs'), 'the theme was inlined, not left in <style>');
      const plain = $('pre').not('.hljs-pre');
      assert.strictEqual(plain.find('span').length, 0);
      assert.strictEqual(plain.text(), 'plain block\n');
    });

    it('uses the theme sendAsEmail.markdown.highlightTheme names', async () => {
      assert.deepStrictEqual([...HIGHLIGHT_THEMES], ['github', 'vs', 'xcode', 'atom-one-light', 'stackoverflow-light']);
      const m = await composeMessage(md(code), options((s) => (s.markdown.highlightTheme = 'vs')));
      const $ = load(m.html);
      assert.match($('span.hljs-keyword').first().attr('style') ?? '', /color: #00f/);
      assert.match($('span.hljs-comment').first().attr('style') ?? '', /color: #008000/);
      const atom = load((await composeMessage(md(code), options((s) => (s.markdown.highlightTheme = 'atom-one-light')))).html);
      assert.match(atom('pre.hljs-pre').attr('style') ?? '', /background-color: #fafafa/);
    });

    it('sendAsEmail.markdown.highlight off: the block stays plain', async () => {
      const m = await composeMessage(md(code), options((s) => (s.markdown.highlight = false)));
      const $ = load(m.html);
      assert.strictEqual($('span[class^="hljs"]').length, 0);
      assert.strictEqual($('pre.hljs-pre').length, 0);
      assert.strictEqual($('code.language-js').length, 1);
    });

    it('leaves a language highlight.js does not know plain', async () => {
      const m = await composeMessage(md('```klingon\nQapla\n```\n'), options());
      assert.strictEqual(load(m.html)('span').length, 0);
    });
  });

  describe('language, colour scheme and alt text', () => {
    const lang = async (text: string, name = 'doc.md'): Promise<string | undefined> => load((await composeMessage({ path: path.join(ws, name), text }, options((s) => (s.from = 'bot@example.org')))).html)('html').attr('lang');

    it('<html lang> from front matter lang:, else the script of the text', async () => {
      assert.strictEqual(await lang(`${HEADER.replace('---\nfrom', '---\nlang: fr\nfrom')}Bonjour\n`), 'fr');
      assert.strictEqual(await lang(`${HEADER}# 本周报告\n\n机房温度超过 35°C，请检查 UPS 状态。\n`), 'zh-CN');
      assert.strictEqual(await lang(`${HEADER}# 今週のレポート\n\nサーバーの温度が上がっています。\n`), 'ja');
      assert.strictEqual(await lang(`${HEADER}# 本周报告\n\n我们在东京的の字招牌店开会，讨论机房温度、电源和网络的状态。\n`), 'zh-CN');
      assert.strictEqual(await lang(`${HEADER}# 주간 보고서\n\n서버 온도가 올라갔습니다.\n`), 'ko');
      assert.strictEqual(await lang(`${HEADER}# Weekly report\n\nThe servers are fine. 一\n\n\`\`\`\n中文代码注释 中文代码注释 中文代码注释\n\`\`\`\n`), 'en');
      assert.strictEqual(await lang('<html lang="de"><body><p>Hallo 你好你好你好你好你好你好</p></body></html>', 'page.html'), 'de');
      const bad = { path: path.join(ws, 'doc.md'), text: HEADER.replace('---\nfrom', '---\nlang: "not a tag!"\nfrom') + 'x\n' };
      const e = await rejectsWith(composeMessage(bad, options()), ErrorCode.FRONT_MATTER_INVALID);
      assert.match(e.message, /"lang" \(line 2\) must be a language tag such as en or zh-CN/);
    });

    it('declares a light colour scheme, or light and dark when the email styles dark mode itself', async () => {
      const meta = ($: ReturnType<typeof load>): (string | undefined)[] => [
        $('meta[name="color-scheme"]').attr('content'),
        $('meta[name="supported-color-schemes"]').attr('content'),
      ];
      assert.deepStrictEqual(meta(load((await composeMessage(md('Hello\n'), options())).html)), ['light', 'light']);
      const dark = '<html><head><style>@media (prefers-color-scheme: dark) { body { background: #000; color: #fff; } }</style></head><body><p>Hi</p></body></html>';
      const m = await composeMessage({ path: path.join(ws, 'dark.html'), text: dark }, options((s) => (s.from = 'bot@example.org')));
      assert.deepStrictEqual(meta(load(m.html)), ['light dark', 'light dark']);
      assert.match(m.html, /prefers-color-scheme: dark/);
    });

    it('gives every image an alt: the Markdown alt, else the file name without extension; an explicit alt="" stays', async () => {
      const body = '![](img/dot.png) ![Logo](img/dot.png?v=1)\n\n<img src="img/dot.png#x"> <img src="img/dot.png" alt="">\n';
      const $ = load((await composeMessage(md(body), options())).html);
      assert.deepStrictEqual($('img').toArray().map((i) => i.attribs.alt), ['dot', 'Logo', 'dot', '']);
      const page = '<p><img src="img/pic.webp"><img src="data:image/png;base64,' + PNG_1X1.toString('base64') + '"></p>';
      const html = (await composeMessage({ path: path.join(ws, 'p.html'), text: page }, options((s) => (s.from = 'bot@example.org')))).html;
      assert.deepStrictEqual(load(html)('img').toArray().map((i) => i.attribs.alt), ['pic', 'image']);
    });
  });

  describe('the shipped bundles', () => {
    it('keep resvg and highlight.js out of dist/extension.js and dist/cli.js, in chunks of their own beside them', () => {
      const dist = path.join(projectRoot(), 'dist');
      for (const bundle of ['extension.js', 'cli.js']) {
        const text = fs.readFileSync(path.join(dist, bundle), 'utf8');
        assert.ok(!text.includes('registerLanguage') && !text.includes('initWasm'), `${bundle} holds highlight.js or resvg`);
        assert.ok(text.includes('require("./svg-render.js")') && text.includes('require("./code-highlight.js")'), `${bundle} does not load the chunks`);
      }
      assert.ok(fs.readFileSync(path.join(dist, 'code-highlight.js'), 'utf8').includes('registerLanguage'));
      assert.ok(fs.readFileSync(path.join(dist, 'svg-render.js'), 'utf8').includes('initWasm'));
      assert.ok(fs.readFileSync(path.join(dist, 'resvg.wasm')).subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])), 'resvg.wasm is WebAssembly');
    });

    it('the built command-line tool, copied to a folder with spaces and no node_modules, converts an SVG and highlights code', async () => {
      const dist = path.join(projectRoot(), 'dist');
      const dir = path.join(ws, 'a folder with spaces '.repeat(4), 'dist');
      fs.mkdirSync(dir, { recursive: true });
      for (const f of ['cli.js', 'svg-render.js', 'code-highlight.js', 'resvg.wasm']) fs.copyFileSync(path.join(dist, f), path.join(dir, f));
      fs.writeFileSync(path.join(ws, 'cli.md'), `${HEADER}![chart](img/chart.svg)\n\n\`\`\`python\ndef f():\n    return 1\n\`\`\`\n`);
      const out = path.join(ws, 'cli.eml');
      const script = `require(${JSON.stringify(path.join(dir, 'cli.js'))}).main(['build', 'cli.md', '-o', ${JSON.stringify(out)}]).then((c) => { process.exitCode = c; })`;
      execFileSync(process.execPath, ['-e', script], { cwd: ws, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
      const mail = await simpleParser(fs.readFileSync(out));
      const part = inlineParts(mail)[0];
      assert.deepStrictEqual([part.contentType, imageSize(part.content).width], ['image/png', 240]);
      assert.match(String(mail.html), /<span class="hljs-keyword" style="color: #d73a49;">def<\/span>/);
    });
  });
});
