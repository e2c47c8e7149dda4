// Mail merge in the real extension host: the preview steps through a document's rows (front matter `data:`), Send asks
// first naming the count and the first addresses, and a small merge goes to a real SMTP server on loopback, one message
// per row (parsed back with mailparser); Send to Me First, Cancel after the current message, and Resume.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import type { MergeRunEvent, MergeRunOutcome } from '../../src/vscode/mergeSender';
import { parseMail } from '../support/mail';
import { startSmtpServer } from '../support/smtp';
import { canScreenshot, closePreview, getApi, Leftovers, openPreview, pointAt, recordWorkspaceSettings, requestScreenshot, revertAndCloseAll, ScriptedPrompts, SMTP_SETTINGS, waitFor, workbenchDom, workspaceUri } from './support';

const PEOPLE = [
  { name: 'Ada Lovelace', address: 'ada@fixture.test', code: 'A-1' },
  { name: 'Grace Hopper', address: 'grace@fixture.test', code: 'G-2' },
  { name: 'Lin, Wei', address: 'lin@fixture.test', code: 'L-3' },
];
const FROM = 'sender@fixture.test';

/** The next merge run's outcome (Send, Send to Me First, Resume). */
function nextRun(api: SendAsEmailApi): Promise<MergeRunEvent> {
  return new Promise((resolve) => {
    const sub = api.merges.onDidRun((e) => {
      sub.dispose();
      resolve(e);
    });
  });
}

/**
 * Opens the newsletter with a line only this test adds (unsaved): the merge id hashes the text, so each test sends a
 * merge of its own, not one an earlier test recorded as sent.
 */
async function freshNewsletter(marker: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri('merge', 'newsletter.md'));
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), `\nRun ${marker} ${process.pid} ${Date.now()}.\n`));
  return doc;
}

/**
 * Email: Open Outbox, as a user works it: the newest merge is listed first with its counts; picking it offers Resume,
 * which sends the rows still to send. The quick picks are read and answered in the workbench (code-server driver).
 */
async function resumeFromOutbox(api: SendAsEmailApi): Promise<MergeRunOutcome> {
  const run = nextRun(api);
  const shown = vscode.commands.executeCommand('sendAsEmail.openOutbox');
  const rows = async (): Promise<string[]> => (await workbenchDom('.quick-input-widget .monaco-list-row')).filter((r) => r.visible).map((r) => r.text);
  const listed = await waitFor(async () => ((await rows()).some((t) => /newsletter\.md/.test(t)) ? rows() : undefined), { message: 'the Outbox to list the merge' });
  assert.match(listed[0] ?? '', /Mail merge of newsletter\.md with people\.csv.*1 accepted, 2 pending, 0 refused/, listed.join(' | '));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  // The row's label alone: the workbench reuses the list's rows, and a reused row keeps the merge's detail text hidden.
  const labels = async (): Promise<string[]> =>
    (await workbenchDom('.quick-input-widget .monaco-list-row .quick-input-list-label .label-name')).filter((r) => r.visible).map((r) => r.text);
  const actions = await waitFor(async () => ((await labels()).some((t) => /^Resume/.test(t)) ? labels() : undefined), { message: 'the merge\'s actions' });
  assert.strictEqual(actions[0], 'Resume (2 to send)');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  await shown;
  return (await run).outcome;
}

