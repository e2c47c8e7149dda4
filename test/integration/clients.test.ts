// The preview's view of what recipients will see, in the real extension host: the Clients tab (the recipients check
// of the HTML as sent, once the email is shown), the reveal of an issue's source line, the simulated dark modes and
// the widths, read from the page and from inside its email frame.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import type { ClientRowState, UiState } from '../../src/testing/messages';
import { closePreview, getApi, openPreview, recordWorkspaceSettings, revertAndCloseAll, settings, waitFor, workspaceUri } from './support';

const FIXTURE = 'preview/clients.html';
/** 1-based lines of the fixture's problems. */
const SVG_LINE = 19;
const FIXED_WIDTH_LINE = 20;

/** The Clients tab once it holds a report for the document shown. */
async function clientsShown(api: SendAsEmailApi, accept: (ui: UiState) => boolean = () => true): Promise<UiState> {
  return waitFor(
    async () => {
      const ui = await api.preview.ui();
      return (ui.clients.rows.length > 0 || ui.clients.notes.some((n) => /did not run/.test(n))) && accept(ui) && ui;
    },
    { timeout: 30_000, message: 'the Clients tab to show a report' },
  );
}

/** The fixture's preview (opened unless it is the one shown: each test can run alone). */
async function fixtureShown(api: SendAsEmailApi): Promise<vscode.TextDocument> {
  const current = api.preview.current();
  if (current?.document.uri.toString() === workspaceUri(...FIXTURE.split('/')).toString()) return current.document;
  return (await openPreview(api, FIXTURE)).doc;
}

function rowOf(ui: UiState, feature: RegExp): { row: ClientRowState; index: number } {
  const index = ui.clients.rows.findIndex((r) => feature.test(r.feature));
  assert.ok(index >= 0, `no row for ${String(feature)}; rows: ${ui.clients.rows.map((r) => r.feature).join(' | ')}; notes: ${ui.clients.notes.join(' | ')}`);
  return { row: ui.clients.rows[index]!, index };
}

