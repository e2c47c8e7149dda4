import * as assert from 'assert';
import { load } from 'cheerio';
import { ErrorCode, isSendAsEmailError } from '../../src/core/errors';
import { firstHeading, serializeDocument } from '../../src/core/source/dom';
import { parseFrontMatter } from '../../src/core/source/frontMatter';
import { readHtmlHeaders } from '../../src/core/source/htmlMeta';
import { renderMarkdown, slugify } from '../../src/core/source/markdown';
import { prepareDocument } from '../../src/core/source/prepareDocument';
import { DEFAULT_STYLESHEET } from '../../src/core/source/stylesheet';

describe('render', () => {
  describe('Markdown', () => {
    it('renders a complete email document with the default stylesheet', async () => {
      const html = await renderMarkdown('# Title\n\nBody text.\n', DEFAULT_STYLESHEET);
      assert.ok(html.startsWith('<!DOCTYPE html>'));
      const $ = load(html);
      assert.strictEqual($('head meta[charset="utf-8"]').length, 1);
      assert.strictEqual($('head title').length, 1);
      assert.strictEqual($('body > div.email-container > h1').text(), 'Title');
      const css = $('style').text();
      assert.match(css, /max-width:\s*680px/);
      assert.match(css, /@media[^{]*max-width:\s*600px/);
      assert.match(css, /th, td \{[^}]*border: 1px solid/);
      assert.match(css, /pre \{[^}]*background-color/);
    });

    it('renders GFM: tables, task lists, fenced code, autolinks, strikethrough', async () => {
      const md = [
        '| a | b |',
        '|---|:-:|',
        '| 1 | 2 |',
        '',
        '- [x] done',
        '- [ ] open',
        '',
        '```ts',
        'const x = 1 < 2;',
        '```',
        '',
        'Visit https://example.com/path now, ~~old~~.',
      ].join('\n');
      const $ = load(await renderMarkdown(md, ''));
      assert.strictEqual($('table th').length, 2);
      assert.strictEqual($('table td').eq(1).text(), '2');
      const items = $('li').toArray().map((li) => $(li).text().trim());
      assert.deepStrictEqual(items, ['\u2611 done', '\u2610 open']);
      assert.strictEqual($('input').length, 0, 'email clients drop form controls');
      assert.strictEqual($('pre > code.language-ts').text(), 'const x = 1 < 2;\n');
      assert.strictEqual($('a[href="https://example.com/path"]').text(), 'https://example.com/path');
      assert.strictEqual($('del').text(), 'old');
    });

    it('gives headings unique GitHub-style ids, in any script', async () => {
      const $ = load(await renderMarkdown('# Hello, World!\n\n## Hello, World!\n\n### 测试 *emphasis*\n\n#### `code` & more\n', ''));
      assert.deepStrictEqual(
        $('h1, h2, h3, h4').toArray().map((h) => h.attribs.id),
        ['hello-world', 'hello-world-1', '测试-emphasis', 'code--more'],
      );
      assert.strictEqual($('h3 em').text(), 'emphasis');
      assert.strictEqual(slugify('  Ünïcode Straße 2.0  '), 'ünïcode-straße-20');
    });

    it('passes raw HTML through, for the asset stage to find', async () => {
      const $ = load(await renderMarkdown('<div style="background:url(a.png)">x</div>\n\n![alt](my%20chart.png)\n', ''));
      assert.strictEqual($('div[style]').attr('style'), 'background:url(a.png)');
      assert.strictEqual($('img').attr('src'), 'my%20chart.png');
    });
  });

  describe('front matter', () => {
    it('reads the header fields and returns the body with its line offset', async () => {
      const text = '---\nsubject: 测试邮件\nto:\n  - a@example.com\n  - b@example.com\ncc: c@example.com\nreplyTo: r@example.com\nattachments: files/a.pdf\n---\n# Body\n';
      const parsed = await parseFrontMatter(text);
      assert.deepStrictEqual(parsed.data, {
        subject: '测试邮件',
        to: ['a@example.com', 'b@example.com'],
        cc: 'c@example.com',
        replyTo: 'r@example.com',
        attachments: ['files/a.pdf'],
      });
      assert.strictEqual(parsed.body, '# Body\n');
      assert.strictEqual(parsed.lineOffset, 9);
    });

    it('leaves a document without front matter alone', async () => {
      const parsed = await parseFrontMatter('# Title\n---\nnot: front matter\n---\n');
      assert.deepStrictEqual(parsed.data, {});
      assert.strictEqual(parsed.body, '# Title\n---\nnot: front matter\n---\n');
      assert.strictEqual(parsed.lineOffset, 0);
    });

    it('accepts CRLF line ends and an empty front matter', async () => {
      assert.deepStrictEqual((await parseFrontMatter('---\r\nsubject: Hi\r\n---\r\nBody')).data, { subject: 'Hi' });
      assert.deepStrictEqual(await parseFrontMatter('---\n---\nBody'), { data: {}, body: 'Body', lineOffset: 2 });
    });

    it('reports invalid YAML with the line in the file', async () => {
      const text = '---\nsubject: ok\nto: [a@example.com, b@example.com\ncc: x@example.com\n---\nbody\n';
      await assert.rejects(parseFrontMatter(text), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.FRONT_MATTER_INVALID));
        assert.match(e.message, /^The front matter is not valid YAML \(line 4\): /);
        assert.strictEqual(e.problems[0].line, 4);
        return true;
      });
    });

    it('rejects keys of the wrong type, naming the key', async () => {
      await assert.rejects(parseFrontMatter('---\nto: {a: 1}\n---\n'), (e: unknown) => isSendAsEmailError(e, ErrorCode.FRONT_MATTER_INVALID) && e.message.includes('"to"'));
      await assert.rejects(parseFrontMatter('---\nsubject: [1, 2]\n---\n'), (e: unknown) => isSendAsEmailError(e, ErrorCode.FRONT_MATTER_INVALID) && e.message.includes('"subject"'));
      await assert.rejects(parseFrontMatter('---\n- a\n- b\n---\n'), (e: unknown) => isSendAsEmailError(e, ErrorCode.FRONT_MATTER_INVALID));
    });
  });

  describe('HTML documents', () => {
    it('reads <title> and email:* meta elements and removes the meta elements', () => {
      const $ = load(
        '<html><head><title> Notes\n from  title </title><meta name="email:to" content="a@example.com, b@example.com">' +
          '<meta name="EMAIL:BCC" content="hidden@example.com"><meta name="email:replyTo" content="r@example.com"><meta name="description" content="kept"></head><body></body></html>',
      );
      assert.deepStrictEqual(readHtmlHeaders($), { to: 'a@example.com, b@example.com', bcc: 'hidden@example.com', replyTo: 'r@example.com', subject: 'Notes from title' });
      assert.strictEqual($('meta').length, 1);
      assert.ok(!$.html().includes('hidden@example.com'), 'a Bcc never travels in the HTML');
    });

    it('prefers email:subject over <title>', () => {
      const $ = load('<title>T</title><meta name="email:subject" content="From meta">');
      assert.strictEqual(readHtmlHeaders($).subject, 'From meta');
    });

    it('makes a fragment a complete UTF-8 document with the subject as title', () => {
      const $ = load('<p>Just a <b>fragment</b></p>');
      prepareDocument($, 'Subject & more');
      const html = serializeDocument($);
      // The language of the text (English here) and a light colour scheme are declared too (issue 14).
      assert.ok(
        html.startsWith(
          '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Subject &amp; more</title>' +
            '<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"></head>',
        ),
        html,
      );
      assert.ok(html.includes('<body><p>Just a <b>fragment</b></p></body>'));
    });

    it('replaces other charset declarations and removes scripts, handlers, javascript: URLs and <base>', () => {
      const $ = load(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><meta charset="latin1"><base href="https://evil.example/">' +
          '<title>a</title><title>b</title><script>alert(1)</script><meta http-equiv="refresh" content="0;url=https://evil.example"></head>' +
          '<body onload="x()"><a href="javascript:alert(1)" onClick="y()">link</a><img src="a.png" onerror="z()"><script src="x.js"></script></body></html>',
      );
      prepareDocument($, 'Subject');
      assert.deepStrictEqual($('meta').toArray().map((m) => ({ ...m.attribs })), [
        { charset: 'utf-8' },
        { name: 'color-scheme', content: 'light' },
        { name: 'supported-color-schemes', content: 'light' },
      ]);
      assert.strictEqual($('title').length, 1);
      assert.strictEqual($('title').text(), 'Subject');
      assert.strictEqual($('script, base').length, 0);
      const html = $.html();
      assert.ok(!/onload|onclick|onerror|javascript:/i.test(html), html);
      assert.strictEqual($('a').text(), 'link');
      assert.strictEqual($('img').attr('src'), 'a.png');
      assert.ok(serializeDocument($).startsWith('<!DOCTYPE html><html lang="en">'), 'an existing doctype is kept, not doubled');
    });

    it('finds the first <h1>', () => {
      assert.strictEqual(firstHeading(load('<h2>no</h2><div><h1> First\n heading </h1></div><h1>Second</h1>')), 'First heading');
      assert.strictEqual(firstHeading(load('<p>none</p>')), '');
    });
  });
});
