import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '../../src/core/errors';
import { loadMergeData } from '../../src/core/merge/data';
import { planMerge } from '../../src/core/merge/plan';
import { defaultSettings } from '../../src/core/settings';
import { rejectsWith } from '../support/fixtures';
import { parseMail } from '../support/mail';

/** GB18030 bytes of a string (Node has no GB18030 encoder: the few characters used here, by hand). */
const GB: Record<string, number[]> = { 张: [0xd5, 0xc5], 三: [0xc8, 0xfd], 预: [0xd4, 0xa4], 警: [0xbe, 0xaf] };
function gb18030(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else out.push(...GB[ch]!);
  }
  return Buffer.from(out);
}

describe('merge: data files and templates', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-merge-data-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer): string => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const compose = () => {
    const settings = defaultSettings();
    settings.from = 'news@example.com';
    return { settings, workspaceFolders: [dir] };
  };

  it('CSV: RFC 4180 quoting (commas, quotes, line breaks in a field), each row with its start line', async () => {
    write('p.csv', 'name,email,note\n"Lovelace, Ada",ada@example.com,"she said ""hi"""\nBob,bob@example.com,"two\nlines"\nCy,cy@example.com,x\n');
    const data = await loadMergeData({ path: 'p.csv' }, { baseDir: dir });
    assert.deepStrictEqual(data.columns, ['name', 'email', 'note']);
    assert.deepStrictEqual(
      data.rows.map((r) => [r.row, r.line, r.values.name, r.values.note]),
      [
        [1, 2, 'Lovelace, Ada', 'she said "hi"'],
        [2, 3, 'Bob', 'two\nlines'],
        [3, 5, 'Cy', 'x'],
      ],
    );
  });

  it('CSV in GB18030 with --data-encoding; without it, the error names the file and line and says what to add', async () => {
    write('p.csv', Buffer.concat([Buffer.from('name,email,subject\n'), gb18030('"张三",zhang@example.com,"预警,12345"\n')]));
    const data = await loadMergeData({ path: 'p.csv' }, { baseDir: dir, encoding: 'gb18030' });
    assert.strictEqual(data.rows[0].values.name, '张三');
    assert.strictEqual(data.rows[0].values.subject, '预警,12345');
    const err = await rejectsWith(loadMergeData({ path: 'p.csv' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID);
    assert.match(err.message, /p\.csv is not UTF-8 text \(line 2/);
    assert.match(err.extra.hint ?? '', /--data-encoding/);
  });

  it('CSV errors name the file and the line', async () => {
    write('bad.csv', 'name,email\nAda,ada@example.com\nBob,bob@example.com,extra\n');
    const err = await rejectsWith(loadMergeData({ path: 'bad.csv' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID);
    assert.match(err.message, /bad\.csv, line 3: the row does not have as many fields as the header/);
    write('open.csv', 'name,email\n"Ada,ada@example.com\n');
    assert.match((await rejectsWith(loadMergeData({ path: 'open.csv' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID)).message, /open\.csv.*quoted field is not closed/);
    assert.match((await rejectsWith(loadMergeData({ path: 'none.csv' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID)).message, /none\.csv not found/);
  });

  it('JSON: an array of objects with each row\'s line, one object as a single row; bad JSON names the line', async () => {
    write('p.json', '[\n  {"name": "Ada", "email": "ada@example.com"},\n\n  {"name": "Bob", "email": "bob@example.com", "vip": true}\n]\n');
    const data = await loadMergeData({ path: 'p.json' }, { baseDir: dir });
    assert.deepStrictEqual(data.rows.map((r) => [r.row, r.line]), [[1, 2], [2, 4]]);
    assert.deepStrictEqual(data.columns, ['name', 'email', 'vip']);
    const one = await loadMergeData({ text: '{"id": 7}', format: 'json' }, { baseDir: dir });
    assert.strictEqual(one.rows.length, 1);
    assert.strictEqual(one.source, '<stdin>');
    write('bad.json', '[\n {"a": 1},\n {"a": 2,,}\n]');
    assert.match((await rejectsWith(loadMergeData({ path: 'bad.json' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID)).message, /bad\.json, line 3: not valid JSON/);
  });

  it('YAML: a list of mappings with lines; a row that is not a mapping names its line', async () => {
    write('p.yaml', '- name: Ada\n  email: ada@example.com\n- name: Bob\n  email: bob@example.com\n');
    const data = await loadMergeData({ path: 'p.yaml' }, { baseDir: dir });
    assert.deepStrictEqual(data.rows.map((r) => [r.line, r.values.name]), [[1, 'Ada'], [3, 'Bob']]);
    write('bad.yml', '- name: Ada\n- just text\n');
    assert.match((await rejectsWith(loadMergeData({ path: 'bad.yml' }, { baseDir: dir }), ErrorCode.MERGE_DATA_INVALID)).message, /bad\.yml, line 2: row 2 is not an object/);
  });

  it('values are HTML-escaped in the HTML part (Markdown characters too) and left as they are in the text part', async () => {
    const doc = write('doc.md', '---\nto: "{{email}}"\nsubject: "Re: {{name}}"\n---\nHello {{name}}, see {{link}}.\n');
    write('p.json', JSON.stringify([{ email: 'a@example.com', name: '<b>Ada</b> & *Co* _x_ [y](z)', link: '`code`' }]));
    const plan = await planMerge({ documentPath: doc, text: fs.readFileSync(doc, 'utf8'), data: { path: 'p.json' }, compose: compose() });
    assert.deepStrictEqual(plan.errors, []);
    const m = await parseMail((await plan.renderRow(1)).raw);
    assert.strictEqual(m.subject, 'Re: <b>Ada</b> & *Co* _x_ [y](z)');
    assert.match(m.text ?? '', /Hello <b>Ada<\/b> & \*Co\* _x_ \[y\]\(z\), see `code`\./);
    const html = String(m.html);
    assert.ok(!/<b>Ada<\/b>|<em>|<strong>|<code>|<a /.test(html), html);
    assert.ok(html.includes('&lt;b&gt;Ada&lt;/b&gt;'), html);
  });

  it('an HTML document: values escaped in the HTML, its text part shows them as written', async () => {
    const doc = write('doc.html', '<html><head><meta name="email:to" content="{{email}}"><title>Hi {{name}}</title></head><body><p>Hello {{name}}</p></body></html>');
    write('p.csv', 'email,name\na@example.com,<i>Ada</i>\n');
    const plan = await planMerge({ documentPath: doc, text: fs.readFileSync(doc, 'utf8'), data: { path: 'p.csv' }, compose: compose() });
    assert.deepStrictEqual(plan.rows[0].to, ['a@example.com']);
    const m = await parseMail((await plan.renderRow(1)).raw);
    assert.ok(String(m.html).includes('Hello &lt;i&gt;Ada&lt;/i&gt;'));
    assert.match(m.text ?? '', /Hello <i>Ada<\/i>/);
    assert.strictEqual(m.subject, 'Hi <i>Ada</i>');
  });

  it('sections, inverted sections and placeholders in every front matter value (attachments too)', async () => {
    fs.mkdirSync(path.join(dir, 'reports'));
    write('reports/7.txt', 'report seven');
    const doc = write(
      'doc.md',
      '---\nto: {{email}}\ncc: ["boss+{{id}}@example.com"]\nreplyTo: "desk+{{id}}@example.com"\nsubject: Report {{id}}\nattachments: [reports/{{id}}.txt]\ndata: p.yaml\n---\n{{#items}}- {{.}}\n{{/items}}{{^items}}No items.{{/items}}\n',
    );
    write('p.yaml', '- email: a@example.com\n  id: 7\n  items: [one, two]\n- email: b@example.com\n  id: 8\n  items: []\n');
    const plan = await planMerge({ documentPath: doc, text: fs.readFileSync(doc, 'utf8'), compose: compose() });
    assert.deepStrictEqual(plan.rows[0].to, ['a@example.com', 'boss+7@example.com']);
    assert.strictEqual(plan.rows[0].subject, 'Report 7');
    // Row 2 names reports/8.txt, which does not exist: its error, found before anything is sent.
    assert.strictEqual(plan.errors.length, 1);
    assert.match(plan.errors[0].message, /Row 2 \(p\.yaml line 4\): the file "reports\/8\.txt" named in attachments does not exist/);
    const m = await parseMail((await plan.renderRow(1)).raw);
    assert.strictEqual(m.attachments[0].filename, '7.txt');
    assert.strictEqual(m.replyTo?.text, 'desk+7@example.com');
    assert.match(m.text ?? '', /- one\n- two/);
  });

  it('columns no placeholder uses are a warning', async () => {
    const doc = write('doc.md', '---\nto: "{{email}}"\n---\nHi {{name}}\n');
    write('p.csv', 'email,name,unused1,unused2\na@example.com,Ada,x,y\n');
    const plan = await planMerge({ documentPath: doc, text: fs.readFileSync(doc, 'utf8'), data: { path: 'p.csv' }, compose: compose() });
    assert.strictEqual(plan.warnings.length, 1);
    assert.match(plan.warnings[0].message, /The columns "unused1", "unused2" of p\.csv are not used by any placeholder/);
    assert.strictEqual(plan.warnings[0].kind, 'merge-unused-column');
  });

  it('the merge id follows the document and the data: the same pair gives the same id, a change another', async () => {
    const doc = write('doc.md', '---\nto: "{{email}}"\n---\nHi\n');
    write('p.csv', 'email\na@example.com\n');
    const text = fs.readFileSync(doc, 'utf8');
    const id = async (t: string): Promise<string> => (await planMerge({ documentPath: doc, text: t, data: { path: 'p.csv' }, compose: compose() })).mergeId;
    assert.strictEqual(await id(text), await id(text));
    assert.notStrictEqual(await id(text), await id(text + 'more\n'));
    const before = await id(text);
    write('p.csv', 'email\nb@example.com\n');
    assert.notStrictEqual(await id(text), before);
  });

  it('a front matter written as JSON (as a merge writes each row) reads like YAML; an unknown key is still named with its line', async () => {
    const { parseFrontMatter } = await import('../../src/core/source/frontMatter');
    const parsed = await parseFrontMatter('---\n{"subject":"Hi: \\"you\\"","to":["a@example.com"],"attachments":["r/1.pdf"]}\n---\nBody\n');
    assert.deepStrictEqual(parsed.data, { subject: 'Hi: "you"', to: ['a@example.com'], attachments: ['r/1.pdf'] });
    assert.strictEqual(parsed.body, 'Body\n');
    const err = await rejectsWith(parseFrontMatter('---\n{"subjet":"Hi"}\n---\n'), ErrorCode.FRONT_MATTER_INVALID);
    assert.match(err.message, /Unknown front matter key "subjet" \(line 2\): did you mean "subject"\?/);
  });

  it('a document without data: names what to add', async () => {
    const doc = write('doc.md', '# Hi {{name}}\n');
    const err = await rejectsWith(planMerge({ documentPath: doc, text: '# Hi {{name}}\n', compose: compose() }), ErrorCode.MERGE_DATA_INVALID);
    assert.match(err.message, /names no data for a merge: add "data: people\.csv" to its front matter, or give --data FILE/);
  });
});
