// The mail merge's words in a host whose display language is zh-cn (SAE_LOCALE=zh-cn): the preview's Send button and
// row stepper come from the zh-cn bundle through the page's strings.
import * as assert from 'assert';
import { closePreview, getApi, openPreview, revertAndCloseAll, zh } from './support';

describe('Mail merge in Chinese (host in zh-cn)', () => {
  it('the preview of a merge reads "Send to N recipients…" and names the row in Chinese', async () => {
    const api = await getApi();
    try {
      const { report } = await openPreview(api, 'merge/newsletter.md');
      assert.strictEqual(report.merge?.count, 3);
      const ui = await api.preview.ui();
      assert.strictEqual(ui.sendLabel, zh('Send to {0} recipients…', 3));
      assert.strictEqual(ui.merge?.row, zh('Row {0} of {1} ({2} line {3})', 1, 3, 'people.csv', 2));
    } finally {
      await closePreview(api.preview);
      await revertAndCloseAll();
    }
  });
});
