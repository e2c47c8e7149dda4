// Issue 14, "privacy of what is sent": HTML comments never travel (Outlook's conditional ones excepted), and the text
// part is made for reading: images as [image: alt], links as text (URL), no local path, data: URI or front matter.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { simpleParser } from 'mailparser';
import { composeMessage } from '../../src/core/message/compose';
import { htmlText, linkLabel, markdownText } from '../../src/core/message/textPart';
import { lexMarkdown } from '../../src/core/source/markdown';
import { defaultSettings } from '../../src/core/settings';
import type { ComposeOptions } from '../../src/core/types';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgZGIGAAAOAAfXb+R4AAAAAElFTkSuQmCC';
const SECRET = 'salary band 7 for Bob';

const MARKDOWN = `---
from: Bot <bot@example.org>
to: ada@example.com
bcc: boss@example.com
subject: Quarterly news
---
# Quarterly news

<!-- TODO before sending: ${SECRET} -->

Our logo: ![Company logo](images/logo.png) and a pixel: ![](data:image/png;base64,${PNG_1X1})

Read [the spec](./docs/spec.md), [the site](https://example.com/news), [the figure](cid:figure1) and
[write to us](mailto:news@example.com), or see <https://example.com/raw>. Also [the logo][logo].

Inline comment <!-- ${SECRET} --> in a sentence.

<!--[if mso]><table role="presentation"><tr><td width="600"><![endif]-->
<div class="wrap">Wrapped for Outlook.</div>
<!--[if mso]></td></tr></table><![endif]-->

<!--[if !mso]><!--><p>Not for Outlook.</p><!--<![endif]-->

<div style="background: url('images/logo.png')"><img src="images/logo.png" alt="Second logo"> HTML block</div>

\`\`\`html
<!-- a comment in a code sample is content -->
\`\`\`

[logo]: images/logo.png
`;

