// The preview webview's page and the email body it shows, in plain Node (no webview needed): the page's CSP and
// nonce (src/preview/html.ts) and the body as the frame receives it (src/preview/body.ts). What the webview does
// with them is checked in the real extension host (test/integration/preview.test.ts).
import * as assert from 'assert';
import { load } from 'cheerio';
import { prepareBody } from '../../src/preview/body';
import { contentSecurityPolicy, createNonce, previewHtml } from '../../src/preview/html';

describe('preview page', () => {
  it('builds its page from one function: CSP first, a fresh nonce, remote images only when allowed', () => {
    const nonce = createNonce();
    assert.notStrictEqual(nonce, createNonce(), 'two nonces were equal');
    assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'the nonce is shorter than 128 bits');
    const html = previewHtml({ cspSource: 'https://webview.test', nonce, scriptUris: ['https://webview.test/p.js'], styleUri: 'https://webview.test/p.css', allowRemoteImages: false });
    const firstTag = /<head>\s*(<[^>]+>)/.exec(html)?.[1] ?? '';
    assert.match(firstTag, /^<meta http-equiv="Content-Security-Policy"/, 'the CSP meta is not the first element of <head>');
    const csp = contentSecurityPolicy({ cspSource: 'https://webview.test', nonce, allowRemoteImages: false });
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/=]/g, '\\$&')}'(;|$)`));
    assert.doesNotMatch(csp, /https:(?!\/\/webview)/, 'remote images allowed before the user asked');
    assert.match(contentSecurityPolicy({ cspSource: 'x', nonce, allowRemoteImages: true }), /img-src [^;]*https:/);
    assert.strictEqual((html.match(/<script/g) ?? []).length, 1, 'more than our one script in the page');
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test/p.js"></script>`), 'our script does not carry the nonce');
  });

  it('prepares the email body: no <meta http-equiv> or <base>, remote images held back and listed, cid: images kept', () => {
    const body = prepareBody(
      '<html><head><meta http-equiv="refresh" content="0;url=https://x.test"><base href="https://x.test/"></head>' +
        '<body><img src="https://t.test/p.gif"><img src="cid:a@b"><img srcset="//t.test/a.png 2x"><table><tr><td background="http://t.test/bg.png"></td></tr></table></body></html>',
      { allowRemoteImages: false },
    );
    const $ = load(body.html);
    assert.strictEqual($('meta[http-equiv], base').length, 0, '<meta http-equiv> or <base> survived');
    assert.deepStrictEqual(body.remoteImages, ['https://t.test/p.gif', '//t.test/a.png', 'http://t.test/bg.png']);
    assert.strictEqual($('img[src^="https:"], [srcset*="t.test"], [background]').length, 0, 'a remote image kept its address');
    assert.strictEqual($('img[src="cid:a@b"]').length, 1, 'an inline image lost its cid');
  });
});
