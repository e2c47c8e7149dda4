// The preview's recipients check (src/preview/clientCheck.ts) with the real checker (dist/check.js): it waits until
// the page has shown a render and stayed on it, drops a render replaced meanwhile, keeps a report for a render that
// changed only the form, and says why when the checker fails.
import * as assert from 'assert';
import * as path from 'path';
import { checkMessage } from '../../src/core/check/checkMessage';
import type { CheckInput } from '../../src/core/check/types';
import { CHECK_QUIET_MS, ClientCheck, type CheckEvent } from '../../src/preview/clientCheck';
import type { ToWebview } from '../../src/preview/messages';
import { silentLogger } from '../../src/core/types';
import { projectRoot } from '../support/root';

const HTML = '<!DOCTYPE html><html lang="en"><body>\n<div style="display: flex;">a</div>\n<svg width="4" height="4"></svg>\n</body></html>';
const input = (html = HTML): CheckInput => ({ html, sourceText: html, sourceKind: 'html' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function harness(load = async () => (i: CheckInput) => checkMessage(i, { engineDir: path.join(projectRoot(), 'dist') })) {
  const posted: Extract<ToWebview, { type: 'clients' }>[] = [];
  const events: CheckEvent[] = [];
  let loads = 0;
  const check = new ClientCheck(
    {
      load: () => {
        loads++;
        return load();
      },
      post: (m) => {
        if (m.type === 'clients') posted.push(m);
      },
      log: silentLogger,
      disposed: () => false,
    },
    (e) => events.push(e),
  );
  const settled = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && events.length < n; i++) await sleep(25);
  };
  return { check, posted, events, settled, loads: () => loads };
}

describe('preview: the recipients check of a shown render', function () {
  this.timeout(20_000);

  it('runs only once the page has shown the render, and only for the render last posted', async () => {
    const h = harness();
    h.check.rendered({ renderId: 1, documentKey: 'doc', input: input() });
    h.check.shown(2); // not the render waiting
    await sleep(CHECK_QUIET_MS + 100);
    assert.strictEqual(h.posted.length, 0, 'a render that was not shown was checked');
    h.check.shown(1);
    await h.settled(1);
    assert.strictEqual(h.posted.length, 1);
    const report = h.posted[0]!.report;
    assert.strictEqual(h.posted[0]!.renderId, 1);
    assert.ok(report.issues.some((i) => /svg/i.test(i.feature)), `features: ${report.issues.map((i) => i.feature).join(', ')}`);
    assert.ok(report.issues.some((i) => /flex/i.test(i.feature)), `features: ${report.issues.map((i) => i.feature).join(', ')}`);
    assert.strictEqual(report.failed, undefined);
  });

  it('drops a shown render that another one replaces within the quiet time (an edit), and checks the new one', async () => {
    const h = harness();
    h.check.rendered({ renderId: 1, documentKey: 'doc', input: input() });
    h.check.shown(1);
    await sleep(CHECK_QUIET_MS / 4);
    h.check.cancel(); // the user typed: another render is on its way
    h.check.rendered({ renderId: 2, documentKey: 'doc', input: input(HTML.replace('a</div>', 'b</div>')) });
    h.check.shown(2);
    await h.settled(1);
    await sleep(CHECK_QUIET_MS);
    assert.deepStrictEqual(h.posted.map((p) => p.renderId), [2]);
  });

  it('loads the checker once, and reuses the report of an unchanged message (only the form changed)', async () => {
    const h = harness();
    for (const renderId of [1, 2]) {
      h.check.rendered({ renderId, documentKey: 'doc', input: input() });
      h.check.shown(renderId);
      await h.settled(renderId);
    }
    assert.strictEqual(h.loads(), 1);
    assert.deepStrictEqual(h.posted.map((p) => p.renderId), [1, 2]);
    assert.strictEqual(h.posted[1]!.report, h.posted[0]!.report, 'the unchanged message was checked again');
  });

  it('says why when the checker cannot load, and tries again next time', async () => {
    const h = harness(() => Promise.reject(new Error('check.js is missing')));
    h.check.rendered({ renderId: 1, documentKey: 'doc', input: input() });
    h.check.shown(1);
    await h.settled(1);
    assert.strictEqual(h.posted[0]!.report.failed, 'check.js is missing');
    h.check.rendered({ renderId: 2, documentKey: 'doc', input: input() });
    h.check.shown(2);
    await h.settled(2);
    assert.strictEqual(h.loads(), 2);
  });
});
