// The preview's Clients tab and dark mode controls in a host whose display language is zh-cn (SAE_LOCALE=zh-cn):
// the page's texts come from the zh-cn bundle.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { closePreview, getApi, openPreview, projectRoot, revertAndCloseAll, waitFor } from './support';

function zh(template: string, ...args: (string | number)[]): string {
  const bundle = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  const text = bundle[template];
  assert.ok(text, `the zh-cn bundle has no "${template}"`);
  return text.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}

describe('Chinese interface: the Clients tab (host in zh-cn)', function () {
  this.timeout(60_000);

  after(async () => {
    await closePreview((await getApi()).preview);
    await revertAndCloseAll();
  });

  it('labels the Clients tab, its count and the clients the data lacks in Chinese', async () => {
    const api = await getApi();
    await openPreview(api, 'preview/clients.html');
    await api.preview.click('#tab-clients');
    const ui = await waitFor(
      async () => {
        const s = await api.preview.ui();
        return s.clients.rows.length > 0 && s;
      },
      { timeout: 30_000, message: 'the Clients tab to show a report' },
    );
    const total = ui.clients.rows.length + ui.clients.other.length;
    assert.strictEqual(ui.clients.tabLabel, zh('Clients ({0})', total));
    assert.ok(ui.warnings.includes(zh('{0} issues for recipients’ email clients: see the Clients tab', total)), `warnings: ${ui.warnings.join(' | ')}`);
    // The sentence around the list of clients, from the bundle: its text before and after the placeholder.
    const [before, after] = zh('Not covered by the data: {0}. Nothing is known about how they show this message.', '\u0000').split('\u0000');
    assert.ok(
      ui.clients.notes.some((n) => n.startsWith(before!) && n.endsWith(after!) && n.includes('QQ')),
      `notes: ${ui.clients.notes.join(' | ')}`,
    );
  });
});
