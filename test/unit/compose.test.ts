import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { type AddressObject, simpleParser } from 'mailparser';
import { ReadCache } from '../../src/core/assets/readCache';
import { composeMessage, composeMessageStream, composePreview } from '../../src/core/message/compose';
import { writeEml } from '../../src/core/message/eml';
import { ErrorCode, isSendAsEmailError } from '../../src/core/errors';
import { formatBytes } from '../../src/core/format';
import { defaultSettings, type EmailSettings } from '../../src/core/settings';
import type { ComposedMessage, ComposeOptions, SourceDocument } from '../../src/core/types';
import { makeWorkspace, sha256 } from '../support/fixtures';

const LONG_WORDS = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
const LONG_TOKEN = 'x'.repeat(5000);

/** A MIME part as read back by a deliberately small, independent splitter: type, unfolded headers, children. */
interface MimePart {
  type: string;
  headers: string;
  children: MimePart[];
}

function parseMime(raw: string): MimePart {
  const end = raw.indexOf('\r\n\r\n');
  const headers = (end < 0 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const body = end < 0 ? '' : raw.slice(end + 4);
  const contentType = /^content-type:\s*([^\r\n]*)/im.exec(headers)?.[1] ?? 'text/plain';
  const type = contentType.split(';')[0].trim().toLowerCase();
  const children: MimePart[] = [];
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";\s]+)"?/i.exec(contentType)?.[1];
    assert.ok(boundary, `no boundary in ${contentType}`);
    let current: string[] | undefined;
    for (const line of body.split('\r\n')) {
      if (line === `--${boundary}` || line === `--${boundary}--`) {
        if (current) children.push(parseMime(current.join('\r\n')));
        current = line === `--${boundary}` ? [] : undefined;
        if (!current) break;
      } else if (current) current.push(line);
    }
  }
  return { type, headers, children };
}

function shape(p: MimePart): string {
  return p.children.length > 0 ? `${p.type}[${p.children.map(shape).join(',')}]` : p.type;
}

function headerBlock(raw: Buffer): string {
  const s = raw.toString('latin1');
  return s.slice(0, s.indexOf('\r\n\r\n'));
}

/** CRLF everywhere, nothing over 998 octets per line. */
function assertWireSafe(raw: Buffer): void {
  const s = raw.toString('latin1');
  assert.ok(!/[^\r]\n/.test(s) && !s.startsWith('\n'), 'a bare LF');
  assert.ok(!/\r(?!\n)/.test(s), 'a bare CR');
  let longest = 0;
  for (const line of s.split('\r\n')) longest = Math.max(longest, line.length);
  assert.ok(longest <= 998, `a line of ${longest} octets`);
}

function addresses(a: AddressObject | AddressObject[] | undefined): { name: string; address?: string }[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ name: v.name, address: v.address })));
}

