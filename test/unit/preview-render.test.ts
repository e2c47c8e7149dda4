// What the preview page is told about a composed message (src/preview/renderMessage.ts, actions.ts): Send is off
// exactly when a send cannot succeed, and says why; warnings that do not stop a send leave it on; a refusal names
// each problem once.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { composeMessageStream, composePreview } from '../../src/core/message/compose';
import { defaultSettings } from '../../src/core/settings';
import type { PreviewMessage } from '../../src/core/types';
import { composeFailure, composeProblems } from '../../src/preview/actions';
import { renderMessage, sendOffReason } from '../../src/preview/renderMessage';
import { projectRoot } from '../support/root';

const WORKSPACE = path.join(projectRoot(), 'test', 'fixtures', 'workspace');

function options(lenient: boolean) {
  return { settings: { ...defaultSettings(), from: 'sender@fixture.test' }, workspaceFolders: [WORKSPACE], lenient };
}

async function preview(relative: string): Promise<PreviewMessage> {
  const file = path.join(WORKSPACE, relative);
  return composePreview({ path: file, text: fs.readFileSync(file, 'utf8'), kind: 'markdown' }, options(true));
}

function render(composed: PreviewMessage, extra: { setup?: { missing: string[] }; errors?: Record<string, string> } = {}) {
  return renderMessage({
    view: { composed, documentVersion: 1, checked: { overrides: {}, errors: extra.errors ?? {} }, edited: {}, setup: extra.setup },
    renderId: 1,
    source: 'doc.md',
    documentKey: 'file:///doc.md',
    body: { html: composed.html, remoteImages: 0 },
    remoteAllowed: false,
    imageData: [],
    expectImages: [],
    sizeLimit: undefined,
  });
}

describe('preview: what the page is told', () => {
  it('turns Send and Send Test off with a missing image, and says why', async () => {
    const r = render(await preview('preview/missing.md'));
    assert.ok(r.warnings.some((w) => w.severity === 'error' && /does-not-exist\.png/.test(w.message)), JSON.stringify(r.warnings));
    assert.strictEqual(r.canSend, false);
    assert.strictEqual(r.blocked, true);
    assert.strictEqual(r.sendOff, 'Fix the problem marked ✖ below to send.');
  });

  it('leaves Send on for warnings that do not stop a send (a remote image)', async () => {
    const r = render(await preview('preview/images.md'));
    assert.ok(r.warnings.some((w) => w.severity === 'warning' && /tracker\.example/.test(w.message)), JSON.stringify(r.warnings));
    assert.strictEqual(r.canSend, true);
    assert.strictEqual(r.blocked, false);
    assert.strictEqual(r.sendOff, undefined);
  });

  it('without an account: Send and Send Test off, the settings to fill in travel with the render', async () => {
    const r = render(await preview('preview/images.md'), { setup: { missing: ['smtp.host', 'from'] } });
    assert.strictEqual(r.canSend, false);
    assert.strictEqual(r.blocked, true);
    assert.deepStrictEqual(r.setup, { missing: ['smtp.host', 'from'] });
    assert.strictEqual(r.sendOff, 'Sending is not set up yet.');
  });

  it('names the first reason Send is off', () => {
    assert.strictEqual(sendOffReason({ problems: 2, fieldErrors: 1, recipients: 0 }), 'Fix the 2 problems marked ✖ below to send.');
    assert.strictEqual(sendOffReason({ problems: 0, fieldErrors: 1, recipients: 1 }), 'Fix the fields marked in red to send.');
    assert.strictEqual(sendOffReason({ problems: 0, fieldErrors: 0, recipients: 0 }), 'Add a recipient to send.');
    assert.strictEqual(sendOffReason({ problems: 0, fieldErrors: 0, recipients: 1 }), undefined);
  });

  it('a refused send names its one problem once, and lists several each with its line', async () => {
    const file = path.join(WORKSPACE, 'preview', 'missing.md');
    const text = fs.readFileSync(file, 'utf8');
    const refusal = async (t: string): Promise<unknown> =>
      composeMessageStream({ path: file, text: t, kind: 'markdown' }, options(false)).then(
        () => assert.fail('strict compose accepted a missing image'),
        (e: unknown) => e,
      );
    const one = await refusal(text);
    const message = composeFailure(one);
    assert.strictEqual(message.split('not found').length - 1, 1, message);
    assert.strictEqual(composeProblems(one).length, 1);

    const two = await refusal(`${text}\n\n![Again](images/also-missing.png)\n`);
    assert.match(composeFailure(two), /^2 images cannot be embedded/);
    assert.deepStrictEqual(
      composeProblems(two).map((p) => p.line),
      [10, 13],
    );
  });
});
