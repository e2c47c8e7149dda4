/**
 * A merge composes its template once and fills each row's values in (merge/rowCompose.ts). Every row made that way
 * must read exactly like the row composed from its own document (plan.ts renderRowSource + composeMessage), parsed
 * back by mailparser: headers, the text part, the HTML's text and elements, the inline images.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { load } from 'cheerio';
import { loadMergeData } from '../../src/core/merge/data';
import { planMerge, renderRowSource, rowComposeOptions } from '../../src/core/merge/plan';
import { composeTemplate } from '../../src/core/merge/rowCompose';
import { parseTemplate } from '../../src/core/merge/template';
import { composeMessage } from '../../src/core/message/compose';
import { defaultSettings } from '../../src/core/settings';
import type { ComposeOptions } from '../../src/core/types';
import { makeWorkspace } from '../support/fixtures';
import { parseMail } from '../support/mail';

const TEMPLATE = [
  '---',
  'to: "{{name}} <{{email}}>"',
  'subject: "News for {{name}}"',
  'attachments: ["files/{{plan_id}}.txt"]',
  'lang: en',
  '---',
  '# Hello {{name}}',
  '',
  'Dear **{{name}}**, your plan is _{{plan}}_ and your note: {{note}}.',
  '',
  '![Chart](img/bg.png)',
  '',
  '- item for {{name}}',
  '- [{{name}}’s page](https://example.com/page)',
  '',
  '| Field | Value |',
  '|---|---|',
  '| Plan | {{plan}} |',
  '',
  '<span class="x">{{note}}</span>',
  '',
  '{{! a comment }}',
  'Bye, {{name}}.',
  '',
].join('\n');

const ROWS = [
  { name: 'Ada', email: 'ada@example.com', plan: 'pro', note: 'plain', plan_id: 'p1' },
  { name: '*Grace*', email: 'grace@example.com', plan: '<b>bold</b> & co', note: '[link](https://evil.example) `code` # not a heading', plan_id: 'p2' },
  { name: '李雷', email: 'li@example.com', plan: '免费', note: '你好，世界', plan_id: 'p3' },
  { name: 'O\'Brien "Bob"', email: 'bob@example.com', plan: 'a_b_c', note: 'two\nlines', plan_id: 'p1' },
  { name: 'Zoë', email: 'zoe@example.com', plan: '{{plan}}', note: '\\*x\\* <!-- c --> &amp;', plan_id: 'p2' },
];

function csv(rows: readonly Record<string, string>[]): string {
  const q = (v: string): string => `"${v.replace(/"/g, '""')}"`;
  return ['name,email,plan,note,plan_id', ...rows.map((r) => [r.name, r.email, r.plan, r.note, r.plan_id].map(q).join(','))].join('\n') + '\n';
}

/** What a reader sees of the HTML: its text (white space collapsed) and its elements in order, with their attributes. */
function htmlShape(html: string): { text: string; elements: string[] } {
  const $ = load(html);
  const elements: string[] = [];
  $('body *').each((_, el) => {
    const attribs = Object.entries((el as { attribs?: Record<string, string> }).attribs ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    elements.push(`${(el as { tagName: string }).tagName}[${attribs.join(' ')}]`);
  });
  return { text: $('body').text().replace(/\s+/g, ' ').trim(), elements };
}

describe('merge: rows filled into the template composed once', function () {
  this.timeout(30000);
  let root: string;
  let ws: string;
  let compose: ComposeOptions;
  beforeEach(() => {
    ({ root, ws } = makeWorkspace('sae-merge-compose-'));
    const settings = defaultSettings();
    settings.from = 'News <news@example.com>';
    compose = { settings, workspaceFolders: [ws] };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const setUp = async (template: string, rows = ROWS): Promise<{ docPath: string; text: string }> => {
    const docPath = path.join(ws, 'news.md');
    fs.writeFileSync(docPath, template);
    fs.writeFileSync(path.join(ws, 'people.csv'), csv(rows));
    fs.mkdirSync(path.join(ws, 'files'), { recursive: true });
    for (const id of ['p1', 'p2', 'p3']) fs.writeFileSync(path.join(ws, 'files', `${id}.txt`), `the ${id} report\n`);
    return { docPath, text: template };
  };

  it('reads exactly like each row composed from its own document: headers, text part, HTML text and elements, images', async () => {
    const { docPath, text } = await setUp(TEMPLATE);
    const template = await parseTemplate(text, 'markdown');
    assert.ok(await composeTemplate(template, { path: docPath, text }, compose), 'this template is filled in, not composed per row');
    const plan = await planMerge({ documentPath: docPath, text, data: { path: 'people.csv' }, compose });
    assert.deepStrictEqual(plan.errors, []);
    const data = await loadMergeData({ path: 'people.csv' }, { baseDir: ws });
    for (const [i, row] of data.rows.entries()) {
      const filled = await parseMail((await plan.renderRow(row.row)).raw);
      const source = await renderRowSource(template, { path: docPath, text }, row);
      const own = await parseMail((await composeMessage(source.doc, rowComposeOptions(compose, source))).raw);
      const what = `row ${row.row} (${ROWS[i]!.name})`;
      assert.strictEqual(filled.subject, own.subject, what);
      assert.strictEqual(filled.subject, `News for ${ROWS[i]!.name}`, what);
      assert.deepStrictEqual(filled.to, own.to, what);
      assert.strictEqual(filled.text, own.text, what);
      assert.ok(filled.text!.includes(`Dear **${ROWS[i]!.name}**`), `${what}: the value as written in the text part`);
      assert.deepStrictEqual(htmlShape(String(filled.html)), htmlShape(String(own.html)), what);
      assert.ok(htmlShape(String(filled.html)).text.includes(`your note: ${ROWS[i]!.note.replace(/\s+/g, ' ')}.`), `${what}: the value shown as written`);
      assert.deepStrictEqual(
        filled.attachments.map((a) => [a.contentId, a.filename, a.checksum]),
        own.attachments.map((a) => [a.contentId, a.filename, a.checksum]),
        what,
      );
      const attached = filled.attachments.find((a) => a.filename?.endsWith('.txt'));
      assert.strictEqual(attached?.content.toString(), `the ${ROWS[i]!.plan_id} report\n`, `${what}: its own attachment`);
      assert.strictEqual(load(String(filled.html))('title').text(), `News for ${ROWS[i]!.name}`, what);
    }
  });

  it('the subject from the first heading, and "Send to Me First" overrides, as for a row composed alone', async () => {
    const { docPath, text } = await setUp(TEMPLATE.replace('subject: "News for {{name}}"\n', ''));
    const plan = await planMerge({ documentPath: docPath, text, data: { path: 'people.csv' }, compose });
    const row2 = await parseMail((await plan.renderRow(2, { to: 'me@example.com', cc: [], bcc: [] })).raw);
    assert.strictEqual(row2.subject, 'Hello *Grace*');
    assert.deepStrictEqual(row2.to && !Array.isArray(row2.to) ? row2.to.value.map((a) => a.address) : [], ['me@example.com']);
    assert.strictEqual(plan.rows[1]!.subject, 'Hello *Grace*');
    const preview = await plan.previewRow(3);
    assert.strictEqual(preview.headers.subject, 'Hello 李雷');
    assert.ok(preview.size > 0);
  });

  for (const [what, body] of [
    ['a placeholder in a link', '[page](https://example.com/?u={{email}})'],
    ['a placeholder in an image', '![{{name}}](img/bg.png)'],
    ['a placeholder in code', '```\nid = {{name}}\n```'],
    ['a section', '{{#plan}}Plan: {{plan}}{{/plan}}'],
    ['a triple mustache', 'Hi {{{name}}}'],
    ['a dotted name', 'Hi {{name.length}}'],
  ] as const) {
    it(`leaves a template with ${what} to be composed row by row`, async () => {
      const template = `---\nto: "{{email}}"\n---\n# Hi\n\n${body}\n`;
      const { docPath, text } = await setUp(template);
      assert.strictEqual(await composeTemplate(await parseTemplate(text, 'markdown'), { path: docPath, text }, compose), undefined);
      // And the rows are still right.
      const plan = await planMerge({ documentPath: docPath, text, data: { path: 'people.csv' }, compose });
      const m = await parseMail((await plan.renderRow(1)).raw);
      assert.deepStrictEqual(m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : [], ['ada@example.com']);
    });
  }

  it('leaves a template whose front matter puts a value anywhere but the headers to be composed row by row', async () => {
    const { docPath, text } = await setUp('---\nto: "{{email}}"\nlang: "{{plan}}"\n---\nHi {{name}}\n');
    assert.strictEqual(await composeTemplate(await parseTemplate(text, 'markdown'), { path: docPath, text }, compose), undefined);
  });
});
