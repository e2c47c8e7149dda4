import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { load } from 'cheerio';
import type { AssetContext } from '../../src/core/assets/assetContext';
import { loadAttachments } from '../../src/core/assets/attachments';
import { embedImages } from '../../src/core/assets/embed';
import { decodeDataUri } from '../../src/core/assets/loadImage';
import { problemsError } from '../../src/core/assets/problems';
import { parseSrcset, pickFromSrcset } from '../../src/core/assets/references';
import { LineLocator } from '../../src/core/source/lineLocator';
import { ErrorCode, isSendAsEmailError, SendAsEmailError } from '../../src/core/errors';
import { detectImageType } from '../../src/core/assets/mimeType';
import { makeWorkspace, sha256 } from '../support/fixtures';
import { waitFor } from '../support/wait';

describe('assets', () => {
  let root: string;
  let ws: string;
  let outside: string;
  before(() => ({ root, ws, outside } = makeWorkspace('sae-assets-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function context(html: string, extra: Partial<AssetContext> = {}): AssetContext {
    return {
      docPath: path.join(ws, 'page.html'),
      sourceText: html,
      workspaceFolders: [ws],
      allowOutsideWorkspace: false,
      embedRemote: false,
      cidDomain: 'example.org',
      ...extra,
    };
  }

  async function embed(html: string, extra: Partial<AssetContext> = {}) {
    const $ = load(html);
    const result = await embedImages($, context(html, extra));
    return { $, ...result };
  }

  it('finds every reference form and rewrites each to the cid of one part per file', async () => {
    const html = [
      '<html><head><style>.a { background: url("img/bg.png") } @font-face { src: url(fonts/x.woff) }</style></head><body>', // 1
      '<img src="img/logo.png"><img src=\'img/logo.png\'><img src=img/logo.png>', // 2
      '<img src="img/hero-small.png" srcset="img/hero-small.png 1x, img/hero-large.png 2x">', // 3
      '<picture><source srcset="img/pic.webp" type="image/webp"><img src="img/pic-fallback.png"></picture>', // 4
      '<picture><source srcset="img/anim.gif 100w, img/photo.jpg 800w"><img alt="no src"></picture>', // 5
      '<table background="img/bg.png"><tr><td style="background-image:url(img/icon.svg)">x</td></tr></table>', // 6
      `<img src="${ws}/img/图表.png"><img src="${pathToFileURL(path.join(ws, 'img', 'my chart.png')).href}">`, // 7
      '<img src="img/my%20chart.png?x=1#frag"><img src="cid:already@there"><a href="mailto:a@b.c">m</a>', // 8
      '</body></html>',
    ].join('\n');
    const { $, inlineImages, problems, warnings } = await embed(html);
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(warnings, []);

    const byFile = new Map(inlineImages.map((i) => [path.basename(i.source), i]));
    const logo = byFile.get('logo.png');
    assert.ok(logo, 'logo embedded');
    assert.strictEqual(logo.refs.length, 3, 'the same file three times is one part');
    assert.deepStrictEqual(logo.refs.map((r) => r.line), [2, 2, 2]);
    assert.strictEqual(logo.cid, `${sha256(fs.readFileSync(path.join(ws, 'img', 'logo.png'))).slice(0, 16)}@example.org`);

    // srcset reduced to the largest candidate, srcset dropped
    const srcsetImg = $('img').eq(3);
    assert.strictEqual(srcsetImg.attr('src'), `cid:${byFile.get('hero-large.png')?.cid}`);
    assert.strictEqual(srcsetImg.attr('srcset'), undefined);
    // picture: the img's own src wins, the <source>s are gone; without a src the first source's largest candidate
    assert.strictEqual($('source').length, 0);
    assert.strictEqual($('picture img').eq(0).attr('src'), `cid:${byFile.get('pic-fallback.png')?.cid}`);
    assert.strictEqual($('picture img').eq(1).attr('src'), `cid:${byFile.get('photo.jpg')?.cid}`);
    assert.ok(!byFile.has('pic.webp'), 'a dropped <source> is not embedded');
    // background attribute, style attribute, <style> block (one part for bg.png), @font-face untouched
    assert.strictEqual($('table').attr('background'), `cid:${byFile.get('bg.png')?.cid}`);
    assert.strictEqual(byFile.get('bg.png')?.refs.length, 2);
    assert.match($('td').attr('style') ?? '', new RegExp(`url\\(cid:${byFile.get('icon.svg')?.cid}\\)`));
    const css = $('style').text();
    assert.ok(css.includes(`url("cid:${byFile.get('bg.png')?.cid}")`), css);
    assert.ok(css.includes('url(fonts/x.woff)'), 'font faces are not images');
    // absolute path (non-ASCII name), file:// URI, percent-encoded with query and fragment: one part for my chart.png
    assert.ok(byFile.has('图表.png'));
    assert.strictEqual(byFile.get('图表.png')?.filename, '图表.png');
    assert.strictEqual(byFile.get('my chart.png')?.refs.length, 2);
    // other schemes are left alone
    assert.strictEqual($('img[src="cid:already@there"]').length, 1);
    assert.strictEqual($('a').attr('href'), 'mailto:a@b.c');

    // every part's bytes are the file's bytes, with the type from the bytes
    for (const img of inlineImages) {
      assert.ok(img.content.equals(fs.readFileSync(img.source)), img.source);
      assert.strictEqual(img.size, img.content.length);
    }
    assert.strictEqual(byFile.get('icon.svg')?.contentType, 'image/svg+xml');
    assert.strictEqual(byFile.get('photo.jpg')?.contentType, 'image/jpeg');
    // every cid in the document has exactly one part
    const cids = new Set(inlineImages.map((i) => i.cid));
    assert.strictEqual(cids.size, inlineImages.length);
    const used: string[] = $.html().match(/cid:[0-9a-f]{16}@example\.org/g) ?? [];
    for (const c of used) assert.ok(cids.has(c.slice(4)), c);
    for (const c of cids) assert.ok(used.includes(`cid:${c}`), `unreferenced part ${c}`);
  });

  it('makes one part of two files with the same bytes', async () => {
    const { inlineImages } = await embed('<img src="img/logo.png">\n<img src="img/copy-of-logo.png">');
    assert.strictEqual(inlineImages.length, 1);
    assert.deepStrictEqual(inlineImages[0].refs.map((r) => r.line), [1, 2]);
  });

  it('decodes data: URIs into parts with a generated file name', async () => {
    const png = fs.readFileSync(path.join(ws, 'img', 'bg.png'));
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';
    const html = `<img src="data:image/png;base64,${png.toString('base64')}">\n<img src="data:image/svg+xml,${encodeURIComponent(svg)}">`;
    const { $, inlineImages } = await embed(html);
    assert.strictEqual(inlineImages.length, 2);
    assert.strictEqual(inlineImages[0].filename, 'image-1.png');
    assert.ok(inlineImages[0].content.equals(png));
    assert.strictEqual(inlineImages[1].filename, 'image-2.svg');
    assert.strictEqual(inlineImages[1].content.toString(), svg);
    assert.strictEqual(inlineImages[1].refs[0].line, 2);
    assert.ok($('img').toArray().every((el) => /^cid:/.test(el.attribs.src)));
    assert.ok(!$.html().includes('data:'));
  });

  it('gathers every missing, outside and invalid reference with its line, leaving the references as written', async () => {
    const html = [
      '<p>ok <img src="img/logo.png"></p>',
      '<img src="img/missing.png">',
      `<img src="${outside}/secret.png">`,
      '<img src="link/id_rsa">',
      '<img src="../outside/secret.png">',
      '<img src="img/not-an-image.png">',
      '<img src="img/missing.png">',
    ].join('\n');
    const { $, problems, inlineImages } = await embed(html);
    assert.strictEqual(inlineImages.length, 1);
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.ref, p.line]),
      [
        [ErrorCode.IMAGE_NOT_FOUND, 'img/missing.png', 2],
        [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, `${outside}/secret.png`, 3],
        [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, 'link/id_rsa', 4],
        [ErrorCode.IMAGE_OUTSIDE_WORKSPACE, '../outside/secret.png', 5],
        [ErrorCode.IMAGE_INVALID, 'img/not-an-image.png', 6],
        [ErrorCode.IMAGE_NOT_FOUND, 'img/missing.png', 7],
      ],
    );
    assert.strictEqual(problems[0].message, `Image "img/missing.png" (line 2) not found: ${path.join(ws, 'img', 'missing.png')}`);
    assert.ok(problems[2].message.includes(`${path.join(ws, 'link', 'id_rsa')} -> ${path.join(outside, 'id_rsa')}`), problems[2].message);
    assert.strictEqual($('img').eq(1).attr('src'), 'img/missing.png');
    assert.strictEqual($('img').eq(3).attr('src'), 'link/id_rsa');

    const err = problemsError(problems);
    assert.ok(err instanceof SendAsEmailError);
    assert.strictEqual(err.code, ErrorCode.IMAGE_NOT_FOUND);
    assert.strictEqual(err.problems.length, 6);
    assert.ok(
      err.message.startsWith('6 images cannot be embedded: "img/missing.png" (line 2) not found; '),
      err.message,
    );
    assert.ok(err.message.includes('"link/id_rsa" (line 4) is outside the workspace;'), err.message);
    assert.ok(err.message.endsWith('"img/missing.png" (line 7) not found.'), err.message);
  });

  it('embeds files outside the workspace when the setting allows it', async () => {
    const { problems, inlineImages } = await embed('<img src="link/secret.png">', { allowOutsideWorkspace: true });
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(inlineImages.length, 1);
  });

  it('takes the document folder as the workspace when there is none', async () => {
    const { problems, inlineImages } = await embed('<img src="img/logo.png"><img src="../outside/secret.png">', { workspaceFolders: [] });
    assert.strictEqual(inlineImages.length, 1);
    assert.deepStrictEqual(problems.map((p) => p.code), [ErrorCode.IMAGE_OUTSIDE_WORKSPACE]);
  });

  it('keeps remote images remote with one warning per URL', async () => {
    const html = '<img src="https://cdn.example.com/a.png">\n<img src="https://cdn.example.com/a.png">\n<div style="background:url(//cdn.example.com/b.png)"></div>';
    const { $, warnings, inlineImages } = await embed(html);
    assert.strictEqual(inlineImages.length, 0);
    assert.deepStrictEqual(
      warnings.map((w) => [w.kind, w.ref, w.line]),
      [
        ['remote-image', 'https://cdn.example.com/a.png', 1],
        ['remote-image', '//cdn.example.com/b.png', 3],
      ],
    );
    assert.strictEqual($('img').attr('src'), 'https://cdn.example.com/a.png');
  });

  describe('with embedRemote (a server on 127.0.0.1)', () => {
    let server: http.Server;
    let base: string;
    const png = (): Buffer => fs.readFileSync(path.join(ws, 'img', 'logo.png'));
    const hits = new Map<string, number>();
    before(async () => {
      server = http.createServer((req, res) => {
        hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
        const route = new URL(req.url ?? '/', 'http://x').pathname;
        if (route === '/ok.png') res.end(png());
        else if (route === '/page') res.setHeader('content-type', 'text/html').end('<html>not an image</html>');
        else if (route === '/big') {
          // no Content-Length: the cap must hold while streaming
          res.write(Buffer.alloc(600, 1));
          res.end(Buffer.alloc(600, 1));
        } else if (route === '/slow') {
          /* never answers */
        } else res.writeHead(404).end('no');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('downloads each URL once and embeds the same bytes once', async () => {
      const html = `<img src="${base}/ok.png">\n<img src="${base}/ok.png?x">\n<img src="${base}/ok.png">`;
      const { $, inlineImages, problems } = await embed(html, { embedRemote: true });
      assert.deepStrictEqual(problems, []);
      assert.strictEqual(inlineImages.length, 1);
      assert.ok(inlineImages[0].content.equals(png()));
      assert.strictEqual(inlineImages[0].filename, 'ok.png');
      assert.strictEqual(inlineImages[0].source, `${base}/ok.png`);
      assert.strictEqual(hits.get('/ok.png'), 1);
      assert.strictEqual(hits.get('/ok.png?x'), 1, 'a query names another resource on a server');
      assert.ok($('img').toArray().every((el) => el.attribs.src === `cid:${inlineImages[0].cid}`));
    });

    it('reports a failed download, a non-image, an oversized body and a timeout, naming each URL', async () => {
      const html = [`<img src="${base}/missing.png">`, `<img src="${base}/page">`, `<img src="${base}/big">`, `<img src="${base}/slow">`].join('\n');
      const started = Date.now();
      const { problems } = await embed(html, { embedRemote: true, remote: { maxBytes: 1000, timeoutMs: 300 } });
      assert.ok(Date.now() - started < 5000);
      assert.deepStrictEqual(
        problems.map((p) => [p.code, p.line]),
        [
          [ErrorCode.IMAGE_REMOTE_FAILED, 1],
          [ErrorCode.IMAGE_INVALID, 2],
          [ErrorCode.IMAGE_REMOTE_FAILED, 3],
          [ErrorCode.IMAGE_REMOTE_FAILED, 4],
        ],
      );
      assert.ok(problems[0].message.includes(`${base}/missing.png`) && problems[0].message.includes('HTTP 404'), problems[0].message);
      assert.ok(problems[2].message.includes('larger than 1000 bytes'), problems[2].message);
      assert.ok(problems[3].message.includes('no answer within'), problems[3].message);
    });

    it('stops when the compose is cancelled', async () => {
      const controller = new AbortController();
      const slowHits = hits.get('/slow') ?? 0;
      const pending = embed(`<img src="${base}/slow">`, { embedRemote: true, signal: controller.signal, remote: { timeoutMs: 10_000 } });
      // Abort while the download is in flight: once the (never answering) server has the request.
      await waitFor(() => (hits.get('/slow') ?? 0) > slowHits, 5000, 'the request for /slow');
      controller.abort(new Error('cancelled by the test'));
      await assert.rejects(pending, /cancelled by the test/);
    });
  });

  it('reads attachments under the same policy', async () => {
    const source = 'attachments:\n  - files/report.pdf\n  - files/nope.pdf\n  - link/id_rsa\n';
    const { attachments, problems } = await loadAttachments(['files/report.pdf', 'files/nope.pdf', 'link/id_rsa'], {
      docPath: path.join(ws, 'doc.md'),
      sourceText: source,
      workspaceFolders: [ws],
      allowOutsideWorkspace: false,
    });
    assert.deepStrictEqual(
      attachments.map((a) => [a.filename, a.contentType, a.size]),
      [['report.pdf', 'application/pdf', fs.statSync(path.join(ws, 'files', 'report.pdf')).size]],
    );
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.line]),
      [
        [ErrorCode.ATTACHMENT_NOT_FOUND, 3],
        [ErrorCode.ATTACHMENT_OUTSIDE_WORKSPACE, 4],
      ],
    );
    const err = problemsError(problems);
    assert.ok(isSendAsEmailError(err, ErrorCode.ATTACHMENT_NOT_FOUND));
    assert.ok(err.message.startsWith('2 attachments cannot be attached: "files/nope.pdf" (line 3) not found;'), err.message);
  });

  describe('helpers', () => {
    it('parses srcset candidates, commas inside URLs included', () => {
      assert.deepStrictEqual(parseSrcset('a.png 1x, b.png 2x'), [{ url: 'a.png', x: 1 }, { url: 'b.png', x: 2 }]);
      assert.deepStrictEqual(parseSrcset('data:image/png;base64,AAA= 100w,b.png 50w'), [{ url: 'data:image/png;base64,AAA=', w: 100 }, { url: 'b.png', w: 50 }]);
      assert.strictEqual(pickFromSrcset('small.png 300w, big.png 900w, mid.png 600w'), 'big.png');
      assert.strictEqual(pickFromSrcset('a.png, b.png'), 'b.png');
      assert.strictEqual(pickFromSrcset('  '), undefined);
    });

    it('decodes base64 and percent-encoded data URIs', async () => {
      assert.deepStrictEqual(await decodeDataUri('data:text/plain;base64,aGk='), { mediaType: 'text/plain', bytes: Buffer.from('hi') });
      assert.deepStrictEqual(await decodeDataUri('data:,a%20b%E5%9B%BE'), { mediaType: '', bytes: Buffer.from('a b图') });
      assert.strictEqual(await decodeDataUri('data:nocomma'), undefined);
    });

    it('finds the first unused occurrence of each reference', () => {
      const lines = new LineLocator('a.png\nb.png\na.png\n%E5%9B%BE.png\n图.png');
      assert.strictEqual(lines.find(['a.png']), 1);
      assert.strictEqual(lines.find(['a.png']), 3);
      assert.strictEqual(lines.find(['a.png']), 0);
      assert.strictEqual(lines.find(['nothing', 'b.png']), 2);
      assert.strictEqual(lines.find(['图.png']), 5);
    });

    it('recognises PNG, JPEG, GIF, WebP and SVG from their bytes, whatever the name', () => {
      const type = (f: string, name = ''): string | undefined => detectImageType(fs.readFileSync(path.join(ws, 'img', f)), name)?.contentType;
      assert.strictEqual(type('logo.png'), 'image/png');
      assert.strictEqual(type('photo.jpg', 'photo.png'), 'image/jpeg');
      assert.strictEqual(type('anim.gif'), 'image/gif');
      assert.strictEqual(type('pic.webp'), 'image/webp');
      assert.strictEqual(type('icon.svg'), 'image/svg+xml');
      assert.strictEqual(type('not-an-image.png', 'not-an-image.png'), undefined);
      assert.strictEqual(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))?.contentType, 'image/svg+xml');
      assert.strictEqual(detectImageType(Buffer.alloc(0)), undefined);
    });
  });
});