describe('privacy of what is sent (issue 14)', function () {
  this.timeout(30_000);
  let ws: string;
  let options: ComposeOptions;
  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-privacy-')));
    fs.mkdirSync(path.join(ws, 'images'));
    fs.writeFileSync(path.join(ws, 'images', 'logo.png'), Buffer.from(PNG_1X1, 'base64'));
    options = { settings: defaultSettings(), workspaceFolders: [ws] };
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  describe('a Markdown newsletter', () => {
    let html: string;
    let text: string;
    let raw: Buffer;
    before(async () => {
      const m = await composeMessage({ path: path.join(ws, 'news.md'), text: MARKDOWN }, options);
      raw = m.raw;
      const mail = await simpleParser(m.raw, { keepCidLinks: true });
      html = String(mail.html);
      text = String(mail.text).replace(/\r\n/g, '\n');
      assert.strictEqual(html, m.html);
      assert.strictEqual(text.trimEnd(), m.text.trimEnd());
    });

    it('sends no comment, local path or data: URI in either part', () => {
      for (const [name, part] of [
        ['HTML', html],
        ['text', text],
      ]) {
        assert.ok(!part.includes(SECRET), `${name} part carries the comment`);
        assert.ok(!part.includes('TODO before sending'), `${name} part carries the comment`);
        // The images' paths (a link the author wrote to a relative page stays a link in the HTML).
        assert.ok(!/(?:src="|url\(['"]?|\]\()images\/logo\.png/.test(part), `${name} part carries a local image path`);
        assert.ok(!part.includes(ws), `${name} part carries the workspace path`);
        if (name === 'text') assert.ok(!part.includes('images/logo.png'), 'the text part carries a local path');
        assert.ok(!part.includes('data:'), `${name} part carries a data: URI`);
        assert.ok(!part.includes(PNG_1X1.slice(0, 40)), `${name} part carries the data: bytes`);
      }
      assert.ok(!raw.includes(SECRET), 'the comment is nowhere in the message');
    });

    it("keeps Outlook's conditional comments in the HTML part, in order", () => {
      const kept = [...html.matchAll(/<!--[\s\S]*?-->/g)].map((m) => m[0]);
      assert.deepStrictEqual(kept, [
        '<!--[if mso]><table role="presentation"><tr><td width="600"><![endif]-->',
        '<!--[if mso]></td></tr></table><![endif]-->',
        '<!--[if !mso]><!-->',
        '<!--<![endif]-->',
      ]);
      assert.match(html, /<!--\[if !mso\]><!--><p[^>]*>Not for Outlook\.<\/p><!--<!\[endif\]-->/);
      assert.ok(html.includes('&lt;!-- a comment in a code sample is content --&gt;'), 'code samples are content, not comments');
    });

    it('writes the text part for reading: images as [image: alt], links as text (URL), no front matter', () => {
      assert.ok(text.startsWith('# Quarterly news\n'), text.slice(0, 100));
      assert.ok(!/^(from|to|bcc|subject):/m.test(text) && !text.includes('boss@example.com'), 'front matter in the text part');
      assert.ok(text.includes('Our logo: [image: Company logo] and a pixel: [image: image]'), text);
      assert.ok(text.includes('Read the spec, the site (https://example.com/news), the figure and\nwrite to us (mailto:news@example.com), or see https://example.com/raw. Also the logo.'), text);
      assert.ok(text.includes('Inline comment  in a sentence.'), text);
      assert.ok(text.includes('Wrapped for Outlook.') && text.includes('Not for Outlook.'), text);
      assert.ok(text.includes('[image: Second logo] HTML block'), text);
      assert.ok(text.includes('```html\n<!-- a comment in a code sample is content -->\n```'), 'the code sample as written');
      assert.ok(!text.includes('<div') && !text.includes('<img') && !text.includes('[logo]:'), text);
    });
  });

  describe('an HTML page', () => {
    it('drops its comments, keeps the conditional ones, and reads its images and links', async () => {
      const page = `<!DOCTYPE html><html><head><title>Notes</title><meta name="email:from" content="bot@example.org">
<!-- head comment: ${SECRET} --></head><body>
<!--[if mso]><table><tr><td><![endif]-->
<p>See <a href="https://example.com/a">the article</a>, <a href="notes/local.html">a local page</a>,
<a href="#top">the top</a> and <a href="https://example.com/b">https://example.com/b</a>.</p>
<!-- ${SECRET} -->
<p><a href="https://example.com/shop"><img src="images/logo.png" alt="Shop"></a> <img src="images/logo.png"></p>
<!--[if mso]></td></tr></table><![endif]-->
</body></html>`;
      const m = await composeMessage({ path: path.join(ws, 'page.html'), text: page }, options);
      const mail = await simpleParser(m.raw, { keepCidLinks: true });
      const html = String(mail.html);
      const text = String(mail.text);
      assert.ok(!html.includes(SECRET) && !text.includes(SECRET) && !m.raw.includes(SECRET));
      assert.deepStrictEqual(
        [...html.matchAll(/<!--[\s\S]*?-->/g)].map((x) => x[0]),
        ['<!--[if mso]><table><tr><td><![endif]-->', '<!--[if mso]></td></tr></table><![endif]-->'],
      );
      const flat = text.replace(/\s+/g, ' ');
      assert.ok(flat.includes('See the article (https://example.com/a), a local page, the top and https://example.com/b.'), flat);
      assert.ok(flat.includes('[image: Shop] (https://example.com/shop) [image: logo]'), flat);
      assert.ok(!/cid:|images\/|local\.html|#top/.test(text), text);
    });
  });

  describe('the text part, piece by piece', () => {
    it('links: the URL only where it means something to the reader', () => {
      assert.strictEqual(linkLabel('the site', 'https://example.com'), 'the site (https://example.com)');
      assert.strictEqual(linkLabel('https://example.com', 'https://example.com'), 'https://example.com');
      assert.strictEqual(linkLabel('ada@example.com', 'mailto:ada@example.com'), 'ada@example.com');
      assert.strictEqual(linkLabel('', 'https://example.com'), 'https://example.com');
      for (const local of ['./a.md', 'cid:x@y', 'file:///home/ada/a.pdf', '/etc/passwd', '#top', 'data:text/plain,hi']) {
        assert.strictEqual(linkLabel('text', local), 'text', local);
      }
    });

    it('Markdown: an image inside a link, images in lists, tables and quotes', async () => {
      const body = '[![Badge](img/badge.svg)](https://ci.example.com)\n\n- ![one](a/one.png)\n\n| a |\n|---|\n| ![cell](c.png) |\n\n> ![quoted](q.png)\n';
      const text = await markdownText(body, await lexMarkdown(body));
      assert.strictEqual(text, '[image: Badge] (https://ci.example.com)\n\n- [image: one]\n\n| a |\n|---|\n| [image: cell] |\n\n> [image: quoted]\n');
    });

    it('Markdown: code that shows an image or a comment stays as written, and the image after it is still rewritten', async () => {
      const body = 'Write `![logo](logo.png)` like this:\n\n```md\n![logo](logo.png) <!-- note -->\n```\n\n![logo](logo.png)\n';
      const text = await markdownText(body, await lexMarkdown(body));
      assert.strictEqual(text, 'Write `![logo](logo.png)` like this:\n\n```md\n![logo](logo.png) <!-- note -->\n```\n\n[image: logo]\n');
    });

    it('HTML: lines wrap at 78 characters, never inside an [image: alt] label', async () => {
      const words = 'word '.repeat(14);
      const text = await htmlText(`<p>${words}<img src="a.png" alt="a chart of the quarter"> ${words}</p>`);
      assert.ok(text.includes('[image: a chart of the quarter]'), text);
      assert.ok(text.split('\n').length > 1 && text.split('\n').every((l) => l.length <= 78 || l.includes('[image:')), text);
      assert.ok(!text.includes('\uE000'));
    });

    it('HTML: a decorative image (alt="") says nothing, a missing alt says the file name', async () => {
      const text = await htmlText('<p><img src="spacer.gif" alt="">Hello <img src="x/chart-2024.png"></p>');
      assert.strictEqual(text.trim(), 'Hello [image: chart-2024]');
    });
  });
});
