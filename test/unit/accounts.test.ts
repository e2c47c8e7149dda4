// Named accounts (src/core/accounts/accounts.ts): read from a settings file, checked field by field, and picked for a
// document by --account / the preview's choice, its `account:` front matter or email:account meta, the default
// account, or the legacy sendAsEmail.smtp.* keys; the provider presets come from nodemailer's services.json.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listAccounts, pickAccount, settingsWithAccount } from '../../src/core/accounts/accounts';
import { findProvider, providerForHost, providerPresets } from '../../src/core/accounts/providers';
import { ErrorCode, isSendAsEmailError, SendAsEmailError } from '../../src/core/errors';
import { composeMessage } from '../../src/core/message/compose';
import { loadSettingsFile, SETTINGS, settingsFromObject, type EmailSettings } from '../../src/core/settings';
import { documentAccountName } from '../../src/core/source/documentAccount';
import { projectRoot } from '../support/root';

const WORK = { name: 'work', host: 'smtp.office365.com', port: 587, security: 'starttls', user: 'ada@work.example', from: 'Ada <ada@work.example>', auth: 'oauth2', oauth2: { clientId: 'app-1', tenant: 'work.example' } };
const HOME = { name: 'home', provider: 'qq', user: '12345@qq.com', from: '12345@qq.com' };

function settings(extra: Record<string, unknown> = {}): EmailSettings {
  return settingsFromObject({ 'sendAsEmail.accounts': [WORK, HOME], ...extra });
}

