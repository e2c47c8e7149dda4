// What the preview's Clients tab shows for a check report (src/preview/clientReport.ts): one row per issue, one cell
// per family with the clients of that family, the lines to reveal, and what is left out because the page shows it
// elsewhere.
import * as assert from 'assert';
import type { CheckIssue, CheckReport } from '../../src/core/check/types';
import { clientsView, failedClientsView } from '../../src/preview/clientReport';

const issue = (over: Partial<CheckIssue>): CheckIssue => ({
  id: 'caniemail:css-background-image',
  severity: 'error',
  feature: 'background-image',
  clients: ['Outlook (Windows)', 'Outlook.com'],
  families: ['Outlook'],
  message: 'Outlook for Windows ignores background-image.',
  fix: 'Set a background-color.',
  ...over,
});

const report = (issues: CheckIssue[]): CheckReport => ({
  issues,
  clients: ['Gmail (desktop)', 'Outlook (Windows)', 'Outlook.com', 'Thunderbird'],
  families: ['Gmail', 'Outlook', 'Thunderbird'],
  familyOf: { 'Gmail (desktop)': 'Gmail', 'Outlook (Windows)': 'Outlook', 'Outlook.com': 'Outlook', Thunderbird: 'Thunderbird' },
  untested: ['QQ Mail', 'NetEase Mail (163)', 'Foxmail'],
  dataDate: '2025-11-20',
  unknownClients: ['hotmial'],
});

describe('preview: the Clients tab', () => {
  it('marks each family an issue affects with its severity and the clients of that family', () => {
    const view = clientsView(
      report([
        issue({ sourceLine: 18, line: 40, testedDate: '2024-02-01', count: 3 }),
        issue({ id: 'svg-inline', severity: 'warning', feature: '<svg>', clients: ['Gmail (desktop)', 'Thunderbird'], families: ['Gmail', 'Thunderbird'], line: 52, phoneOnly: true, notes: ['Partial.'] }),
      ]),
    );
    assert.deepStrictEqual(view.families, ['Gmail', 'Outlook', 'Thunderbird']);
    assert.deepStrictEqual(view.issues[0]!.cells, [null, { mark: 'error', clients: ['Outlook (Windows)', 'Outlook.com'] }, null]);
    assert.strictEqual(view.issues[0]!.line, 18, 'the source line is the one to reveal');
    assert.strictEqual(view.issues[0]!.sentLine, undefined);
    assert.strictEqual(view.issues[0]!.count, 3);
    assert.strictEqual(view.issues[0]!.testedDate, '2024-02-01');
    assert.deepStrictEqual(view.issues[1]!.cells, [{ mark: 'warning', clients: ['Gmail (desktop)'] }, null, { mark: 'warning', clients: ['Thunderbird'] }]);
    assert.strictEqual(view.issues[1]!.line, undefined);
    assert.strictEqual(view.issues[1]!.sentLine, 52, 'without a source line, the sent HTML line is shown');
    assert.strictEqual(view.issues[1]!.phoneOnly, true);
    assert.deepStrictEqual(view.issues[1]!.notes, ['Partial.']);
    assert.deepStrictEqual(view.untested, ['QQ Mail', 'NetEase Mail (163)', 'Foxmail']);
    assert.deepStrictEqual(view.unknownClients, ['hotmial']);
    assert.strictEqual(view.dataDate, '2025-11-20');
  });

  it('lists checks that concern no client apart, and leaves out the Gmail clip the warnings bar already shows', () => {
    const view = clientsView(
      report([
        issue({ id: 'image-alt', severity: 'warning', feature: 'Image alt text', clients: [], families: [], sourceLine: 7 }),
        issue({ id: 'gmail-clip', severity: 'warning', feature: 'Gmail clipping', clients: [], families: [] }),
      ]),
    );
    assert.deepStrictEqual(view.issues, []);
    assert.deepStrictEqual(view.other.map((i) => i.feature), ['Image alt text']);
    assert.deepStrictEqual(view.other[0]!.cells, [null, null, null]);
  });

  it('says why when the check could not run, and claims nothing else', () => {
    assert.deepStrictEqual(failedClientsView('no data'), { families: [], issues: [], other: [], untested: [], unknownClients: [], dataDate: '', failed: 'no data' });
  });
});
