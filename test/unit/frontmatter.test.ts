import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { load } from 'cheerio';
import { composeMessage } from '../../src/core/message/compose';
import { ErrorCode, type SendAsEmailError } from '../../src/core/errors';
import { parseFrontMatter } from '../../src/core/source/frontMatter';
import { readHtmlHeaders } from '../../src/core/source/htmlMeta';
import { defaultSettings } from '../../src/core/settings';
import { rejectsWith } from '../support/fixtures';

describe('front matter mistakes are errors', () => {
  it('refuses unknown keys with their line and the key they resemble (Bcc, attachment, reply-to)', async () => {
    const text = [
      '---', // 1
      'subject: Quarterly numbers', // 2
      'Bcc: board@example.com', // 3
      'attachment: files/report.pdf', // 4
      'reply-to: finance@example.com', // 5
      'subjcet: typo with letters swapped', // 6
      'colour: blue', // 7
      '---', // 8
      'Body',
    ].join('\n');
    const e = await rejectsWith(parseFrontMatter(text), ErrorCode.FRONT_MATTER_INVALID);
    assert.deepStrictEqual(
      e.problems.map((p) => [p.ref, p.line, p.message]),
      [
        ['Bcc', 3, 'Unknown front matter key "Bcc" (line 3): did you mean "bcc"?'],
        ['attachment', 4, 'Unknown front matter key "attachment" (line 4): did you mean "attachments"?'],
        ['reply-to', 5, 'Unknown front matter key "reply-to" (line 5): did you mean "replyTo"?'],
        ['subjcet', 6, 'Unknown front matter key "subjcet" (line 6): did you mean "subject"?'],
        ['colour', 7, 'Unknown front matter key "colour" (line 7).'],
      ],
    );
    assert.match(e.message, /^5 unknown front matter keys: "Bcc" \(line 3\): did you mean "bcc"\?; "attachment" \(line 4\)/);
    assert.match(e.extra.hint ?? '', /^The known front matter keys are subject, from, to, cc, bcc, replyTo, attachments, inline, account, lang and data\.$/);
  });

  it('names one unknown key in the message itself, lines counted after CRLF and a BOM', async () => {
    const e = await rejectsWith(parseFrontMatter('\uFEFF---\r\nto: a@example.com\r\n\r\nCC: b@example.com\r\n---\r\nBody'), ErrorCode.FRONT_MATTER_INVALID);
    assert.strictEqual(e.message, 'Unknown front matter key "CC" (line 4): did you mean "cc"?');
  });

  it('refuses a front matter closed by "----", naming that line, and one never closed', async () => {
    const dashes = await rejectsWith(parseFrontMatter('---\nsubject: Hi\nbcc: secret@example.com\n----\n# Body\n'), ErrorCode.FRONT_MATTER_INVALID);
    assert.strictEqual(dashes.message, 'The front matter that starts on line 1 must end with a line of exactly "---"; line 4 is "----".');
    assert.strictEqual(dashes.problems[0].line, 4);
    const open = await rejectsWith(parseFrontMatter('---\nsubject: Hi\nbcc: secret@example.com\n\n# Body\n'), ErrorCode.FRONT_MATTER_INVALID);
    assert.match(open.message, /^The front matter that starts on line 1 is not closed/);
    assert.strictEqual(open.problems[0].line, 1);
    // Closed by "---", every known key is read, and a "---" later in the body is a horizontal rule.
    const parsed = await parseFrontMatter('---\nsubject: S\nfrom: f@example.com\nto: t@example.com\ncc: [c@example.com]\nbcc: b@example.com\nreplyTo: r@example.com\nattachments: a.pdf\n---\nText\n\n---\n\nMore\n');
    assert.deepStrictEqual(parsed.data, { subject: 'S', from: 'f@example.com', to: 't@example.com', cc: ['c@example.com'], bcc: 'b@example.com', replyTo: 'r@example.com', attachments: ['a.pdf'] });
    assert.strictEqual(parsed.body, 'Text\n\n---\n\nMore\n');
    assert.strictEqual(parsed.lineOffset, 9);
  });

  it('never sends the YAML of an unclosed front matter (its Bcc list) as the body', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-fm-'));
    try {
      const settings = defaultSettings();
      settings.from = 'bot@example.org';
      const doc = { path: path.join(ws, 'memo.md'), text: '---\nto: team@example.com\nbcc: [ceo@example.com, auditor@example.com]\n----\n\n# Memo\n' };
      for (const lenient of [false, true]) {
        const e: SendAsEmailError = await rejectsWith(composeMessage(doc, { settings, workspaceFolders: [ws], lenient }), ErrorCode.FRONT_MATTER_INVALID);
        assert.strictEqual(e.problems[0].line, 4);
      }
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('names the line of a key whose value has the wrong type', async () => {
    const e = await rejectsWith(parseFrontMatter('---\nsubject: ok\n\ncc: {a: 1}\n---\n'), ErrorCode.FRONT_MATTER_INVALID);
    assert.strictEqual(e.message, 'The front matter key "cc" (line 4) must be an address or a list of addresses.');
  });

  it('refuses an unknown email:* meta element of an HTML page with its line and the name it resembles', () => {
    const html = '<html><head>\n<title>T</title>\n<meta name="email:to" content="a@example.com">\n<meta name="email:reply-to" content="r@example.com">\n</head><body>x</body></html>';
    assert.throws(
      () => readHtmlHeaders(load(html), html),
      (e: SendAsEmailError) => {
        assert.strictEqual(e.code, ErrorCode.FRONT_MATTER_INVALID);
        assert.strictEqual(e.message, 'Unknown meta element "email:reply-to" (line 4): did you mean "email:replyTo"?');
        return true;
      },
    );
  });
});