function throwsCode(fn: () => unknown, code: string): SendAsEmailError {
  try {
    fn();
  } catch (e) {
    assert.ok(isSendAsEmailError(e), String(e));
    assert.strictEqual(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('accounts: the list in the settings', () => {
  it('reads sendAsEmail.accounts from a settings file, fills a provider preset in, and adds the smtp.* keys as the unnamed account', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae accounts '));
    try {
      const file = path.join(dir, 'settings.json');
      fs.writeFileSync(
        file,
        `{\n  // two accounts and the old keys\n  "sendAsEmail.accounts": ${JSON.stringify([WORK, HOME])},\n  "sendAsEmail.defaultAccount": "home",\n  "sendAsEmail.smtp.host": "mail.example.com",\n  "sendAsEmail.smtp.user": "legacy@example.com",\n  "sendAsEmail.from": "legacy@example.com",\n}\n`,
      );
      const s = loadSettingsFile(file);
      assert.strictEqual(s.defaultAccount, 'home');
      const all = listAccounts(s);
      assert.deepStrictEqual(
        all.map((a) => [a.name, a.host, a.port, a.security, a.user, a.auth]),
        [
          ['work', 'smtp.office365.com', 587, 'starttls', 'ada@work.example', 'oauth2'],
          ['home', 'smtp.qq.com', 465, 'tls', '12345@qq.com', 'password'],
          ['', 'mail.example.com', 587, 'starttls', 'legacy@example.com', 'password'],
        ],
      );
      assert.deepStrictEqual(all[0].oauth2, { clientId: 'app-1', tenant: 'work.example' });
      assert.strictEqual(all[1].provider, 'qq');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Microsoft provider preset defaults the account to OAuth 2.0; the accounts replace the smtp.* keys in the settings a send uses', () => {
    const s = settingsFromObject({ 'sendAsEmail.accounts': [{ name: 'm365', provider: 'microsoft365', user: 'ada@work.example' }], 'sendAsEmail.smtp.timeoutSeconds': 12 });
    const [m365] = listAccounts(s);
    assert.deepStrictEqual([m365.host, m365.port, m365.security, m365.auth], ['smtp.office365.com', 587, 'starttls', 'oauth2']);
    const applied = settingsWithAccount(s, m365);
    assert.deepStrictEqual(applied.smtp, { host: 'smtp.office365.com', port: 587, security: 'starttls', user: 'ada@work.example', caFile: '', rejectUnauthorized: true, timeoutSeconds: 12 });
  });

  it('declares sendAsEmail.accounts and sendAsEmail.defaultAccount restricted: an untrusted workspace cannot route a credential', () => {
    const spec = (key: string) => SETTINGS.find((s) => s.key === key);
    assert.deepStrictEqual(spec('accounts'), { key: 'accounts', type: 'array', items: 'object', default: [], restricted: true });
    assert.deepStrictEqual(spec('defaultAccount'), { key: 'defaultAccount', type: 'string', default: '', restricted: true });
  });

  it('refuses a wrong entry with SETTINGS_INVALID naming its index and field', () => {
    const cases: [unknown, RegExp][] = [
      [[WORK, { ...HOME, port: 0 }], /"sendAsEmail\.accounts\[1\]\.port" must be a number from 1 to 65535, got 0/],
      [[{ ...WORK, name: '' }], /"sendAsEmail\.accounts\[0\]\.name" must be text/],
      [[{ ...WORK, security: 'ssl' }], /"sendAsEmail\.accounts\[0\]\.security" must be one of "starttls", "tls", "none", got "ssl"/],
      [[{ ...WORK, auth: 'token' }], /"sendAsEmail\.accounts\[0\]\.auth" must be one of "password", "oauth2"/],
      [[{ name: 'x', user: 'u' }], /"sendAsEmail\.accounts\[0\]\.host" must be text/],
      [[{ ...HOME, provider: 'hotmale' }], /"sendAsEmail\.accounts\[0\]\.provider" must be a known provider id, got "hotmale"/],
      [[{ ...WORK, oauth2: { tokenCommand: [] } }], /"sendAsEmail\.accounts\[0\]\.oauth2\.tokenCommand" must be a command line or a list of its words/],
      [[WORK, { ...WORK }], /names the account "work" twice/],
    ];
    for (const [accounts, message] of cases) {
      const err = throwsCode(() => listAccounts(settingsFromObject({ 'sendAsEmail.accounts': accounts })), ErrorCode.SETTINGS_INVALID);
      assert.match(err.message, message);
    }
    // Not a list of objects at all: the settings table refuses it.
    const err = throwsCode(() => settingsFromObject({ 'sendAsEmail.accounts': 'work' }), ErrorCode.SETTINGS_INVALID);
    assert.match(err.message, /"sendAsEmail\.accounts" must be a list of objects, got "work"/);
  });
});

describe('accounts: which one a document is sent with', () => {
  it('the one asked for > sendAsEmail.defaultAccount > the smtp.* keys > the first account', () => {
    assert.strictEqual(pickAccount(settings({ 'sendAsEmail.defaultAccount': 'home' }), 'work').name, 'work');
    assert.strictEqual(pickAccount(settings({ 'sendAsEmail.defaultAccount': 'home' })).name, 'home');
    assert.strictEqual(pickAccount(settings({ 'sendAsEmail.smtp.host': 'mail.example.com' })).name, '');
    assert.strictEqual(pickAccount(settings()).name, 'work');
    // Nothing configured at all: the (empty) smtp.* keys, so the send reports SMTP_NOT_CONFIGURED as before.
    assert.strictEqual(pickAccount(settingsFromObject({})).host, '');
    // A name differing only in case still finds the account.
    assert.strictEqual(pickAccount(settings(), 'Home').name, 'home');
  });

  it('ACCOUNT_NOT_FOUND names the account asked for and the accounts there are', () => {
    const err = throwsCode(() => pickAccount(settings(), 'personal'), ErrorCode.ACCOUNT_NOT_FOUND);
    assert.strictEqual(err.message, 'No account named "personal": sendAsEmail.accounts has "work", "home".');
    const byDefault = throwsCode(() => pickAccount(settings({ 'sendAsEmail.defaultAccount': 'old' })), ErrorCode.ACCOUNT_NOT_FOUND);
    assert.match(byDefault.message, /^sendAsEmail\.defaultAccount names the account "old", which sendAsEmail\.accounts does not have; it has "work", "home"\./);
    const none = throwsCode(() => pickAccount(settingsFromObject({}), 'work'), ErrorCode.ACCOUNT_NOT_FOUND);
    assert.match(none.message, /sendAsEmail\.accounts is empty/);
  });

  it("reads the document's account from its front matter or its email:account meta element", async () => {
    assert.strictEqual(await documentAccountName('---\naccount: home\nsubject: Hi\n---\n# Hi\n', 'markdown'), 'home');
    assert.strictEqual(await documentAccountName('# No front matter\n', 'markdown'), undefined);
    assert.strictEqual(await documentAccountName('<html><head><meta name="Email:Account" content=" work "></head><body>x</body></html>', 'html'), 'work');
    assert.strictEqual(await documentAccountName('<p>plain</p>', 'html'), undefined);
  });

  describe('compose', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-accounts-compose-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const compose = (text: string, s: EmailSettings, file = 'mail.md', account?: string) =>
      composeMessage({ path: path.join(dir, file), text }, { settings: s, workspaceFolders: [dir], overrides: account ? { account } : {} });

    it("sends from the account the front matter names, with that account's From", async () => {
      const m = await compose('---\naccount: home\nto: bob@example.com\n---\nHello\n', settings({ 'sendAsEmail.defaultAccount': 'work', 'sendAsEmail.from': 'other@example.com' }));
      assert.strictEqual(m.account, 'home');
      assert.strictEqual(m.headers.from, '12345@qq.com');
      assert.strictEqual(m.envelope.from, '12345@qq.com');
    });

    it('an HTML page picks its account with <meta name="email:account">, and the meta never travels', async () => {
      const m = await compose('<html><head><meta name="email:account" content="work"><meta name="email:to" content="bob@example.com"></head><body><p>Hi</p></body></html>', settings(), 'page.html');
      assert.strictEqual(m.account, 'work');
      assert.strictEqual(m.headers.from, 'Ada <ada@work.example>');
      assert.ok(!m.raw.toString('latin1').includes('email:account'));
    });

    it('the preview or --account wins over the document; the default account and the smtp.* keys apply when nothing is named', async () => {
      const doc = '---\naccount: home\nto: bob@example.com\n---\nHello\n';
      assert.strictEqual((await compose(doc, settings(), 'mail.md', 'work')).account, 'work');
      const byDefault = await compose('---\nto: bob@example.com\n---\nHello\n', settings({ 'sendAsEmail.defaultAccount': 'home' }));
      assert.deepStrictEqual([byDefault.account, byDefault.headers.from], ['home', '12345@qq.com']);
      const legacy = await compose('---\nto: bob@example.com\n---\nHello\n', settings({ 'sendAsEmail.smtp.host': 'mail.example.com', 'sendAsEmail.from': 'legacy@example.com' }));
      assert.deepStrictEqual([legacy.account, legacy.headers.from], ['', 'legacy@example.com']);
      // The document's own from: still wins over the account's.
      const own = await compose('---\naccount: home\nfrom: me@qq.com\nto: bob@example.com\n---\nHello\n', settings());
      assert.strictEqual(own.headers.from, 'me@qq.com');
    });

    it('a document naming an account that does not exist is refused with ACCOUNT_NOT_FOUND listing the ones there are', async () => {
      await assert.rejects(compose('---\naccount: personal\nto: bob@example.com\n---\nHello\n', settings()), (e: unknown) => {
        assert.ok(isSendAsEmailError(e, ErrorCode.ACCOUNT_NOT_FOUND), String(e));
        assert.match(e.message, /"personal".*"work", "home"/);
        return true;
      });
    });
  });
});

describe('accounts: provider presets', () => {
  const services = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'node_modules', 'nodemailer', 'dist', 'well-known', 'services.json'), 'utf8')) as Record<
    string,
    { host: string; port: number; secure?: boolean }
  >;

  it("lists the thirteen providers of the issue with nodemailer's servers", () => {
    const presets = providerPresets();
    assert.deepStrictEqual(
      presets.map((p) => p.id),
      ['gmail', 'outlook', 'microsoft365', 'icloud', 'yahoo', 'zoho', 'fastmail', 'qq', 'qqex', '163', '126', 'aliyun', 'feishu'],
    );
    const keys: Record<string, string> = { gmail: 'Gmail', outlook: 'Hotmail', microsoft365: 'Outlook365', qq: 'QQ', '163': '163', feishu: 'Feishu Mail', fastmail: 'FastMail' };
    for (const [id, key] of Object.entries(keys)) {
      const p = findProvider(id)!;
      assert.deepStrictEqual([p.host, p.port], [services[key].host, services[key].port], id);
      assert.strictEqual(p.security, services[key].secure ? 'tls' : 'starttls', id);
    }
    for (const p of presets) {
      assert.match(p.helpUrl, /^https:\/\//, p.id);
      assert.ok(p.rule.length > 30 && p.label.length > 0, p.id);
    }
  });

  it('says how each provider logs in, and carries the sending limits the merge feature uses', () => {
    const auth = Object.fromEntries(providerPresets().map((p) => [p.id, p.auth]));
    assert.deepStrictEqual([auth.gmail, auth.outlook, auth.microsoft365, auth.qq, auth['163'], auth['126']], ['app-password', 'oauth2-microsoft', 'oauth2-microsoft', 'authorization-code', 'authorization-code', 'authorization-code']);
    assert.deepStrictEqual(findProvider('microsoft365')!.limits, { messagesPerMinute: 30 });
    assert.deepStrictEqual(findProvider('gmail')!.limits, { recipientsPerMessage: 100 });
    assert.strictEqual(providerForHost('SMTP.163.com')!.id, '163');
    assert.strictEqual(providerForHost('mail.example.com'), undefined);
  });
});