describe('What recipients will see: the Clients tab, dark mode and widths (real extension host)', function () {
  this.timeout(90_000);
  let api: SendAsEmailApi;
  let restoreSettings: () => Promise<void>;

  before(async () => {
    api = await getApi();
    restoreSettings = recordWorkspaceSettings(['check.clients', 'check.disable']);
    await closePreview(api.preview);
  });

  after(async () => {
    await restoreSettings();
    await closePreview(api.preview);
    await revertAndCloseAll();
  });

  it("lists the fixture's issues (inline SVG, a CSS background image, flex layout) by client family, counts them in the warnings bar and names the clients the data lacks", async () => {
    await openPreview(api, FIXTURE);
    await api.preview.click('#tab-clients');
    const ui = await clientsShown(api);
    assert.strictEqual(ui.tab, 'clients');
    assert.ok(!ui.clients.notes.some((n) => /did not run/.test(n)), `the check failed: ${ui.clients.notes.join(' | ')}`);
    for (const family of ['Gmail', 'Outlook', 'Apple Mail', 'Yahoo', 'Thunderbird']) {
      assert.ok(ui.clients.families.includes(family), `no column for ${family}: ${ui.clients.families.join(', ')}`);
    }
    for (const feature of [/svg/i, /background-image/i, /flex/i]) {
      const { row } = rowOf(ui, feature);
      assert.strictEqual(row.marks.length, ui.clients.families.length, `${row.feature}: one cell per family`);
      assert.ok(row.marks.some((m) => m === '✖' || m === '◐'), `${row.feature} marks no client: ${row.marks.join(',')}`);
    }
    assert.strictEqual(rowOf(ui, /svg/i).row.line, String(SVG_LINE));
    const outlook = ui.clients.families.indexOf('Outlook');
    assert.strictEqual(rowOf(ui, /background-image/i).row.marks[outlook], '✖', 'Outlook for Windows shows no CSS background image');
    assert.ok(rowOf(ui, /background-image/i).row.tested.match(/^\d{4}-\d{2}(-\d{2})?$/), 'the data date of the feature is missing');
    const total = ui.clients.rows.length + ui.clients.other.length;
    assert.strictEqual(ui.clients.tabLabel, `Clients (${total})`);
    assert.ok(
      ui.warnings.some((w) => w === `${total} issues for recipients’ email clients: see the Clients tab`),
      `warnings: ${ui.warnings.join(' | ')}`,
    );
    // A check about no client in particular, which matters at phone width: below the table, marked Phone.
    const fixed = ui.clients.other.find((r) => /fixed width/i.test(r.feature));
    assert.ok(fixed, `other checks: ${ui.clients.other.map((r) => r.feature).join(' | ')}`);
    assert.strictEqual(fixed.phone, true, 'the fixed width is not marked as a phone issue');
    assert.strictEqual(fixed.line, String(FIXED_WIDTH_LINE));
    const untested = ui.clients.notes.find((n) => n.startsWith('Not covered by the data'));
    assert.ok(untested && /QQ Mail/.test(untested) && /163/.test(untested) && /Foxmail/.test(untested), `notes: ${ui.clients.notes.join(' | ')}`);
    // The check ran after the email was shown: its cost (the first one loads the checker) is on record.
    assert.ok(api.preview.timings().checkMs.length > 0, 'no check was timed');
  });

  it('clicking an issue reveals its line in the source editor', async () => {
    const doc = await fixtureShown(api);
    await api.preview.click('#tab-clients');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceUri('welcome.md')), vscode.ViewColumn.One);
    const ui = await clientsShown(api);
    const { index } = rowOf(ui, /svg/i);
    await api.preview.click(`#view-clients table.clients-table > tr:nth-child(${index + 2}) td.line button`);
    const editor = await waitFor(
      () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.toString() === doc.uri.toString() && e;
      },
      { message: 'the fixture in the editor' },
    );
    assert.strictEqual(editor.selection.active.line, SVG_LINE - 1);
    assert.match(doc.lineAt(SVG_LINE - 1).text, /<svg/);
  });

  it('follows sendAsEmail.check.clients and check.disable', async () => {
    await fixtureShown(api);
    await settings().update('check.clients', ['outlook'], vscode.ConfigurationTarget.WorkspaceFolder);
    let ui = await clientsShown(api, (u) => u.clients.families.length === 1);
    assert.deepStrictEqual(ui.clients.families, ['Outlook']);
    const svg = rowOf(ui, /svg/i).row;
    await settings().update('check.disable', ['svg-inline'], vscode.ConfigurationTarget.WorkspaceFolder);
    ui = await clientsShown(api, (u) => !u.clients.rows.some((r) => r.feature === svg.feature));
    assert.ok(ui.clients.rows.some((r) => /background-image/i.test(r.feature)), 'disabling one rule removed the others');
    await restoreSettings();
    await clientsShown(api, (u) => u.clients.families.length >= 5);
  });

  it('dark mode: forced inversion filters the frame and inverts its images back; the email’s own styles apply its prefers-color-scheme: dark rules', async () => {
    await fixtureShown(api);
    await api.preview.click('#tab-html');
    await api.preview.click('#dark-invert');
    let ui = await waitFor(async () => {
      const s = await api.preview.ui();
      return s.dark.mode === 'invert' && s;
    });
    assert.match(ui.dark.frameFilter, /invert\(1\)/);
    assert.strictEqual(ui.dark.imagesReinverted, true, 'the images were not inverted back');
    assert.strictEqual(ui.dark.bodyBackground, 'rgb(255, 255, 255)', 'the forced mode applied the email’s own dark styles');

    // A new render (an edit) keeps the mode: its frame is styled before it is shown.
    const doc = api.preview.current()!.document;
    const before = doc.version;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(16, 0), '  <p>An edit.</p>\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await api.preview.waitForRender(before, 30_000);
    ui = await api.preview.ui();
    assert.strictEqual(ui.dark.imagesReinverted, true, 'the new frame lost the forced mode');

    await api.preview.click('#dark-scheme');
    ui = await waitFor(async () => {
      const s = await api.preview.ui();
      return s.dark.mode === 'scheme' && s;
    });
    assert.strictEqual(ui.dark.frameFilter, 'none');
    assert.strictEqual(ui.dark.frameColorScheme, 'dark');
    assert.strictEqual(ui.dark.bodyBackground, 'rgb(16, 32, 48)', "the email's dark styles do not apply");
    // The fixture declares <meta name="color-scheme" content="light dark">: its unstyled text gets dark defaults.
    assert.strictEqual(ui.dark.bodyColor, 'rgb(255, 255, 255)', 'the text kept its light-mode colour');
    assert.strictEqual(ui.dark.imagesReinverted, false);

    await api.preview.click('#dark-off');
    ui = await waitFor(async () => {
      const s = await api.preview.ui();
      return s.dark.mode === 'off' && s;
    });
    assert.strictEqual(ui.dark.bodyBackground, 'rgb(255, 255, 255)', 'the email’s dark styles stayed on');
    assert.strictEqual(ui.dark.bodyColor, 'rgb(0, 0, 0)', 'the dark defaults stayed on');
    assert.strictEqual(ui.dark.frameFilter, 'none');
  });

  it('shows the email at 320, 375 and 600 px besides Desktop (wider content scrolls); at a phone width the Clients tab marks its phone issues', async () => {
    // Beside the editor the panel is narrower than 600 px: its group is maximized, so that 600 px is not Desktop.
    await fixtureShown(api);
    const panel = api.preview.current()!.panel;
    panel.reveal(panel.viewColumn, false);
    await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup');
    try {
      await api.preview.click('#wide');
      const desktop = await waitFor(async () => {
        const s = await api.preview.ui();
        return s.width === 'wide' && s.frameWidth > 600 && s;
      }, { message: 'a desktop width over 600 px' });
      assert.strictEqual(desktop.clients.atPhoneWidth, false);
      for (const [id, px] of [['w320', 320], ['narrow', 375], ['w600', 600]] as const) {
        await api.preview.click(`#${id}`);
        // The frame is fitted to its content on the next animation frame: wait until the layout has settled.
        const ui = await waitFor(async () => {
          const s = await api.preview.ui();
          return s.width === id && s.email.paperWidth === px && s.frameWidth === Math.max(px, s.email.contentWidth) && s;
        }, { message: `the ${px} px width, its frame fitted to the email` });
        // The paper takes the width; the fixture's 480 px block makes the frame wider at phone widths, never cropped.
        assert.strictEqual(ui.email.paperWidth, px, `${id}: the paper is ${ui.email.paperWidth} px wide`);
        assert.strictEqual(ui.frameWidth, Math.max(px, ui.email.contentWidth), `${id}: the frame is ${ui.frameWidth} px wide`);
        assert.strictEqual(ui.clients.atPhoneWidth, px < 600);
      }
      await api.preview.click('#wide');
    } finally {
      await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup');
    }
  });
});
