import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultSettings, loadSettingsFile, settingsFromObject, SettingsError } from '../../src/core/settings';

describe('settings', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-settings-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has the documented defaults', () => {
    const s = defaultSettings();
    assert.strictEqual(s.smtp.port, 587);
    assert.strictEqual(s.smtp.security, 'starttls');
    assert.strictEqual(s.smtp.rejectUnauthorized, true);
    assert.strictEqual(s.images.allowOutsideWorkspace, false);
    assert.strictEqual(s.images.embedRemote, false);
    assert.strictEqual(s.inlineCss, true);
    assert.deepStrictEqual(s.to, []);
  });

  it('reads a VS Code settings.json with comments, trailing commas, flat and nested keys', () => {
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(
      file,
      `{
        // the company server
        "sendAsEmail.smtp.host": "smtp.example.com",
        "sendAsEmail.smtp.port": 465,
        "sendAsEmail.smtp.security": "tls",
        "sendAsEmail": { "from": "\\"Ada\\" <ada@example.com>", "images": { "embedRemote": true } },
        "sendAsEmail.to": "a@example.com, b@example.com",
        "editor.fontSize": 14,
      }`,
    );
    const s = loadSettingsFile(file);
    assert.strictEqual(s.smtp.host, 'smtp.example.com');
    assert.strictEqual(s.smtp.port, 465);
    assert.strictEqual(s.smtp.security, 'tls');
    assert.strictEqual(s.from, '"Ada" <ada@example.com>');
    assert.strictEqual(s.images.embedRemote, true);
    assert.deepStrictEqual(s.to, ['a@example.com', 'b@example.com']);
  });

  it('names the setting and the value when a value has the wrong type', () => {
    assert.throws(
      () => settingsFromObject({ 'sendAsEmail.smtp.security': 'ssl' }),
      (e: Error) => e instanceof SettingsError && /sendAsEmail\.smtp\.security/.test(e.message) && /"ssl"/.test(e.message),
    );
    assert.throws(() => settingsFromObject({ 'sendAsEmail.smtp.port': true }), /sendAsEmail\.smtp\.port/);
  });

  it('names the file and line of a broken settings file, and a missing one', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{\n  "sendAsEmail.smtp.host": "x"\n  "sendAsEmail.smtp.port": 25\n}');
    assert.throws(() => loadSettingsFile(file), (e: Error) => e.message.includes(file) && /line 3/.test(e.message));
    assert.throws(() => loadSettingsFile(path.join(dir, 'nope.json')), /nope\.json: ENOENT/);
  });
});