describe('compose', () => {
  let root: string;
  let ws: string;
  let outside: string;
  before(() => ({ root, ws, outside } = makeWorkspace('sae-compose-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function settings(change: (s: EmailSettings) => void = () => undefined): EmailSettings {
    const s = defaultSettings();
    s.from = 'Report Bot <bot@example.org>';
    change(s);
    return s;
  }

  function options(extra: Partial<ComposeOptions> = {}): ComposeOptions {
    return { settings: settings(), workspaceFolders: [ws], ...extra };
  }

  function markdownFixture(): SourceDocument {
    const text = fs
      .readFileSync(path.join(ws, 'doc.md'), 'utf8')
      .replace('@@WS@@', ws)
      .replace('@@WSURL@@', pathToFileURL(ws).href)
      .concat(`\n${LONG_WORDS}\n\n${LONG_TOKEN}\n`);
    return { path: path.join(ws, 'doc.md'), text };
  }

  function doc(name: string, text: string): SourceDocument {
    return { path: path.join(ws, name), text };
  }

  describe('the Markdown fixture', () => {
    let source: SourceDocument;
    let message: ComposedMessage;
    before(async () => {
      source = markdownFixture();
      message = await composeMessage(source, options());
    });

    it('has the tree mixed { alternative { text, related { html, images } }, attachment }', () => {
      const tree = parseMime(message.raw.toString('latin1'));
      const images = message.inlineImages.map((i) => i.contentType).join(',');
      assert.strictEqual(shape(tree), `multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,${images}]],application/pdf]`);
      const types = message.inlineImages.map((i) => i.contentType).sort();
      // The SVG travels as a PNG (sendAsEmail.images.convertSvg, on by default).
      assert.deepStrictEqual(types, ['image/gif', 'image/jpeg', ...Array(9).fill('image/png'), 'image/webp']);
      for (const part of tree.children[0].children[1].children.slice(1)) {
        assert.match(part.headers, /^Content-Disposition: inline; filename(\*0\*)?=/m);
        assert.match(part.headers, /^Content-ID: <[0-9a-f]{16}@example\.org>$/m);
      }
    });

    it('decodes back (mailparser) to the same headers, with Chinese subject and names intact and no Bcc', async () => {
      const parsed = await simpleParser(message.raw, { keepCidLinks: true });
      assert.strictEqual(parsed.subject, '测试邮件');
      assert.deepStrictEqual(addresses(parsed.from), [{ name: 'Report Bot', address: 'bot@example.org' }]);
      assert.deepStrictEqual(addresses(parsed.to), [
        { name: 'ATE系统', address: 'ate@example.com' },
        { name: '', address: 'bob@example.com' },
      ]);
      assert.deepStrictEqual(addresses(parsed.cc), [{ name: '', address: 'carol@example.com' }]);
      assert.strictEqual(parsed.bcc, undefined);
      assert.ok(!/^bcc:/im.test(headerBlock(message.raw)));
      assert.ok(!message.raw.includes('hidden@example.com'), 'the Bcc address appears nowhere in the message');
      assert.deepStrictEqual(message.envelope, { from: 'bot@example.org', to: ['ate@example.com', 'bob@example.com', 'carol@example.com', 'hidden@example.com'] });
      assert.deepStrictEqual(message.headers.bcc, ['hidden@example.com']);
      assert.strictEqual(parsed.messageId, message.messageId);
      assert.match(message.messageId, /^<[0-9a-f-]{36}@example\.org>$/);
    });

    it('has exactly one part for every cid: in the HTML, with the bytes of the file, and no unreferenced part', async () => {
      const parsed = await simpleParser(message.raw, { keepCidLinks: true });
      const html = String(parsed.html);
      const cids = [...new Set([...html.matchAll(/cid:([^"')\s]+)/g)].map((m) => m[1]))];
      const inline = parsed.attachments.filter((a) => a.contentDisposition === 'inline');
      assert.strictEqual(inline.length, 12);
      assert.strictEqual(cids.length, inline.length, 'every inline part is referenced');
      for (const cid of cids) {
        const parts = inline.filter((a) => a.contentId === `<${cid}>`);
        assert.strictEqual(parts.length, 1, cid);
        const mine = message.inlineImages.find((i) => i.cid === cid);
        assert.ok(mine, cid);
        // A data: image carries its decoded bytes, the SVG its PNG rendering, a file its own bytes.
        const expected = mine.source.startsWith('data:') || mine.source.endsWith('.svg') ? mine.content : fs.readFileSync(mine.source);
        if (mine.source.endsWith('.svg')) assert.ok(expected.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')), 'the SVG part is a PNG');
        assert.ok(parts[0].content.equals(expected), mine.source);
        assert.strictEqual(parts[0].filename, mine.filename);
        assert.strictEqual(cid.split('@')[0], sha256(expected).slice(0, 16));
      }
      const names = inline.map((a) => a.filename).sort();
      assert.ok(names.includes('图表.png') && names.includes('my chart.png') && names.includes('image-1.png'), names.join(', '));
      const logo = message.inlineImages.find((i) => i.filename === 'logo.png');
      assert.strictEqual(logo?.refs.length, 4, 'logo.png three times, and a copy with the same bytes');
    });

    it('carries the real attachment with its bytes', async () => {
      const parsed = await simpleParser(message.raw);
      const pdf = parsed.attachments.filter((a) => a.contentDisposition === 'attachment');
      assert.deepStrictEqual(pdf.map((a) => [a.filename, a.contentType]), [['report.pdf', 'application/pdf']]);
      assert.ok(pdf[0].content.equals(fs.readFileSync(path.join(ws, 'files', 'report.pdf'))));
      assert.deepStrictEqual(message.attachments, [{ filename: 'report.pdf', contentType: 'application/pdf', size: pdf[0].size, path: path.join(ws, 'files', 'report.pdf') }]);
    });

    it('sends the Markdown source without front matter, made for reading, as the text part', async () => {
      // Issue 14: images as [image: alt], no local path or data: URI, raw HTML as its text, code as written.
      const parsed = await simpleParser(message.raw);
      assert.strictEqual(parsed.text?.replace(/\r\n/g, '\n').trimEnd(), message.text.trimEnd());
      const text = message.text;
      assert.ok(text.startsWith('# Weekly report\n\nPlain image: [image: logo]\n'), text.slice(0, 200));
      assert.ok(text.includes('A data URI: [image: dot]\n') && text.includes('[image: srcset]') && text.includes('[image: picture]'));
      assert.ok(text.includes("```js\nconsole.log('hello');\n```"), 'the code block as written');
      assert.ok(text.includes('See https://example.com/docs for more.'));
      assert.ok(!/subject:|hidden@example\.com|img\/|data:|<style|<table|<picture|\]\(/.test(text), text.slice(0, 2000));
      assert.ok(!text.includes(ws), 'no local path');
      assert.ok(parsed.text?.includes(LONG_TOKEN), 'a 5000-character line survives intact');
    });

    it('sends inlined, email-safe HTML: styles on elements, media queries kept, links working, remote images remote', async () => {
      const parsed = await simpleParser(message.raw, { keepCidLinks: true });
      const html = String(parsed.html);
      assert.strictEqual(html, message.html);
      assert.ok(html.startsWith('<!DOCTYPE html>'));
      assert.match(html, /<title>测试邮件<\/title>/);
      assert.match(html, /<h1 id="weekly-report" style="[^"]*font-size: 28px/);
      assert.match(html, /<style>\s*@media[^{]*max-width: 600px/);
      assert.match(html, /<a href="https:\/\/example\.com\/docs" style="[^"]*color: #0969da/);
      assert.ok(html.includes('src="https://images.example.com/remote.png"'));
      assert.ok(!/src="(?:\.\/)?img\/|url\(['"]?img\/|background="img\//.test(html), 'no local reference left');
      assert.ok(!html.includes('data:image'), 'data: URIs became parts');
      assert.deepStrictEqual(
        message.warnings.map((w) => [w.kind, w.line]),
        [
          // Issue 14: WebP is named with the clients that do not show it.
          ['image-format', source.text.split('\n').findIndex((l) => l.includes('pic.webp')) + 1],
          ['remote-image', source.text.split('\n').findIndex((l) => l.includes('remote.png')) + 1],
        ],
      );
      assert.deepStrictEqual(message.problems, []);
    });

    it('is CRLF throughout with no line over 998 octets', () => {
      assertWireSafe(message.raw);
      assert.ok(message.html.includes(LONG_TOKEN));
    });
  });

  describe('an HTML page', () => {
    let message: ComposedMessage;
    before(async () => {
      message = await composeMessage(doc('page.html', fs.readFileSync(path.join(ws, 'page.html'), 'utf8')), options());
    });

    it('takes its headers from <title> and <meta name="email:*">', async () => {
      const parsed = await simpleParser(message.raw);
      assert.strictEqual(parsed.subject, 'Release notes from the title');
      assert.deepStrictEqual(addresses(parsed.from), [{ name: 'Release Bot', address: 'bot@example.net' }]);
      assert.deepStrictEqual(addresses(parsed.to).map((a) => a.address), ['dev@example.com', 'ops@example.com']);
      assert.deepStrictEqual(addresses(parsed.cc).map((a) => a.address), ['lead@example.com']);
      assert.ok(!/^bcc:/im.test(headerBlock(message.raw)));
      assert.deepStrictEqual(message.envelope.to, ['dev@example.com', 'ops@example.com', 'lead@example.com', 'audit@example.com']);
      assert.match(message.messageId, /@example\.net>$/);
    });

    it('embeds the images of every quoting style and the <style> block, as alternative { text, related }', () => {
      const tree = parseMime(message.raw.toString('latin1'));
      assert.strictEqual(shape(tree), 'multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png,image/jpeg,image/gif]]');
      assert.deepStrictEqual(message.inlineImages.map((i) => i.filename), ['bg.png', 'logo.png', 'photo.jpg', 'anim.gif']);
      const lines = fs.readFileSync(path.join(ws, 'page.html'), 'utf8').split('\n');
      const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
      assert.deepStrictEqual(
        message.inlineImages.map((i) => i.refs[0].line),
        [lineOf('url(img/bg.png)'), lineOf('img/logo.png'), lineOf('img/photo.jpg'), lineOf('img/anim.gif')],
      );
      assert.strictEqual(lineOf('url(img/bg.png)'), 12);
    });

    it('drops scripts, handlers, javascript: URLs and the email:* meta elements, and declares UTF-8', () => {
      const html = message.html;
      assert.ok(!/<script|onclick|javascript:|email:bcc|audit@example\.com/i.test(html), html);
      assert.ok(html.includes('<meta charset="utf-8">') && !html.includes('iso-8859-1'));
      assert.match(html, /<h1 style="color: #123456;">Release 1\.2<\/h1>/);
    });

    it('has a readable text part: headings, list items, links with their URL', () => {
      const text = message.text;
      assert.match(text, /Release 1\.2/);
      assert.match(text, /\* First item/);
      // Issue 14: links as text (URL).
      assert.match(text, /changelog link \(https:\/\/example\.com\/changelog\)/);
      assert.ok(!/cid:|<img|alert/.test(text), text);
    });
  });

  it('wraps an HTML fragment in a document and uses a plain alternative without images', async () => {
    const m = await composeMessage(doc('fragment.html', '<p>Hello <b>there</b></p>'), options());
    assert.strictEqual(shape(parseMime(m.raw.toString('latin1'))), 'multipart/alternative[text/plain,text/html]');
    assert.ok(
      m.html.startsWith(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>fragment</title><meta name="color-scheme" content="light">' +
          '<meta name="supported-color-schemes" content="light"></head><body><p>Hello <b>there</b></p>',
      ),
      m.html,
    );
    assert.strictEqual(m.text.trim(), 'Hello there');
  });

  describe('headers', () => {
    const md = '---\nto: fm@example.com\nsubject: From front matter\n---\n# The heading\n';
    const withSettings = (): ComposeOptions => options({ settings: settings((s) => ((s.to = ['settings@example.com']), (s.cc = ['cc-settings@example.com']))) });

    it('prefers overrides, then the document, then the settings', async () => {
      const fromDoc = await composeMessage(doc('a.md', md), withSettings());
      assert.deepStrictEqual(fromDoc.headers.to, ['fm@example.com']);
      assert.deepStrictEqual(fromDoc.headers.cc, ['cc-settings@example.com']);
      assert.strictEqual(fromDoc.headers.subject, 'From front matter');

      const overridden = await composeMessage(doc('a.md', md), { ...withSettings(), overrides: { to: 'Ov <ov@example.com>', cc: [], subject: 'Typed', from: 'Me <me@example.net>' } });
      assert.deepStrictEqual(overridden.headers.to, ['Ov <ov@example.com>']);
      assert.deepStrictEqual(overridden.headers.cc, []);
      assert.strictEqual(overridden.headers.subject, 'Typed');
      assert.strictEqual(overridden.headers.from, 'Me <me@example.net>');
      assert.strictEqual(overridden.envelope.from, 'me@example.net');

      const fromSettings = await composeMessage(doc('a.md', '# Only a heading\n'), withSettings());
      assert.deepStrictEqual(fromSettings.headers.to, ['settings@example.com']);
    });

    it('falls back to the first <h1>, then the file name, for the subject', async () => {
      assert.strictEqual((await composeMessage(doc('notes.md', 'Intro\n\n# First *real* heading\n\n# Second\n'), options())).headers.subject, 'First real heading');
      const m = await composeMessage(doc('季度 报告.md', 'No heading at all.\n'), options());
      assert.strictEqual(m.headers.subject, '季度 报告');
      assert.strictEqual((await simpleParser(m.raw)).subject, '季度 报告');
    });

    it('needs a sender', async () => {
      await assert.rejects(composeMessage(doc('a.md', md), options({ settings: settings((s) => (s.from = '')) })), (e: unknown) => isSendAsEmailError(e, ErrorCode.NO_FROM));
    });

    it('rejects a bad address naming it and its field', async () => {
      await assert.rejects(composeMessage(doc('a.md', '---\ncc: good@example.com, bad@@example.com\n---\nx\n'), options()), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.INVALID_ADDRESS));
        assert.ok(e.message.includes('bad@@example.com') && e.message.includes('Cc'), e.message);
        return true;
      });
    });

    it('rejects line breaks in any header value', async () => {
      await assert.rejects(composeMessage(doc('a.md', md), options({ overrides: { subject: 'Hi\r\nBcc: victim@example.com' } })), (e: unknown) => isSendAsEmailError(e, ErrorCode.HEADER_INJECTION) && e.message.includes('Subject'));
      await assert.rejects(composeMessage(doc('a.md', '---\nsubject: "Hi\\nthere"\n---\nx\n'), options()), (e: unknown) => isSendAsEmailError(e, ErrorCode.HEADER_INJECTION));
      await assert.rejects(composeMessage(doc('a.md', md), options({ overrides: { to: 'a@example.com\nX-Evil: 1' } })), (e: unknown) => isSendAsEmailError(e, ErrorCode.HEADER_INJECTION) && e.message.includes('To'));
    });

    it('puts internationalized domains into the envelope and the identifiers in punycode', async () => {
      const m = await composeMessage(doc('a.md', '---\nto: 张三 <zhang@例子.中国>\nfrom: 发件人 <me@例子.中国>\n---\n![logo](img/logo.png)\n'), options());
      assert.deepStrictEqual(m.envelope, { from: 'me@xn--fsqu00a.xn--fiqs8s', to: ['zhang@xn--fsqu00a.xn--fiqs8s'] });
      assert.match(m.messageId, /@xn--fsqu00a\.xn--fiqs8s>$/);
      assert.match(m.inlineImages[0].cid, /@xn--fsqu00a\.xn--fiqs8s$/);
      const parsed = await simpleParser(m.raw);
      assert.strictEqual(addresses(parsed.to)[0].name, '张三');
      assertWireSafe(m.raw);
    });

    it('folds a 1,200-character subject and display names without spaces into header lines of at most 78 octets', async () => {
      const subject = 'S'.repeat(1200);
      const name = 'N'.repeat(1200);
      const quoted = `Q"${'q'.repeat(1200)}"\\`;
      const cases: { subject: string; from: string; to: string[] }[] = [
        { subject, from: `${name} <ada@example.com>`, to: ['"Lovelace, Ada" <ada@example.com>', `"${quoted.replace(/["\\]/g, '\\$&')}" <bob@example.com>`, 'carol@example.com'] },
        { subject: `预警 ${'x'.repeat(1200)} 结束`, from: 'ada@example.com', to: [`张三${'y'.repeat(1200)} <zhang@例子.中国>`] },
        { subject: `${'short words '.repeat(10)}${'z'.repeat(1200)}`, from: `"${'w'.repeat(1200)}, Jr." <ada@example.com>`, to: ['bob@example.com'] },
      ];
      for (const c of cases) {
        const m = await composeMessage(doc('long.md', '# Long\n'), options({ overrides: { subject: c.subject, from: c.from, to: c.to } }));
        assertWireSafe(m.raw);
        for (const line of headerBlock(m.raw).split('\r\n')) assert.ok(line.length <= 78, `a header line of ${line.length} octets: ${line.slice(0, 60)}…`);
        const parsed = await simpleParser(m.raw);
        assert.strictEqual(parsed.subject, c.subject);
        const expected = (list: string[]): { name: string; address: string }[] =>
          list.map((a) => {
            const parsedAddress = /^(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]+)>$/.exec(a);
            return parsedAddress ? { name: (parsedAddress[1] ?? parsedAddress[2]).replace(/\\(.)/g, '$1'), address: parsedAddress[3] } : { name: '', address: a };
          });
        assert.deepStrictEqual(addresses(parsed.from), expected([c.from]));
        assert.deepStrictEqual(
          addresses(parsed.to).map((a) => ({ ...a, address: a.address?.replace('xn--fsqu00a.xn--fiqs8s', '例子.中国') })),
          expected(c.to),
        );
      }
      assert.ok(quoted.length > 1200);
    });

    it('composes without recipients, with a warning', async () => {
      const m = await composeMessage(doc('a.md', '# Draft\n'), options());
      assert.deepStrictEqual(m.envelope.to, []);
      assert.deepStrictEqual(m.warnings.map((w) => w.kind), ['no-recipients']);
      assert.ok(!/^to:/im.test(headerBlock(m.raw)));
    });
  });

  describe('identifiers and determinism', () => {
    const deterministic = { boundaryPrefix: 'test', date: new Date('2024-05-06T07:08:09Z'), messageId: 'fixed@example.org' };

    it('gives byte-identical output for the same input and deterministic options', async () => {
      const a = await composeMessage(markdownFixture(), options({ deterministic }));
      const b = await composeMessage(markdownFixture(), options({ deterministic }));
      assert.ok(a.raw.equals(b.raw));
      assert.match(headerBlock(a.raw), /^Message-ID: <fixed@example\.org>$/m);
      assert.match(headerBlock(a.raw), /^Date: Mon, 06 May 2024 07:08:09 \+0000$/m);
      assert.ok(a.raw.includes('boundary=test-deterministic-Part_'));
      assert.strictEqual(a.date.getTime(), deterministic.date.getTime());
    });

    it('streams exactly the bytes composeMessage builds (composeMessageStream), once', async () => {
      const a = await composeMessage(markdownFixture(), options({ deterministic }));
      const streamed = await composeMessageStream(markdownFixture(), options({ deterministic }));
      const chunks: Buffer[] = [];
      // A chunk is only valid until the next is requested: keep a copy of each.
      for await (const chunk of streamed.chunks()) chunks.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(chunks).equals(a.raw), 'the stream differs from the buffer');
      assert.strictEqual(streamed.size, a.raw.length);
      assert.strictEqual(streamed.messageId, a.messageId);
      assert.deepStrictEqual(streamed.envelope, a.envelope);
      assert.deepStrictEqual(streamed.inlineImages.map((i) => i.cid), a.inlineImages.map((i) => i.cid));
      assert.deepStrictEqual(streamed.inlineImages.map((i) => i.size), a.inlineImages.map((i) => i.size));
      // Local images are not held in memory: they are streamed from their checked real paths.
      const local = streamed.inlineImages.filter((i) => i.file !== undefined);
      assert.ok(local.length >= 3, `only ${local.length} streamed images`);
      for (const img of local) {
        assert.strictEqual(img.content.length, 0);
        assert.strictEqual(img.file, fs.realpathSync(img.file!));
      }
      assert.throws(() => streamed.chunks(), /only once/);
    });

    it('counts exactly the bytes composeMessage builds without building them (composePreview), holding every image', async () => {
      const a = await composeMessage(markdownFixture(), options({ deterministic, lenient: true }));
      const preview = await composePreview(markdownFixture(), options({ deterministic, lenient: true }));
      assert.strictEqual(preview.size, a.raw.length);
      assert.ok(!('raw' in preview), 'the preview built the MIME bytes');
      assert.strictEqual(preview.html, a.html);
      assert.strictEqual(preview.text, a.text);
      assert.deepStrictEqual(preview.inlineImages.map((i) => [i.cid, sha256(i.content)]), a.inlineImages.map((i) => [i.cid, sha256(i.content)]));
    });

    it('gives every message a new Message-ID, and uses idDomain for Message-ID and Content-IDs', async () => {
      const a = await composeMessage(markdownFixture(), options());
      const b = await composeMessage(markdownFixture(), options());
      assert.notStrictEqual(a.messageId, b.messageId);
      assert.ok(!a.raw.equals(b.raw));
      const c = await composeMessage(markdownFixture(), options({ idDomain: 'ids.example.net' }));
      assert.match(c.messageId, /@ids\.example\.net>$/);
      assert.ok(c.inlineImages.every((i) => i.cid.endsWith('@ids.example.net')));
    });
  });

  describe('problems', () => {
    const broken = () =>
      doc('broken.md', `# Broken\n\n![ok](img/logo.png)\n\n![gone](img/missing.png)\n\n![secret](${outside}/secret.png)\n\n![key](link/id_rsa)\n`);

    it('refuses to compose with missing or refused images, listing each with its line', async () => {
      await assert.rejects(composeMessage(broken(), options()), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.IMAGE_NOT_FOUND));
        assert.deepStrictEqual(e.problems.map((p) => [p.code, p.line]), [
          [ErrorCode.IMAGE_NOT_FOUND, 5],
          [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, 7],
          [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, 9],
        ]);
        assert.strictEqual(
          e.message,
          `3 images cannot be embedded: "img/missing.png" (line 5) not found; "${outside}/secret.png" (line 7) is outside the workspace; "link/id_rsa" (line 9) is outside the workspace.`,
        );
        assert.ok(!e.message.includes('not a real key'));
        return true;
      });
    });

    it('composes anyway in lenient (preview) mode, leaving the references and reporting them', async () => {
      const m = await composeMessage(broken(), options({ lenient: true }));
      assert.strictEqual(m.inlineImages.length, 1);
      assert.deepStrictEqual(m.problems.map((p) => p.line), [5, 7, 9]);
      assert.deepStrictEqual(m.warnings.map((w) => w.kind), ['image-not-found', 'image-outside-workspace', 'image-outside-workspace', 'no-recipients']);
      assert.ok(m.html.includes('src="img/missing.png"') && m.html.includes('src="link/id_rsa"'));
      assert.ok(!m.raw.includes('not a real key'));
    });

    it('gives each warning its severity where it is made: a missing image is an error, a remote image a warning', async () => {
      const m = await composePreview(doc('severity.md', '# S\n\n![gone](img/missing.png)\n\n![far](https://cdn.example.com/a.png)\n'), options({ lenient: true }));
      assert.deepStrictEqual(
        m.warnings.map((w) => [w.kind, w.severity, w.line]),
        [
          ['remote-image', 'warning', 5],
          ['image-not-found', 'error', 3],
          ['no-recipients', 'warning', undefined],
        ],
      );
    });

    it('refuses missing and outside attachments', async () => {
      await assert.rejects(
        composeMessage(doc('att.md', '---\nattachments:\n  - files/missing.pdf\n  - link/id_rsa\n---\nx\n'), options()),
        (e: unknown) => isSendAsEmailError(e, ErrorCode.ATTACHMENT_NOT_FOUND) && e.problems[1].code === ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE && e.problems[0].line === 3,
      );
    });
  });

  describe('cid: written by hand', () => {
    const smtplibPage = [
      '<html><head><title>Weekly chart</title>', // 1
      '<meta name="email:inline" content="image1=img/photo.jpg, logo=img/logo.png">', // 2
      '</head><body>', // 3
      '<p>As attached in code by smtplib:</p><img src="cid:image1" alt="chart">', // 4
      '<table><tr><td style="background-image: url(cid:logo)">x</td></tr></table><img src="img/anim.gif">', // 5
      '</body></html>',
    ].join('\n');

    it('sends each part an HTML page names in <meta name="email:inline"> with exactly that Content-ID, inline', async () => {
      const m = await composeMessage(doc('smtplib.html', smtplibPage), options());
      const parsed = await simpleParser(m.raw, { keepCidLinks: true });
      const part = (cid: string) => parsed.attachments.filter((a) => a.contentId === `<${cid}>`);
      assert.strictEqual(part('image1').length, 1);
      assert.strictEqual(part('image1')[0].contentDisposition, 'inline');
      assert.strictEqual(part('image1')[0].contentType, 'image/jpeg');
      assert.ok(part('image1')[0].content.equals(fs.readFileSync(path.join(ws, 'img', 'photo.jpg'))));
      assert.strictEqual(part('logo').length, 1);
      assert.ok(part('logo')[0].content.equals(fs.readFileSync(path.join(ws, 'img', 'logo.png'))));
      const html = String(parsed.html);
      assert.ok(html.includes('<img src="cid:image1" alt="chart">'), html);
      assert.match(html, /background-image: url\(cid:logo\)/);
      assert.ok(!html.includes('email:inline'), 'the meta element does not travel');
      // Every cid: in the HTML has exactly one part, the hand-written ones and the one made for img/anim.gif.
      const cids = [...new Set([...html.matchAll(/cid:([^"')\s]+)/g)].map((x) => x[1]))];
      assert.strictEqual(cids.length, 3);
      for (const cid of cids) assert.strictEqual(part(cid).length, 1, cid);
      assert.deepStrictEqual(m.inlineImages.find((i) => i.cid === 'image1')?.refs, [{ ref: 'cid:image1', line: 4 }]);
      assert.deepStrictEqual(m.warnings.map((w) => w.kind), ['no-recipients']);
      // Streamed from the file like any local image, to the same bytes.
      const deterministic = { date: new Date('2024-05-06T07:08:09Z'), messageId: 'fixed@example.org' };
      const built = await composeMessage(doc('smtplib.html', smtplibPage), options({ deterministic }));
      const streamed = await composeMessageStream(doc('smtplib.html', smtplibPage), options({ deterministic }));
      const chunks: Buffer[] = [];
      for await (const chunk of streamed.chunks()) chunks.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(chunks).equals(built.raw));
      assert.ok(streamed.inlineImages.find((i) => i.cid === 'image1')?.file, 'the named part is streamed from its file');
    });

    it('takes the parts of a Markdown document from the front matter "inline:" key', async () => {
      const md = '---\ninline:\n  image1: img/photo.jpg\n---\n# Chart\n\n![chart](cid:image1)\n';
      const m = await composeMessage(doc('inline.md', md), options());
      const parsed = await simpleParser(m.raw, { keepCidLinks: true });
      const parts = parsed.attachments.filter((a) => a.contentId === '<image1>');
      assert.strictEqual(parts.length, 1);
      assert.strictEqual(parts[0].contentDisposition, 'inline');
      assert.match(String(parsed.html), /<img src="cid:image1" alt="chart"/);
    });

    it('refuses a cid: that no part provides, with its line (CID_NOT_FOUND), and warns with the line in the preview', async () => {
      const page = smtplibPage.replace('logo=img/logo.png', 'unused=img/bg.png');
      await assert.rejects(composeMessage(doc('smtplib.html', page), options()), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.CID_NOT_FOUND));
        assert.deepStrictEqual(e.problems.map((p) => [p.code, p.ref, p.line]), [[ErrorCode.CID_NOT_FOUND, 'cid:logo', 5]]);
        assert.match(e.message, /^Image "cid:logo" \(line 5\) has no inline part: name its file with inline: \{ logo: path \}/);
        return true;
      });
      const preview = await composePreview(doc('smtplib.html', page), options({ lenient: true }));
      const missing = preview.warnings.filter((w) => w.kind === 'image-not-found');
      assert.deepStrictEqual(missing.map((w) => [w.line, w.ref]), [[5, 'cid:logo']]);
      assert.deepStrictEqual(preview.problems.map((p) => p.code), [ErrorCode.CID_NOT_FOUND]);
      // The part no cid: uses is not sent, and the author hears about it.
      assert.ok(!preview.inlineImages.some((i) => i.cid === 'unused'));
      assert.deepStrictEqual(preview.warnings.filter((w) => w.kind === 'inline-unused').map((w) => w.ref), ['img/bg.png']);
    });

    it('reads a named part under the workspace policy of images', async () => {
      const md = `---\ninline: { secret: ${path.join(outside, 'secret.png')}, key: link/id_rsa }\n---\n![s](cid:secret) ![k](cid:key)\n`;
      await assert.rejects(composeMessage(doc('inline.md', md), options()), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.IMAGE_OUTSIDE_WORKSPACE));
        assert.deepStrictEqual(e.problems.map((p) => [p.code, p.line]), [[ErrorCode.IMAGE_OUTSIDE_WORKSPACE, 2], [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, 2]]);
        assert.ok(!e.message.includes('not a real key'));
        return true;
      });
    });
  });

  describe('stylesheet and CSS inlining', () => {
    it('uses the stylesheet from the settings instead of the default', async () => {
      fs.writeFileSync(path.join(ws, 'mail.css'), 'p { color: #abcdef; }\n@media (max-width: 500px) { p { color: red; } }\n');
      const m = await composeMessage(doc('s.md', 'Text\n'), options({ settings: settings((s) => (s.markdown.stylesheet = 'mail.css')) }));
      assert.match(m.html, /<p style="color: #abcdef;">Text<\/p>/);
      assert.ok(!m.html.includes('680px'), 'the default stylesheet is replaced');
      assert.match(m.html, /@media \(max-width: 500px\)/);
    });

    it('names a missing stylesheet, and refuses one that is not CSS', async () => {
      await assert.rejects(
        composeMessage(doc('s.md', 'x'), options({ settings: settings((s) => (s.markdown.stylesheet = 'styles/none.css')) })),
        (e: unknown) => isSendAsEmailError(e, ErrorCode.STYLESHEET_NOT_FOUND) && e.message.includes('styles/none.css'),
      );
      await assert.rejects(
        composeMessage(doc('s.md', 'x'), options({ settings: settings((s) => (s.markdown.stylesheet = path.join(outside, 'id_rsa'))) })),
        (e: unknown) => isSendAsEmailError(e, ErrorCode.STYLESHEET_NOT_FOUND) && !e.message.includes('not a real key'),
      );
    });

    it('keeps the <style> block and adds no style attributes when inlining is off', async () => {
      const m = await composeMessage(doc('s.md', '# Title\n'), options({ settings: settings((s) => (s.inlineCss = false)) }));
      assert.ok(!/ style="/.test(m.html));
      assert.match(m.html, /<style>[\s\S]*\.email-container \{[\s\S]*<\/style>/);
    });
  });

  it('warns when the HTML is over what Gmail shows, for a 1 MB document', async () => {
    let md = '# Big\n\n';
    for (let i = 0; md.length < 1_000_000; i++) {
      md += `## Section ${i}\n\nSome *text* with **bold**, \`code\` and a [link](https://example.com/${i}).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| ${i} | x |\n\n`;
    }
    const m = await composeMessage(doc('big.md', md), options());
    assert.ok(m.warnings.some((w) => w.kind === 'html-too-large'));
    // The size is written by the one byte formatter of the product.
    assert.strictEqual(
      m.warnings.find((w) => w.kind === 'html-too-large')?.message,
      `The HTML part is ${formatBytes(Buffer.byteLength(m.html))}; Gmail clips messages whose HTML is over 102 KB.`,
    );
    assertWireSafe(m.raw);
    // Its speed is measured by `npm run bench` (long text compose), not asserted here.
  });

  describe('writeEml', () => {
    it('writes the exact bytes atomically, replacing an older file and leaving no temporary file', async () => {
      const m = await composeMessage(markdownFixture(), options());
      const dir = path.join(root, 'eml');
      fs.mkdirSync(dir);
      const file = path.join(dir, '测试.eml');
      fs.writeFileSync(file, 'old content');
      await writeEml(file, m.raw);
      assert.ok(fs.readFileSync(file).equals(m.raw));
      assert.deepStrictEqual(fs.readdirSync(dir), ['测试.eml']);
      assert.strictEqual((await simpleParser(fs.readFileSync(file))).subject, '测试邮件');
      assertWireSafe(fs.readFileSync(file));
    });

    it('creates a missing folder for the file', async () => {
      const file = path.join(root, 'new-dir', 'deeper', 'x.eml');
      await writeEml(file, Buffer.from('x\r\n'));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'x\r\n');
      assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['x.eml']);
    });

    it('fails without leaving anything behind when the folder cannot be made', async () => {
      const blocker = path.join(root, 'a-file');
      fs.writeFileSync(blocker, 'not a folder');
      await assert.rejects(writeEml(path.join(blocker, 'x.eml'), Buffer.from('x\r\n')), /EEXIST|ENOTDIR/);
      assert.strictEqual(fs.readFileSync(blocker, 'utf8'), 'not a folder');
    });
  });
});

