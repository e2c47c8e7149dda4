// A <picture>'s <source> images do not travel (compose keeps its <img>): the preview names each one with its line
// (src/preview/pictureSources.ts), and the message really carries only the <img>.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { composePreview } from '../../src/core/message/compose';
import { defaultSettings } from '../../src/core/settings';
import { pictureSourceWarnings } from '../../src/preview/pictureSources';
import { projectRoot } from '../support/root';

const WORKSPACE = path.join(projectRoot(), 'test', 'fixtures', 'workspace');

describe('preview: <picture> sources', () => {
  it('names each <source srcset> of a <picture> with its line, as a warning', () => {
    const html = fs.readFileSync(path.join(WORKSPACE, 'preview', 'picture.html'), 'utf8');
    const warnings = pictureSourceWarnings(html, 'html');
    assert.strictEqual(warnings.length, 1);
    assert.strictEqual(warnings[0]!.line, 11);
    assert.strictEqual(warnings[0]!.severity, 'warning');
    assert.match(warnings[0]!.message, /<picture> source images\/badge\.png is not sent/);
  });

  it('lists every URL of a srcset, and finds <picture> in raw HTML of Markdown but not in code or comments', () => {
    const md = [
      '# Title', // 1
      '', // 2
      '<picture>', // 3
      '  <source srcset="a.webp 1x, a@2x.webp 2x" type="image/webp">', // 4
      '  <img src="a.png" alt="A">', // 5
      '</picture>', // 6
      '', // 7
      '```html', // 8
      '<picture><source srcset="code.webp"><img src="code.png"></picture>', // 9
      '```', // 10
      '<!-- <picture><source srcset="comment.webp"></picture> -->', // 11
      'Inline `<picture><source srcset="inline.webp"></picture>` code.', // 12
    ].join('\n');
    const warnings = pictureSourceWarnings(md, 'markdown');
    assert.deepStrictEqual(
      warnings.map((w) => w.line),
      [4],
    );
    assert.match(warnings[0]!.message, /a\.webp, a@2x\.webp/);
    assert.deepStrictEqual(pictureSourceWarnings('<p>No picture here.</p><source srcset="x.webp">', 'html'), []);
  });

  it('the composed message carries the <img> of the <picture>, not its source', async () => {
    const file = path.join(WORKSPACE, 'preview', 'picture.html');
    const composed = await composePreview(
      { path: file, text: fs.readFileSync(file, 'utf8'), kind: 'html' },
      { settings: { ...defaultSettings(), from: 'sender@fixture.test' }, workspaceFolders: [WORKSPACE], lenient: true },
    );
    assert.deepStrictEqual(
      composed.inlineImages.map((i) => i.filename),
      ['sunrise.png'],
    );
    assert.doesNotMatch(composed.html, /<source/);
  });
});
