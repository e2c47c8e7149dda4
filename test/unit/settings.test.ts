import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode, isSendAsEmailError } from '../../src/core/errors';
import { defaultSettings, loadSettingsFile, SETTINGS, settingsFromObject } from '../../src/core/settings';
import { contributedSettings } from '../support/manifest';
import { projectRoot } from '../support/root';

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
      (e: Error) => isSendAsEmailError(e, ErrorCode.SETTINGS_INVALID) && /sendAsEmail\.smtp\.security/.test(e.message) && /"ssl"/.test(e.message),
    );
    assert.throws(() => settingsFromObject({ 'sendAsEmail.smtp.port': true }), /sendAsEmail\.smtp\.port/);
  });

  it('splits a list written as one string at commas outside quotes, keeping "Last, First" names whole', () => {
    const s = settingsFromObject({ 'sendAsEmail.to': '"Lovelace, Ada" <ada@example.com>, bob@example.com,, ' });
    assert.deepStrictEqual(s.to, ['"Lovelace, Ada" <ada@example.com>', 'bob@example.com']);
  });

  it('splits such a list as an address field is split: an escaped quote in a name does not end it', () => {
    const s = settingsFromObject({ 'sendAsEmail.cc': '"Ada \\"x, y" <ada@example.com>, bob@example.com' });
    assert.deepStrictEqual(s.cc, ['"Ada \\"x, y" <ada@example.com>', 'bob@example.com']);
  });

  it('refuses numbers outside the range package.json declares, naming the setting and the range', () => {
    for (const [key, value] of [['smtp.port', 0], ['smtp.port', 70000], ['smtp.timeoutSeconds', 0]] as const) {
      assert.throws(
        () => settingsFromObject({ [`sendAsEmail.${key}`]: value }),
        (e: Error) => isSendAsEmailError(e, ErrorCode.SETTINGS_INVALID) && e.message.includes(`sendAsEmail.${key}`) && e.message.includes(String(value)) && /from 1 to (65535|3600)/.test(e.message),
        `${key} = ${value}`,
      );
    }
    assert.strictEqual(settingsFromObject({ 'sendAsEmail.smtp.port': 65535 }).smtp.port, 65535);
    const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { contributes: { configuration: unknown } };
    const properties = contributedSettings<{ minimum?: number; maximum?: number }>(manifest);
    for (const spec of SETTINGS.filter((x) => x.type === 'number')) {
      const declared = properties[`sendAsEmail.${spec.key}`]!;
      assert.deepStrictEqual([spec.minimum, spec.maximum], [declared.minimum, declared.maximum], spec.key);
    }
  });

  it('gives every number a maximum: a timeout of 3,000,000 s is refused, naming the setting and its range', () => {
    for (const spec of SETTINGS.filter((x) => x.type === 'number')) {
      assert.ok(spec.minimum !== undefined && spec.maximum !== undefined, `${spec.key} has no range`);
    }
    // setTimeout holds at most 2^31 - 1 ms; a larger timeout fired after 1 ms.
    const timeout = SETTINGS.find((x) => x.key === 'smtp.timeoutSeconds')!;
    assert.ok(timeout.maximum! * 1000 <= 2 ** 31 - 1, `smtp.timeoutSeconds allows ${timeout.maximum} s`);
    assert.throws(
      () => settingsFromObject({ 'sendAsEmail.smtp.timeoutSeconds': 3_000_000 }),
      (e: Error) => isSendAsEmailError(e, ErrorCode.SETTINGS_INVALID) && e.message === 'Setting "sendAsEmail.smtp.timeoutSeconds" must be a number from 1 to 3600, got 3000000.',
    );
    assert.strictEqual(settingsFromObject({ 'sendAsEmail.smtp.timeoutSeconds': 3600 }).smtp.timeoutSeconds, 3600);
  });

  it('names the file and line of a broken settings file, and a missing one', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{\n  "sendAsEmail.smtp.host": "x"\n  "sendAsEmail.smtp.port": 25\n}');
    assert.throws(() => loadSettingsFile(file), (e: Error) => e.message.includes(file) && /line 3/.test(e.message));
    assert.throws(() => loadSettingsFile(path.join(dir, 'nope.json')), /nope\.json: ENOENT/);
  });
});
