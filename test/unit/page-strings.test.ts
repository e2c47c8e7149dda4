// The preview page's texts travel from the extension in the interface's language (src/preview/pageStrings.ts); the
// page script (src/webview/preview.ts) looks them up by their English. The two lists must agree, or a text would
// stay English in Chinese (or be missing from the string bundle).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { previewHtml } from '../../src/preview/html';
import { pageStrings } from '../../src/preview/pageStrings';
import { projectRoot } from '../support/root';

describe("preview: the page's texts", () => {
  it('lists every template the page script uses, and no other', () => {
    // The page script is src/webview/preview.ts and the files beside it (its email frames...).
    const dir = path.join(projectRoot(), 'src/webview');
    const source = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const used = [...source.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'"));
    assert.ok(used.length > 10, `found only ${used.length} templates in the page script`);
    assert.deepStrictEqual([...new Set(used)].sort(), Object.keys(pageStrings()).sort());
    // With no bundle loaded the values are the English templates themselves.
    for (const [key, value] of Object.entries(pageStrings())) assert.strictEqual(value, key);
  });

  it('puts them on the page, escaped, with the language', () => {
    const strings = { 'Send to every recipient': '发送给所有收件人', 'A "quoted" <b>': '"引号" <b>' };
    const html = previewHtml({ cspSource: 'x', nonce: 'n', scriptUris: [], styleUri: 's', allowRemoteImages: false, strings, lang: 'zh-cn' });
    assert.match(html, /<html lang="zh-cn">/);
    const attr = /<body data-strings="([^"]*)">/.exec(html)?.[1];
    assert.ok(attr, 'no data-strings on <body>');
    const decoded = attr.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    assert.deepStrictEqual(JSON.parse(decoded), strings);
  });
});
