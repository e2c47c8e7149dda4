// What the preview page posts is input: the panel acts only on known, well-formed messages (src/preview/webviewMessages.ts).
import * as assert from 'assert';
import { checkFromWebview } from '../../src/preview/webviewMessages';

describe('preview: messages from the page', () => {
  it('passes the known messages through unchanged', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'action', action: 'send' },
      { type: 'action', action: 'sendTest' },
      { type: 'action', action: 'saveEml' },
      { type: 'revealLine', line: 12 },
      { type: 'openLink', href: 'https://example.com/' },
      { type: 'loadRemoteImages' },
      { type: 'setUp' },
      { type: 'needImages', cids: ['a@b'] },
      { type: 'shown', renderId: 3 },
      { type: 'headers', fields: { to: 'a@example.com', subject: 'Hi' } },
      { type: 'mergeRow', index: 2 },
    ]) {
      assert.deepStrictEqual(checkFromWebview(m), { message: m });
    }
  });

  it('ignores an unknown action instead of sending', () => {
    for (const action of ['deleteEverything', 'SEND', '', 7, undefined]) {
      const checked = checkFromWebview({ type: 'action', action });
      assert.ok('ignored' in checked, `action ${String(action)} was accepted`);
      assert.match(checked.ignored, /unknown action/);
    }
  });

  it('ignores unknown types and malformed values without throwing', () => {
    const cases: unknown[] = [
      null,
      'ready',
      42,
      [],
      { type: 'probeScripts', html: '<script>alert(1)</script>' },
      { type: 'click', selector: '#send' },
      { type: 'revealLine' },
      { type: 'revealLine', line: 'twelve' },
      { type: 'revealLine', line: 1.5 },
      { type: 'revealLine', line: 0 },
      { type: 'openLink' },
      { type: 'needImages', cids: 'a@b' },
      { type: 'needImages', cids: [1] },
      { type: 'headers', fields: { to: ['a@example.com'] } },
      { type: 'headers' },
      { type: 'shown' },
      { type: 'shown', renderId: 0 },
      { type: 'shown', renderId: '3' },
      { type: 'mergeRow', index: 0 },
      { type: 'mergeRow', index: 1.5 },
      { type: 'mergeRow', index: '2' },
      { type: 'mergeRow' },
    ];
    for (const value of cases) {
      const checked = checkFromWebview(value);
      assert.ok('ignored' in checked, `${JSON.stringify(value)} was accepted`);
    }
    assert.match((checkFromWebview({ type: 'click' }) as { ignored: string }).ignored, /unknown message type "click"/);
  });

  it('keeps only the form fields it knows', () => {
    assert.deepStrictEqual(checkFromWebview({ type: 'headers', fields: { to: 'a@example.com', from: 'evil@example.com' } }), {
      message: { type: 'headers', fields: { to: 'a@example.com' } },
    });
  });
});