function sent(outcome: MergeRunOutcome): Extract<MergeRunOutcome, { mergeId: string }> {
  assert.ok('mergeId' in outcome, `the merge did not run: ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('Mail merge (real extension host)', () => {
  let api: SendAsEmailApi;
  let left: Leftovers;

  before(async () => {
    api = await getApi();
    left = new Leftovers(api, recordWorkspaceSettings(SMTP_SETTINGS));
  });

  afterEach(async () => {
    await closePreview(api.preview);
    await revertAndCloseAll();
    await left.clear();
  });

  it('the preview shows row 1 of a document with data:, and ‹ › step through the rows with their recipient', async () => {
    const { report } = await openPreview(api, 'merge/newsletter.md');
    assert.deepStrictEqual(
      report.merge && { index: report.merge.index, count: report.merge.count, line: report.merge.line, data: report.merge.data, errors: report.merge.errors },
      { index: 1, count: 3, line: 2, data: 'people.csv', errors: [] },
    );
    assert.strictEqual(report.subject, 'News for Ada Lovelace');
    assert.deepStrictEqual(report.to, ['Ada Lovelace <ada@fixture.test>']);
    let ui = await api.preview.ui();
    assert.strictEqual(ui.sendLabel, 'Send to 3 recipients…');
    assert.ok(ui.merge, 'the row stepper is hidden');
    assert.strictEqual(ui.merge.row, 'Row 1 of 3 (people.csv line 2)');
    assert.strictEqual(ui.merge.recipient, 'To: Ada Lovelace <ada@fixture.test>');
    assert.ok(ui.merge.prevDisabled && !ui.merge.nextDisabled);
    assert.deepStrictEqual(ui.warnings, [], 'the fixture has no unused column and no row error');

    await api.preview.click('#merge-next');
    const second = await api.preview.renderAfter(report.renderId);
    assert.strictEqual(second.merge?.index, 2);
    assert.strictEqual(second.subject, 'News for Grace Hopper');
    assert.deepStrictEqual(second.to, ['Grace Hopper <grace@fixture.test>']);
    const html = api.preview.lastComposed()?.html ?? '';
    assert.match(html, /Hello Grace Hopper/);
    assert.match(html, /G-2/);
    assert.doesNotMatch(html, /Ada|\{\{/);
    ui = await api.preview.ui();
    assert.strictEqual(ui.merge?.row, 'Row 2 of 3 (people.csv line 3)');
    if (canScreenshot()) assert.ok(await requestScreenshot('merge-preview', '.test-results/merge-preview.png'));
    assert.strictEqual(ui.merge?.recipient, 'To: Grace Hopper <grace@fixture.test>');

    await api.preview.click('#merge-next');
    const third = await api.preview.renderAfter(second.renderId);
    assert.strictEqual(third.merge?.index, 3);
    assert.deepStrictEqual(third.to, ['"Lin, Wei" <lin@fixture.test>'], 'the quoted CSV value is one name');
    ui = await api.preview.ui();
    assert.ok(ui.merge?.nextDisabled && !ui.merge.prevDisabled, 'the last row can only step back');

    await api.preview.click('#merge-prev');
    const back = await api.preview.renderAfter(third.renderId);
    assert.strictEqual(back.merge?.index, 2);
  });

  it('a row with a missing field shows its error, every row error is counted among the warnings, and Send is off', async () => {
    const { report } = await openPreview(api, 'merge/missing.md');
    assert.strictEqual(report.merge?.count, 3);
    assert.deepStrictEqual(report.merge?.errors, [], 'row 1 has its fields');
    assert.strictEqual(report.merge?.totalErrors, 2, 'row 3 lacks the name in the subject and in the body');
    let ui = await api.preview.ui();
    assert.strictEqual(ui.warnings.length, 2, ui.warnings.join('\n'));
    for (const w of ui.warnings) assert.match(w, /Row 3 \(missing\.json line 4\).*"name"/);
    assert.ok(ui.sendDisabled, 'Send is on although a row cannot be sent');
    assert.strictEqual(ui.sendReason, 'Fix the 2 problems marked ✖ below to send.');

    await api.preview.click('#merge-next');
    const second = await api.preview.renderAfter(report.renderId);
    await api.preview.click('#merge-next');
    const third = await api.preview.renderAfter(second.renderId);
    assert.strictEqual(third.merge?.index, 3);
    ui = await api.preview.ui();
    assert.strictEqual(ui.merge?.recipient, 'To: nameless@fixture.test');
    assert.strictEqual(ui.merge?.errors.length, 2);
    assert.match(ui.merge?.errors[0] ?? '', /Row 3 \(missing\.json line 4\): the field "name"/);
  });

  it('Save as .eml of a merge writes row 1 as its recipient gets it', async () => {
    const target = workspaceUri('out', 'merge-row1.eml');
    const written = await vscode.commands.executeCommand<vscode.Uri>('sendAsEmail.saveEml', workspaceUri('merge', 'newsletter.md'), target);
    assert.strictEqual(written?.fsPath, target.fsPath);
    const mail = await parseMail(fs.readFileSync(target.fsPath));
    assert.strictEqual(mail.subject, 'News for Ada Lovelace');
    assert.deepStrictEqual((mail.to as { value: { name: string; address: string }[] }).value, [{ name: 'Ada Lovelace', address: 'ada@fixture.test' }]);
    assert.match(mail.text ?? '', /Your code is \*\*A-1\*\*/);
    assert.doesNotMatch(fs.readFileSync(target.fsPath, 'latin1'), /\{\{/);
  });

  it('Send in the preview reads "Send to 3 recipients…" and asks first, naming the count and the first addresses', async () => {
    const prompts = new ScriptedPrompts(); // the confirmation is dismissed
    api.prompts.use(prompts);
    await openPreview(api, 'merge/newsletter.md');
    const run = nextRun(api);
    await api.preview.click('#send');
    const { outcome } = await run;
    assert.deepStrictEqual(outcome, { status: 'declined' });
    const asked = prompts.shown.filter((s) => s.kind === 'confirm');
    assert.strictEqual(asked.length, 1);
    assert.strictEqual(asked[0].message, 'Send this merge to 3 recipients?');
    assert.deepStrictEqual(asked[0].buttons, ['Send to 3 Recipients', 'Send to Me First']);
    assert.match(asked[0].detail ?? '', /^One message each to Ada Lovelace <ada@fixture\.test>; Grace Hopper <grace@fixture\.test>; "Lin, Wei" <lin@fixture\.test>\./);
    // The panel shows the outcome once the run reported it.
    const shown = await waitFor(async () => (await api.preview.ui()).status, { message: 'the outcome in the preview', timeout: 5000 }).catch(() => '');
    await waitFor(async () => /Nothing was sent\./.test((await api.preview.ui()).status), { message: `"Nothing was sent." in the preview (it showed "${shown}")` });
  });

  it('a small merge to a loopback SMTP server delivers one message per row, each to its own recipient, with the log beside its record', async () => {
    left.server = await startSmtpServer({ security: 'starttls' });
    await pointAt(left.server);
    const prompts = new ScriptedPrompts({ confirm: ['Send to 3 Recipients'] });
    api.prompts.use(prompts);
    const doc = await freshNewsletter('all');
    const outcome = sent((await vscode.commands.executeCommand<MergeRunOutcome>('sendAsEmail.send', doc.uri))!);
    assert.deepStrictEqual({ status: outcome.status, accepted: outcome.accepted, remaining: outcome.remaining }, { status: 'sent', accepted: 3, remaining: 0 });
    assert.strictEqual(prompts.shown.filter((s) => s.kind === 'confirm').length, 1);
    const got = left.server.messages;
    assert.strictEqual(got.length, 3);
    const byRecipient = new Map(got.map((m) => [m.envelope.to.join(','), m]));
    for (const p of PEOPLE) {
      const m = byRecipient.get(p.address);
      assert.ok(m, `nothing arrived for ${p.address} alone (envelopes: ${got.map((x) => x.envelope.to.join(',')).join(' | ')})`);
      const mail = await parseMail(m.raw);
      assert.strictEqual(mail.subject, `News for ${p.name}`);
      assert.match(mail.text ?? '', new RegExp(`Hello ${p.name}`));
      assert.match(mail.html || '', new RegExp(p.code));
      assert.strictEqual(mail.attachments.filter((a) => a.contentId).length, 1, 'the logo travels inline');
    }
    assert.strictEqual(new Set(got.map((m) => m.raw.toString('latin1').match(/^Message-ID: *(.+)$/im)?.[1])).size, 3, 'Message-IDs are not distinct');
    const progress = prompts.progressShown.at(-1);
    assert.ok(progress, 'no progress notification');
    assert.match(progress.title, /newsletter\.md/);
    assert.match(progress.reports.at(-1) ?? '', /^3 \/ 3 · \d+ per minute · \d+ s left$/);
    assert.ok(outcome.logFile, 'no log file');
    const log = fs.readFileSync(outcome.logFile, 'utf8').trim().split(/\r?\n/);
    assert.strictEqual(log[0], 'row,recipient,state,message_id,server_reply');
    assert.deepStrictEqual(log.slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['1,ada@fixture.test,accepted', '2,grace@fixture.test,accepted', '3,lin@fixture.test,accepted']);
  });

  it('a merge sent again whose rows were accepted or refused for good says so, and sends nothing', async () => {
    left.server = await startSmtpServer({ security: 'starttls', rejectRecipients: ['grace@fixture.test'] });
    await pointAt(left.server);
    const prompts = new ScriptedPrompts({ confirm: ['Send to 3 Recipients'] });
    api.prompts.use(prompts);
    const doc = await freshNewsletter('refused');
    const first = sent((await vscode.commands.executeCommand<MergeRunOutcome>('sendAsEmail.send', doc.uri))!);
    assert.strictEqual(first.accepted, 2);
    assert.deepStrictEqual(left.server.messages.map((m) => m.envelope.to.join(',')).sort(), ['ada@fixture.test', 'lin@fixture.test']);
    prompts.shown.length = 0;
    const again = await vscode.commands.executeCommand<MergeRunOutcome>('sendAsEmail.send', doc.uri);
    assert.deepStrictEqual(again, { status: 'declined' });
    assert.deepStrictEqual(prompts.shown.filter((s) => s.kind === 'confirm'), [], 'nothing to confirm');
    const said = prompts.shown.filter((s) => s.kind === 'info').map((s) => s.message);
    assert.ok(
      said.includes('Nothing is left to send in this merge: 2 of its 3 rows were accepted; the others were refused for good or may have been delivered.'),
      said.join(' | '),
    );
    assert.strictEqual(left.server.messages.length, 2);
  });

  it('Send to Me First sends row 1 to the From address only', async () => {
    left.server = await startSmtpServer({ security: 'starttls' });
    await pointAt(left.server);
    const prompts = new ScriptedPrompts({ confirm: ['Send to Me First'] });
    api.prompts.use(prompts);
    const doc = await freshNewsletter('me');
    const outcome = sent((await vscode.commands.executeCommand<MergeRunOutcome>('sendAsEmail.send', doc.uri))!);
    assert.strictEqual(outcome.toMe, true);
    assert.strictEqual(outcome.accepted, 1);
    assert.strictEqual(left.server.messages.length, 1);
    const only = left.server.messages[0];
    assert.deepStrictEqual(only.envelope.to, [FROM]);
    const mail = await parseMail(only.raw);
    assert.strictEqual(mail.subject, 'News for Ada Lovelace');
    const [record] = (await api.merges.list()).filter((m) => m.mergeId === outcome.mergeId);
    assert.ok(!record || record.counts.accepted === 0, 'the test to me was recorded as row 1 sent');
  });

  it('Send Test to Me in the preview of a merge sends the row shown to the From address only', async () => {
    left.server = await startSmtpServer({ security: 'starttls' });
    await pointAt(left.server);
    api.prompts.use(new ScriptedPrompts());
    const { report } = await openPreview(api, 'merge/newsletter.md');
    await api.preview.click('#merge-next');
    await api.preview.renderAfter(report.renderId);
    const run = nextRun(api);
    await api.preview.click('#sendTest');
    const outcome = sent((await run).outcome);
    assert.deepStrictEqual([outcome.status, outcome.toMe, outcome.accepted], ['sent', true, 1]);
    assert.strictEqual(left.server.messages.length, 1);
    assert.deepStrictEqual(left.server.messages[0].envelope.to, [FROM]);
    assert.strictEqual((await parseMail(left.server.messages[0].raw)).subject, 'News for Grace Hopper');
  });

  it('Cancel stops after the current message, and Resume from the Outbox sends the rest without duplicates', async () => {
    left.server = await startSmtpServer({ security: 'starttls', delayRcptMs: 150 });
    await pointAt(left.server);
    const prompts = new ScriptedPrompts({ confirm: ['Send to 3 Recipients'] });
    prompts.cancelWhen = (report) => report.startsWith('1 / 3');
    api.prompts.use(prompts);
    const doc = await freshNewsletter('cancel');
    const first = sent((await vscode.commands.executeCommand<MergeRunOutcome>('sendAsEmail.send', doc.uri))!);
    assert.strictEqual(first.status, 'cancelled');
    assert.strictEqual(first.accepted, 1);
    assert.strictEqual(first.remaining, 2);
    assert.strictEqual(left.server.messages.length, 1, 'Cancel did not stop after the current message');
    assert.ok(prompts.shown.some((s) => s.kind === 'info' && /Resume it from the Outbox/.test(s.message)));
    assert.ok(first.logFile, 'no log file');
    const states = fs.readFileSync(first.logFile, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[2]);
    // Row 2 may be 'deferred' rather than 'pending': the core composes the next row while the current one is on the wire.
    assert.deepStrictEqual(
      states.map((s) => (s === 'deferred' ? 'pending' : s)),
      ['accepted', 'pending', 'pending'],
      `the log beside the record does not say where the merge stopped: ${states.join(', ')}`,
    );

    const [record] = (await api.merges.list()).filter((m) => m.mergeId === first.mergeId);
    assert.ok(record, 'no record of the merge');
    assert.deepStrictEqual([record.counts.accepted, record.counts.pending + record.counts.deferred, record.counts.refused], [1, 2, 0]);
    prompts.cancelWhen = undefined;
    const resumed = sent(canScreenshot() ? await resumeFromOutbox(api) : await api.merges.resume(record));
    assert.strictEqual(resumed.status, 'sent');
    assert.strictEqual(resumed.accepted, 2);
    const recipients = left.server.messages.map((m) => m.envelope.to.join(',')).sort();
    assert.deepStrictEqual(recipients, PEOPLE.map((p) => p.address).sort(), 'a row was sent twice or not at all');
    const [after] = (await api.merges.list()).filter((m) => m.mergeId === first.mergeId);
    assert.strictEqual(after?.counts.accepted, 3);
  });
});
