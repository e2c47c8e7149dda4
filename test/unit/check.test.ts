import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkMessage } from '../../src/core/check/checkMessage';
import type { CheckInput, CheckIssue, CheckReport } from '../../src/core/check/types';
import { projectRoot } from '../support/root';

const root = projectRoot();
const engineDir = path.join(root, 'dist');
const fixture = (name: string): string => fs.readFileSync(path.join(root, 'test', 'fixtures', 'check', name), 'utf8');

function check(input: Partial<CheckInput> & { html: string }): Promise<CheckReport> {
  return checkMessage({ sourceKind: 'html', ...input }, { engineDir });
}

/** A page around a body fragment, with lang so that only what the test adds is reported. */
function page(body: string, head = ''): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>${head}</head>\n<body>\n${body}\n</body>\n</html>\n`;
}

const ids = (r: CheckReport): string[] => r.issues.map((i) => `${i.severity} ${i.id}`);
const find = (r: CheckReport, id: string, severity: 'error' | 'warning' = 'error'): CheckIssue => {
  const issue = r.issues.find((i) => i.id === id && i.severity === severity);
  assert.ok(issue, `no ${severity} ${id} in ${ids(r).join(', ')}`);
  return issue;
};

describe('recipients check', function () {
  this.timeout(30000);

  it('reports the fixture page: every issue, its severity and its lines', async () => {
    const html = fixture('problems.html');
    const report = await check({ html, sourceText: html });
    const got = report.issues.map((i) => [i.severity, i.id, i.line, i.sourceLine]);
    assert.deepStrictEqual(got, [
      ['error', 'caniemail:css-display-flex', 7, 7],
      ['error', 'caniemail:css-at-media', 8, 8],
      ['error', 'prefers-color-scheme', 8, 8],
      ['error', 'caniemail:css-background-image', 13, 13],
      ['error', 'css-cid-background', 13, 13],
      ['error', 'css-var', 13, 13],
      ['error', 'caniemail:css-position', 15, 15],
      ['error', 'svg-inline', 16, 16],
      ['error', 'image-data-url', 17, 17],
      ['error', 'link-scheme', 21, 21],
      ['warning', 'lang', 2, 2],
      ['warning', 'caniemail:html-style', 6, 6],
      ['warning', 'caniemail:css-display', 7, 7],
      ['warning', 'caniemail:css-display-flex', 7, 7],
      ['warning', 'caniemail:css-selector-class', 7, undefined],
      ['warning', 'caniemail:css-at-media', 8, 8],
      ['warning', 'caniemail:html-width', 12, 12],
      ['warning', 'table-role', 12, 12],
      ['warning', 'fixed-width', 12, 12],
      ['warning', 'caniemail:css-background', 13, undefined],
      ['warning', 'caniemail:css-background-image', 13, 13],
      ['warning', 'caniemail:css-position', 15, 15],
      ['warning', 'caniemail:html-height', 16, 16],
      ['warning', 'svg-inline', 16, 16],
      ['warning', 'caniemail:image-gif', 17, 17],
      ['warning', 'image-data-url', 17, 17],
      ['warning', 'image-alt', 17, 17],
      ['warning', 'image-http', 18, 18],
      ['warning', 'contrast', 20, 20],
      ['warning', 'link-http', 21, 21],
      ['warning', 'link-text', 21, 21],
    ]);
    const flex = find(report, 'caniemail:css-display-flex');
    assert.deepStrictEqual(flex.clients, ['Outlook (Windows)']);
    assert.deepStrictEqual(flex.families, ['Outlook']);
    assert.strictEqual(flex.testedDate, '2021-11-02');
    assert.match(flex.fix, /table/);
    const partial = find(report, 'caniemail:css-display-flex', 'warning');
    assert.deepStrictEqual(partial.clients, ['Gmail (Android)', 'Gmail (iOS)']);
    assert.strictEqual(partial.phoneOnly, true, 'only phone apps: matters at phone width');
    assert.deepStrictEqual(partial.notes, ['Not supported with non Google accounts.']);
    assert.strictEqual(flex.phoneOnly, undefined);
    assert.match(find(report, 'caniemail:css-background-image').fix, /Outlook for Windows/);
  });

  it('gives caniemail each distinct tag once and still finds every feature, client and severity of the whole page', async () => {
    const { loadEngine } = await import('../../src/core/check/loadEngine');
    const { runOnHtml } = await import('../../src/core/check/caniemailCheck');
    const engine = loadEngine(engineDir);
    const clients = ['gmail.desktop-webmail', 'gmail.android', 'outlook.windows', 'apple-mail.ios', 'thunderbird.macos'];
    // The fixture's body three times over: the same tags on other lines.
    const one = fixture('problems.html');
    const body = /<body>([\s\S]*)<\/body>/.exec(one)![1]!;
    const html = one.replace(body, body + body + body);
    const key = (f: { title: string; client: string; support: string }): string => `${f.title}|${f.client}|${f.support}`;
    const reduced = runOnHtml(engine, html, clients);
    engine.forgetResults();
    const whole = engine.runCaniemail({ html, clients });
    const wholeKeys = new Set(whole.map(key));
    // Style sheets are checked apart in both; the whole-page run also sees them inside <style>.
    assert.deepStrictEqual([...new Set(reduced.map(key))].filter((k) => !wholeKeys.has(k)), []);
    assert.deepStrictEqual([...wholeKeys].filter((k) => !reduced.some((f) => key(f) === k)), []);
    const firstLine = (title: string): number | undefined => Math.min(...reduced.filter((f) => f.title === title).map((f) => f.line ?? Infinity));
    assert.strictEqual(firstLine('position'), 15, 'the first occurrence, not a repeat further down');
  });

  it('reports the families and clients checked, the data date, and the clients the data has no entry for', async () => {
    const report = await check({ html: page('<p>Hi</p>') });
    assert.deepStrictEqual(report.families, ['Gmail', 'Outlook', 'Apple Mail', 'Yahoo', 'Thunderbird']);
    assert.deepStrictEqual(report.clients, [
      'Gmail (web)', 'Gmail (Android)', 'Gmail (iOS)', 'Outlook (Windows)', 'Outlook (macOS)', 'Outlook.com',
      'Apple Mail (macOS)', 'Apple Mail (iOS)', 'Yahoo (web)', 'Thunderbird',
    ]);
    assert.strictEqual(report.familyOf['Outlook.com'], 'Outlook');
    assert.strictEqual(report.familyOf['Thunderbird'], 'Thunderbird');
    assert.deepStrictEqual(report.untested, ['QQ Mail', 'NetEase Mail (163)', 'Foxmail']);
    assert.match(report.dataDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepStrictEqual(report.unknownClients, []);
  });

  it('checks the clients asked for: one client id, another family, and says which names it does not know', async () => {
    const html = page('<div style="display: flex">a</div>');
    const one = await check({ html, clients: ['outlook.windows'] });
    assert.deepStrictEqual(one.clients, ['Outlook (Windows)']);
    assert.deepStrictEqual(find(one, 'caniemail:css-display-flex').clients, ['Outlook (Windows)']);
    // thunderbird.windows has entries for few features: the others are not reported, and nothing throws.
    const other = await check({ html, clients: ['samsung-email', 'thunderbird.windows', 'qq-mail'] });
    assert.deepStrictEqual(other.clients, ['Samsung Email (Android)', 'Thunderbird (Windows)']);
    assert.deepStrictEqual(other.unknownClients, ['qq-mail']);
  });

  describe('rules the data misses', () => {
    it('inline <svg>: the data says Gmail and Outlook do not show it, though its checker never flags it', async () => {
      const html = page('<p>x</p>\n<svg width="4" height="4"><rect width="4" height="4"/></svg>');
      const report = await check({ html });
      const svg = find(report, 'svg-inline');
      assert.strictEqual(svg.line, 6);
      for (const c of ['Gmail (web)', 'Gmail (Android)', 'Outlook (Windows)']) assert.ok(svg.clients.includes(c), c);
      assert.match(svg.fix, /PNG/);
      const without = await check({ html, disable: ['svg-inline'] });
      assert.ok(!without.issues.some((i) => /svg/i.test(i.id + i.feature)), ids(without).join(', '));
    });

    it('a data: image, in src or in a CSS url()', async () => {
      for (const body of ['<img alt="a" src="data:image/png;base64,iVBORw0KGgo=">', '<div style="background: url(data:image/png;base64,iVBORw0KGgo=)">a</div>']) {
        const report = await check({ html: page(body) });
        const issue = find(report, 'image-data-url');
        assert.deepStrictEqual(issue.clients, ['Gmail (web)', 'Gmail (Android)', 'Gmail (iOS)']);
        assert.strictEqual(issue.line, 5);
      }
    });

    it('a CSS background from a cid: part: an error for Thunderbird, a warning when Thunderbird is not checked', async () => {
      const html = page('<div style="background-image: url(cid:bg@x)">a</div>');
      const issue = find(await check({ html }), 'css-cid-background');
      assert.deepStrictEqual(issue.clients, ['Thunderbird']);
      assert.match(issue.message, /attachment/);
      const noThunderbird = await check({ html, clients: ['gmail'] });
      assert.deepStrictEqual(find(noThunderbird, 'css-cid-background', 'warning').clients, []);
      const inStyle = await check({ html: page('<p class="a">a</p>', '<style>\n.a { background: url("cid:bg@x"); }\n</style>') });
      assert.strictEqual(find(inStyle, 'css-cid-background').line, 4);
    });

    it('@media (prefers-color-scheme) in a style sheet, on the line it is written', async () => {
      const head = '<style>\np { color: #111; }\n\n@media (prefers-color-scheme: dark) { p { color: #eee; } }\n</style>';
      const issue = find(await check({ html: page('<p>a</p>', head) }), 'prefers-color-scheme');
      assert.strictEqual(issue.line, 6);
      assert.ok(issue.clients.includes('Gmail (web)') && issue.clients.includes('Outlook (Windows)'), issue.clients.join());
    });

    it('var() in a style attribute', async () => {
      const issue = find(await check({ html: page('<p style="color: var(--ink, #111)">a</p>') }), 'css-var');
      assert.strictEqual(issue.line, 5);
      assert.ok(issue.clients.includes('Gmail (web)'));
    });
  });

  describe('other checks', () => {
    it('images: alt, size over 1 MiB, http://', async () => {
      const report = await check({
        html: page('<img src="cid:a@x">\n<img alt="b" src="http://example.com/b.png">'),
        inlineImages: [
          { name: 'big.png', size: 2 * 1024 * 1024, alt: 'big', sourceLine: 9 },
          { name: 'small.png', size: 1024 * 1024 },
        ],
      });
      assert.strictEqual(find(report, 'image-alt', 'warning').line, 5);
      assert.match(find(report, 'image-http', 'warning').message, /http:\/\/example\.com\/b\.png/);
      const size = report.issues.filter((i) => i.id === 'image-size');
      assert.deepStrictEqual(size.map((i) => [i.sourceLine, /big\.png/.test(i.message)]), [[9, true]]);
    });

    it('the message over the server SIZE limit is an error; no limit known, no issue', async () => {
      const html = page('<p>a</p>');
      const over = await check({ html, messageSize: 2_000_000, sizeLimit: 1_000_000 });
      assert.match(find(over, 'message-size').message, /1\.9 MB.*977\.\d KB|1\.9 MB/);
      assert.ok(!(await check({ html, messageSize: 2_000_000 })).issues.some((i) => i.id === 'message-size'));
      assert.ok(!(await check({ html, messageSize: 900_000, sizeLimit: 1_000_000 })).issues.some((i) => i.id === 'message-size'));
    });

    it('links: http://, stripped schemes, vague text in English and Chinese', async () => {
      const report = await check({
        html: page('<a href="http://a.example/">the notes</a>\n<a href="javascript:void(0)">Open the menu</a>\n<a href="https://b.example/">点击这里</a>\n<a href="https://c.example/">Here.</a>'),
      });
      assert.strictEqual(find(report, 'link-http', 'warning').line, 5);
      assert.strictEqual(find(report, 'link-scheme').line, 6);
      const vague = report.issues.filter((i) => i.id === 'link-text');
      assert.deepStrictEqual(vague.map((i) => i.line), [7, 8]);
      const fine = await check({ html: page('<a href="https://a.example/">the release notes</a>\n<a href="mailto:a@b.example">Write to us</a>') });
      assert.deepStrictEqual(fine.issues.filter((i) => i.id.startsWith('link')), []);
    });

    it('HTML over Gmail\'s 102 KB clip', async () => {
      const big = page(`<p>${'x'.repeat(103 * 1024)}</p>`);
      assert.deepStrictEqual(find(await check({ html: big }), 'gmail-clip', 'warning').clients, ['Gmail']);
      assert.ok(!(await check({ html: page('<p>x</p>') })).issues.some((i) => i.id === 'gmail-clip'));
    });

    it('accessibility: lang, layout tables without role, contrast where both colours are inline', async () => {
      const noLang = await check({ html: '<!DOCTYPE html>\n<html>\n<body><p>a</p></body></html>' });
      assert.strictEqual(find(noLang, 'lang', 'warning').line, 2);
      const tables = await check({
        html: page('<table><tr><td>a</td></tr></table>\n<table><tr><td>b</td></tr></table>\n<table role="presentation"><tr><td>c</td></tr></table>\n<table><tr><th>Head</th></tr></table>'),
      });
      const layout = tables.issues.filter((i) => i.id === 'table-role');
      assert.deepStrictEqual(layout.map((i) => [i.line, i.count]), [[5, 2]], 'the two layout tables are one issue');
      const contrast = await check({
        html: page('<p style="color: #999999; background-color: #ffffff">faint</p>\n<div style="background-color: #000"><span style="color: #333">dark on black</span></div>\n<p style="color: #222222; background-color: white">fine</p>\n<p style="color: #999999">no background written</p>'),
      });
      assert.deepStrictEqual(contrast.issues.filter((i) => i.id === 'contrast').map((i) => i.line), [5, 6]);
      assert.match(find(contrast, 'contrast', 'warning').message, /2\.8:1/);
    });

    it('a fixed width wider than a phone matters at phone width', async () => {
      const report = await check({ html: page('<table role="presentation" width="600"><tr><td>a</td></tr></table>\n<table role="presentation" width="600" style="max-width: 100%"><tr><td>b</td></tr></table>') });
      const wide = report.issues.filter((i) => i.id === 'fixed-width');
      assert.deepStrictEqual(wide.map((i) => [i.line, i.phoneOnly]), [[5, true]]);
    });
  });

  it('switches rules off by id: a rule, one feature of the data (with or without caniemail:), the whole data', async () => {
    const html = fixture('problems.html');
    const all = await check({ html });
    assert.ok(all.issues.some((i) => i.id === 'contrast'));
    const some = await check({ html, disable: ['contrast', 'caniemail:css-position', 'css-display-flex', ' LANG '] });
    const left = new Set(some.issues.map((i) => i.id));
    for (const id of ['contrast', 'caniemail:css-position', 'caniemail:css-display-flex', 'lang']) assert.ok(!left.has(id), id);
    assert.ok(left.has('caniemail:css-at-media') && left.has('svg-inline'));
    const noData = await check({ html, disable: ['caniemail'] });
    assert.deepStrictEqual(noData.issues.filter((i) => i.id.startsWith('caniemail:')), []);
    assert.ok(noData.issues.some((i) => i.id === 'svg-inline'), 'the rules still run');
  });

  it('maps issues to lines of a Markdown source (raw HTML in it), else keeps the sent HTML line', async () => {
    const source = fixture('newsletter.md');
    // The HTML as compose sends it for this document, written by hand: what matters is where each thing is.
    const html = page(
      '<h1>Spring news</h1>\n<table width="600" role="presentation"><tr>\n<td style="background-image: url(cid:bg@x); padding: 8px">Over a picture</td>\n</tr></table>\n<div style="display: flex">\n<p>Left</p><p>Right</p>\n</div>\n<p>Read the <a href="http://example.com/notes">notes</a> or <a href="https://example.com/more">click here</a>.</p>\n<ul><li>a</li></ul>',
    );
    const report = await check({ html, sourceText: source, sourceKind: 'markdown' });
    const at = (id: string, severity: 'error' | 'warning' = 'error'): [number | undefined, number | undefined] => {
      const i = find(report, id, severity);
      return [i.line, i.sourceLine];
    };
    assert.deepStrictEqual(at('caniemail:css-background-image'), [7, 7]);
    assert.deepStrictEqual(at('css-cid-background'), [7, 7]);
    assert.deepStrictEqual(at('caniemail:css-display-flex'), [9, 10]);
    assert.deepStrictEqual(at('link-http', 'warning'), [12, 14]);
    assert.deepStrictEqual(at('link-text', 'warning'), [12, 14]);
    assert.deepStrictEqual(at('fixed-width', 'warning'), [6, 6]);
    // Markdown's own list: no <ul> in the source, so only the sent HTML's line.
    assert.deepStrictEqual(at('caniemail:html-lists', 'warning'), [13, undefined]);
  });

  it('what only the built-in Markdown stylesheet brings is a warning that says so; in an HTML file it stays an error', async () => {
    const html = page('<p>a</p>', '<style>\n@media (max-width: 600px) { p { font-size: 16px; } }\n</style>');
    const md = await check({ html, sourceText: 'a\n', sourceKind: 'markdown' });
    assert.ok(!md.issues.some((i) => i.id === 'caniemail:css-at-media' && i.severity === 'error'), ids(md).join(', '));
    const softened = md.issues.filter((i) => i.id === 'caniemail:css-at-media' && /built-in stylesheet/.test(i.message));
    assert.strictEqual(softened.length, 1);
    const own = await check({ html, sourceText: 'a\n', sourceKind: 'markdown', customStylesheet: true });
    find(own, 'caniemail:css-at-media');
    find(await check({ html, sourceText: html }), 'caniemail:css-at-media');
  });
});