describe('the preview\'s image cache (ReadCache)', () => {
  let root: string;
  let ws: string;
  before(() => ({ root, ws } = makeWorkspace('sae-readcache-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const FIXED = new Date('2024-01-02T03:04:05Z');

  it('takes an image unchanged in size and modification time from the cache, reads a changed one, forgets unused ones', async () => {
    const file = path.join(ws, 'img', 'cached.png');
    const original = fs.readFileSync(path.join(ws, 'img', 'logo.png'));
    fs.writeFileSync(file, original);
    fs.utimesSync(file, FIXED, FIXED);
    const settings = defaultSettings();
    settings.from = 'bot@example.org';
    const readCache = new ReadCache();
    const withImage = { path: path.join(ws, 'cache.md'), text: '# Cached\n\n![c](img/cached.png)\n' };
    const options = { settings, workspaceFolders: [ws], lenient: true, readCache };

    const first = await composePreview(withImage, options);
    assert.ok(first.inlineImages[0]!.content.equals(original));
    assert.deepStrictEqual(readCache.stats, { files: 1, bytes: original.length });

    // Other bytes of the same size under the same modification time: the cache answers (the file is not read).
    const changed = Buffer.from(original);
    changed[changed.length - 1] ^= 0xff;
    fs.writeFileSync(file, changed);
    fs.utimesSync(file, FIXED, FIXED);
    const second = await composePreview(withImage, options);
    assert.ok(second.inlineImages[0]!.content.equals(original), 'the file was read again');
    assert.strictEqual(second.inlineImages[0]!.cid, first.inlineImages[0]!.cid);

    // A new modification time: read again, new Content-ID.
    fs.utimesSync(file, FIXED, new Date(FIXED.getTime() + 1000));
    const third = await composePreview(withImage, options);
    assert.ok(third.inlineImages[0]!.content.equals(changed), 'the changed file was not read');
    assert.notStrictEqual(third.inlineImages[0]!.cid, first.inlineImages[0]!.cid);

    // Without a cache (a send), the file is always read.
    const strict = await composeMessage(withImage, { settings, workspaceFolders: [ws] });
    assert.ok(strict.inlineImages[0]!.content.equals(changed));

    // A compose that no longer uses the image drops it.
    await composePreview({ path: withImage.path, text: '# No image\n' }, options);
    assert.deepStrictEqual(readCache.stats, { files: 0, bytes: 0 });
  });

  it('still applies the workspace policy to a cached file', async () => {
    const settings = defaultSettings();
    settings.from = 'bot@example.org';
    const readCache = new ReadCache();
    const doc = { path: path.join(ws, 'policy.md'), text: '![l](img/logo.png)\n' };
    const inside = await composePreview(doc, { settings, workspaceFolders: [ws], lenient: true, readCache });
    assert.strictEqual(inside.inlineImages.length, 1);
    // The same file, now outside the only workspace folder given: refused although it is cached.
    const other = path.join(root, 'outside');
    const refused = await composePreview(doc, { settings, workspaceFolders: [other], lenient: true, readCache });
    assert.strictEqual(refused.inlineImages.length, 0);
    assert.ok(refused.problems.some((p) => p.code === ErrorCode.IMAGE_OUTSIDE_WORKSPACE), JSON.stringify(refused.problems));
  });
});
