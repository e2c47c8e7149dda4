// Named accounts in the real extension host: two accounts of one workspace, each sending to its own loopback server,
// picked by the document's front matter, by the status bar item (Email: Switch Account) and by the preview's selector;
// the untrusted-workspace restriction on sendAsEmail.accounts; Email: Add Account driven through scripted prompts.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { simpleParser } from 'mailparser';
import type { SendAsEmailApi } from '../../src/testing';
import type { SecretTarget } from '../../src/vscode/secrets';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { closePreview, getApi, nextRetry, recordWorkspaceSettings, revertAndCloseAll, ScriptedPrompts, settings, waitFor, workspaceFolder, workspaceUri } from './support';

const WORK = { user: 'ada@work.test', password: 'work-secret-1', from: '"Ada at Work" <ada@work.test>' };
const HOME = { user: 'ada@home.test', password: 'home-secret-2', from: 'ada@home.test' };

describe('Accounts (real extension host)', () => {
  let api: SendAsEmailApi;
  let restore: () => Promise<void>;
  let restoreUser: (() => Promise<void>) | undefined;
  const servers: TestSmtpServer[] = [];
  const secrets: SecretTarget[] = [];
  const files: vscode.Uri[] = [];

  before(async () => {
    api = await getApi();
  });

  beforeEach(() => {
    restore = recordWorkspaceSettings(['accounts', 'defaultAccount']);
  });

  afterEach(async () => {
    api.prompts.use(undefined);
    api.playTrust(undefined);
    api.preview.captureLinks(false);
    await api.accounts.choose(undefined);
    try {
      await closePreview(api.preview);
      await revertAndCloseAll();
      for (const t of secrets.splice(0)) await api.secrets.delete(t);
      for (const s of servers.splice(0)) await s.close();
      for (const f of files.splice(0)) await vscode.workspace.fs.delete(f).then(undefined, () => undefined);
    } finally {
      await restore();
      await restoreUser?.();
      restoreUser = undefined;
    }
  });

  async function server(login: { user: string; password: string }): Promise<TestSmtpServer> {
    const s = await startSmtpServer({ security: 'none', users: { [login.user]: login.password } });
    servers.push(s);
    const target = { user: login.user, host: s.host, port: s.port };
    secrets.push(target);
    await api.secrets.store(target, login.password);
    return s;
  }

  function account(name: string, s: TestSmtpServer, login: { user: string; from: string }): Record<string, unknown> {
    return { name, host: s.host, port: s.port, security: 'none', user: login.user, from: login.from };
  }

  async function documentWith(name: string, frontMatter: string[]): Promise<vscode.TextDocument> {
    const uri = workspaceUri(name);
    files.push(uri);
    const text = ['---', ...frontMatter, 'to: reader@fixture.test', '---', '', `# ${name}`, ''].join('\n');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    return doc;
  }

  async function sendDocument(doc: vscode.TextDocument): Promise<void> {
    const composed = await api.mail.compose(doc);
    const outcome = await api.mail.send(composed, doc.uri);
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
  }

  async function statusShows(name: string): Promise<void> {
    await waitFor(
      async () => {
        await api.accountStatus.update();
        return api.accountStatus.state().account === name;
      },
      { message: `the status bar item to show account ${name} (it shows ${JSON.stringify(api.accountStatus.state())})` },
    );
  }

  it('sends each document through its own account: by front matter, then by the status bar switch', async () => {
    const work = await server(WORK);
    const home = await server(HOME);
    await settings().update('accounts', [account('work', work, WORK), account('home', home, HOME)], vscode.ConfigurationTarget.WorkspaceFolder);

    const named = await documentWith('accounts-home.md', ['account: home', 'subject: For home']);
    await statusShows('home');
    assert.match(api.accountStatus.state().text, /home/);
    await sendDocument(named);
    assert.strictEqual(home.messages.length, 1, 'the home server did not get the document that names account home');
    assert.strictEqual(work.messages.length, 0, 'the work server got a message meant for home');
    assert.strictEqual((await simpleParser(home.messages[0]!.raw)).from?.value[0]?.address, HOME.user);
    assert.strictEqual(home.messages[0]!.user, HOME.user);

    // A document that names no account: the status bar item switches the workspace to "work", then to "home".
    const plain = await documentWith('accounts-plain.md', ['subject: Plain']);
    const prompts = new ScriptedPrompts({ picks: ['work', 'home'] });
    api.prompts.use(prompts);
    assert.strictEqual(await vscode.commands.executeCommand(api.accountStatus.command), 'work');
    assert.deepStrictEqual(prompts.shown[0]!.buttons.slice(0, 3), ['work', 'home', 'SMTP settings'], 'the switch lists the accounts, the SMTP settings last');
    await statusShows('work');
    await sendDocument(plain);
    assert.strictEqual(work.messages.length, 1, 'the switch to work did not send through the work server');
    assert.deepStrictEqual((await simpleParser(work.messages[0]!.raw)).from?.value[0], { name: 'Ada at Work', address: WORK.user });

    assert.strictEqual(await vscode.commands.executeCommand(api.accountStatus.command), 'home');
    await statusShows('home');
    await sendDocument(plain);
    assert.strictEqual(home.messages.length, 2, 'the switch to home did not send through the home server');
    assert.strictEqual(work.messages.length, 1);

    // The document that names its account keeps it whatever the workspace switched to.
    await api.accounts.choose('work');
    await vscode.window.showTextDocument(named);
    await statusShows('home');
  });

  it('the preview\'s account selector beside From changes the sender and the server', async () => {
    const work = await server(WORK);
    const home = await server(HOME);
    await settings().update('accounts', [account('work', work, WORK), account('home', home, HOME)], vscode.ConfigurationTarget.WorkspaceFolder);
    const doc = await documentWith('accounts-preview.md', ['account: home', 'subject: Chosen in the preview']);
    await vscode.commands.executeCommand('sendAsEmail.preview', doc.uri);
    await api.preview.waitForRender(doc.version - 1, 30_000);
    const before = await api.preview.ui();
    assert.ok(before.account.shown, 'no account selector beside From');
    assert.deepStrictEqual(before.account.options.slice(0, 2), ['work', 'home']);
    assert.strictEqual(before.account.selected, 'home');
    assert.match(before.from, /ada@home\.test/);

    const report = await api.preview.selectAccount('work');
    assert.match(report.from, /ada@work\.test/, 'the From did not follow the account chosen');
    api.prompts.use(new ScriptedPrompts());
    const outcome = await api.preview.clickSend();
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.strictEqual(work.messages.length, 1, 'the account chosen in the preview did not send');
    assert.strictEqual(home.messages.length, 0, 'the document\'s own account sent although the preview chose another');
  });

  it('in an untrusted workspace, the workspace\'s accounts are ignored and nothing is sent', async () => {
    const repoServer = await startSmtpServer({ security: 'none' });
    servers.push(repoServer);
    const mine = await server(HOME);
    const user = vscode.workspace.getConfiguration('sendAsEmail');
    const userBefore = user.inspect('accounts')?.globalValue;
    restoreUser = async () => {
      await vscode.workspace.getConfiguration('sendAsEmail').update('accounts', userBefore, vscode.ConfigurationTarget.Global);
    };
    await user.update('accounts', [account('mine', mine, HOME)], vscode.ConfigurationTarget.Global);
    // A repository's settings naming its own server, with the user's login, as the default.
    await settings().update('accounts', [{ ...account('repo', repoServer, HOME) }], vscode.ConfigurationTarget.WorkspaceFolder);
    await settings().update('defaultAccount', 'repo', vscode.ConfigurationTarget.WorkspaceFolder);
    assert.deepStrictEqual(
      api.accounts.list(workspaceFolder().uri).map((a) => a.name).filter(Boolean),
      ['repo'],
      'trusted: the folder\'s list of accounts replaces the user\'s, as VS Code merges settings',
    );

    api.playTrust(false);
    assert.deepStrictEqual(api.accounts.list(workspaceFolder().uri).map((a) => a.name).filter(Boolean), ['mine'], 'untrusted: the workspace\'s accounts were read');
    assert.strictEqual(api.accounts.settings(workspaceFolder().uri).defaultAccount, '', 'untrusted: the workspace\'s defaultAccount was read');
    const doc = await documentWith('accounts-untrusted.md', ['account: repo', 'subject: Untrusted']);
    await assert.rejects(api.mail.compose(doc), (e: { code?: string; message: string }) => e.code === 'ACCOUNT_NOT_FOUND' && /"repo"/.test(e.message));
    const plain = await documentWith('accounts-untrusted-plain.md', ['subject: Untrusted']);
    const prompts = new ScriptedPrompts();
    api.prompts.use(prompts);
    const outcome = await api.mail.send(await api.mail.compose(plain), plain.uri);
    assert.strictEqual(outcome.status === 'failed' && outcome.code, 'WORKSPACE_UNTRUSTED', JSON.stringify(outcome));
    assert.strictEqual(repoServer.sessions.opened, 0, 'the repository\'s server was contacted');
    assert.strictEqual(mine.sessions.opened, 0);
  });

  it('Email: Add Account: another SMTP server, tested, saved to the folder settings, its password stored', async () => {
    const s = await server({ user: 'new@fixture.test', password: 'added-pw-3' });
    await api.secrets.delete({ user: 'new@fixture.test', host: s.host, port: s.port });
    const prompts = new ScriptedPrompts({
      picks: ['Other SMTP server', 'None', `Folder settings: ${workspaceFolder().name}`],
      inputs: ['new@fixture.test', s.host, String(s.port), 'added'],
      password: ['added-pw-3'],
    });
    api.prompts.use(prompts);
    const name = await vscode.commands.executeCommand('sendAsEmail.addAccount');
    assert.strictEqual(name, 'added', JSON.stringify(prompts.shown));
    const saved = settings().inspect<Record<string, unknown>[]>('accounts')?.workspaceFolderValue ?? [];
    assert.deepStrictEqual(saved.find((a) => a.name === 'added'), {
      name: 'added',
      user: 'new@fixture.test',
      from: 'new@fixture.test',
      host: s.host,
      port: s.port,
      security: 'none',
      auth: 'password',
    });
    assert.ok(!JSON.stringify(saved).includes('added-pw-3'), 'the password reached the settings');
    assert.strictEqual(await api.secrets.get({ user: 'new@fixture.test', host: s.host, port: s.port }), 'added-pw-3', 'the password was not stored');
    assert.deepStrictEqual(s.auths.map((a) => [a.username, a.success]), [['new@fixture.test', true]], 'the connection was not tested with the password');
    const report = prompts.shown.find((p) => p.kind === 'info' && /Connected to/.test(p.message));
    assert.ok(report, 'no connection report');
    assert.match(report.message, /logged in as new@fixture\.test with (PLAIN|LOGIN)/);
    assert.match(report.message, /the server offers AUTH PLAIN LOGIN/);
  });

  it('Email: Add Account: a Chinese provider\'s rule in one sentence, its help page, and the 授权码 asked for', async () => {
    const before = settings().inspect('accounts')?.workspaceFolderValue;
    api.preview.captureLinks(true);
    const prompts = new ScriptedPrompts({
      picks: ['QQ Mail', 'Open the help page', 'I have the authorization code (授权码)'],
      inputs: ['12345@qq.com'],
      password: [],
    });
    api.prompts.use(prompts);
    const name = await vscode.commands.executeCommand('sendAsEmail.addAccount');
    assert.strictEqual(name, undefined, 'the flow went on without the authorization code');
    const providers = prompts.shown[0]!;
    for (const p of ['Gmail', 'Microsoft 365', 'QQ Mail', '163 Mail (NetEase)', 'Feishu Mail', 'Other SMTP server']) assert.ok(providers.buttons.includes(p), `no ${p} in ${providers.buttons.join(', ')}`);
    assert.ok(providers.buttons.indexOf('Fastmail') < providers.buttons.indexOf('QQ Mail'), 'the international providers do not come first');
    const rule = prompts.shown.filter((p) => p.kind === 'pick')[1]!;
    assert.match(rule.message, /authorization code \(授权码\)/);
    assert.strictEqual(rule.message.split(/(?<=[.。])\s/).length, 1, `not one sentence: ${rule.message}`);
    assert.deepStrictEqual(api.preview.openedLinks(), ['https://service.mail.qq.com/detail/0/75']);
    assert.match(prompts.shown.find((p) => p.kind === 'password')?.message ?? '', /Authorization code \(授权码\) for 12345@qq\.com/);
    assert.deepStrictEqual(settings().inspect('accounts')?.workspaceFolderValue, before, 'a cancelled flow saved an account');
  });

  it('a login the provider refuses names its fix: Gmail\'s app password page from the notification, Microsoft\'s switch to sign-in', async () => {
    const gmail = await startSmtpServer({
      security: 'none',
      users: { [WORK.user]: 'the-app-password' },
      authFailureCode: 534,
      authFailure: () => '5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvitationApplicationSpecific',
    });
    servers.push(gmail);
    const target = { user: WORK.user, host: gmail.host, port: gmail.port };
    secrets.push(target);
    await api.secrets.store(target, 'the-google-password');
    await settings().update('accounts', [{ ...account('g', gmail, WORK), provider: 'gmail' }], vscode.ConfigurationTarget.WorkspaceFolder);
    api.preview.captureLinks(true);
    const prompts = new ScriptedPrompts({ error: 'Open Help Page' });
    api.prompts.use(prompts);
    const doc = await documentWith('accounts-gmail.md', ['account: g', 'subject: App password']);
    const outcome = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(outcome.status === 'failed' && outcome.code, 'SMTP_AUTH_FAILED', JSON.stringify(outcome));
    const shown = prompts.shown.find((p) => p.kind === 'error');
    assert.ok(shown, 'no error notification');
    assert.match(shown.message, /app password/i);
    assert.deepStrictEqual(shown.buttons, ['Open Help Page', 'Re-enter Password', 'Show Log']);
    await waitFor(() => api.preview.openedLinks().includes('https://myaccount.google.com/apppasswords'), { message: 'the app password page to open' });
    assert.ok(!JSON.stringify(prompts.shown).includes('the-google-password'), 'the password reached a notification');

    // Microsoft: basic authentication disabled. The button starts Add Account again for this account, with sign-in.
    const m365 = await startSmtpServer({
      security: 'none',
      users: { [WORK.user]: 'unused' },
      authFailure: () => '5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]',
    });
    servers.push(m365);
    const m365Target = { user: WORK.user, host: m365.host, port: m365.port };
    secrets.push(m365Target);
    await api.secrets.store(m365Target, 'an-old-password');
    await settings().update('accounts', [{ ...account('work', m365, WORK), provider: 'microsoft365' , auth: 'password' }], vscode.ConfigurationTarget.WorkspaceFolder);
    const switching = new ScriptedPrompts({ error: 'Switch to Microsoft Sign-In', inputs: [] });
    api.prompts.use(switching);
    const work = await documentWith('accounts-m365-basic.md', ['account: work', 'subject: Basic auth']);
    const refused = await api.mail.send(await api.mail.compose(work), work.uri);
    assert.strictEqual(refused.status === 'failed' && refused.code, 'SMTP_AUTH_FAILED', JSON.stringify(refused));
    const error = switching.shown.find((p) => p.kind === 'error');
    assert.ok(error && error.buttons.includes('Switch to Microsoft Sign-In') && !error.buttons.includes('Re-enter Password'), JSON.stringify(error));
    // Add Account opens on the address of the account, the provider already known (no provider pick).
    const asked = await waitFor(() => switching.shown.find((p) => p.kind === 'input'), { message: 'Add Account to ask for the address' });
    assert.match(asked.message, /Your email address/);
    assert.ok(!switching.shown.some((p) => p.kind === 'pick'), 'the provider was asked again');
  });

  it('"Re-enter Password" retries through the account the message was sent with, whatever the workspace switched to since', async () => {
    const work = await startSmtpServer({ security: 'none', users: { [WORK.user]: WORK.password } });
    servers.push(work);
    const workTarget = { user: WORK.user, host: work.host, port: work.port };
    secrets.push(workTarget);
    await api.secrets.store(workTarget, 'an-old-work-password');
    const home = await server(HOME);
    await settings().update('accounts', [account('work', work, WORK), account('home', home, HOME)], vscode.ConfigurationTarget.WorkspaceFolder);
    await api.accounts.choose('work');
    const prompts = new ScriptedPrompts({ holdErrors: true, password: [WORK.password] });
    api.prompts.use(prompts);
    const doc = await documentWith('accounts-retry.md', ['subject: Retried']);
    const failed = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(failed.status === 'failed' && failed.code, 'SMTP_AUTH_FAILED', JSON.stringify(failed));
    await api.accounts.choose('home');
    const retried = nextRetry(api);
    await waitFor(() => prompts.shown.some((p) => p.kind === 'error'), { message: 'the error notification' });
    prompts.answerHeld('Re-enter Password');
    const { outcome } = await retried;
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.strictEqual(work.messages.length, 1, 'the retry did not go through the account the message was sent with');
    assert.strictEqual(home.messages.length, 0, 'the retry went through the account switched to afterwards');
    assert.strictEqual(await api.secrets.get(workTarget), WORK.password, 'the password entered again was not stored for the work server');
  });

  it('a mail merge sends through the document\'s account, and a refused password is entered again for that account\'s server', async () => {
    // The work server knows the right password; the secret stored for it is an old one. The smtp.* keys name no server.
    const work = await startSmtpServer({ security: 'none', users: { [WORK.user]: WORK.password } });
    servers.push(work);
    const workTarget = { user: WORK.user, host: work.host, port: work.port };
    secrets.push(workTarget);
    await api.secrets.store(workTarget, 'an-old-work-password');
    await settings().update('accounts', [account('work', work, WORK)], vscode.ConfigurationTarget.WorkspaceFolder);
    const data = workspaceUri('accounts-merge.csv');
    files.push(data);
    await vscode.workspace.fs.writeFile(data, Buffer.from('name,email\nAda,ada@fixture.test\nGrace,grace@fixture.test\n', 'utf8'));
    const uri = workspaceUri('accounts-merge.md');
    files.push(uri);
    const text = ['---', 'account: work', 'data: accounts-merge.csv', 'to: "{{name}} <{{email}}>"', 'subject: "For {{name}}"', '---', '', 'Hello {{name}}', ''].join('\n');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);

    const prompts = new ScriptedPrompts({ confirm: ['Send to 2 Recipients', 'Send to 2 Recipients'], holdErrors: true, password: [WORK.password] });
    api.prompts.use(prompts);
    const failed = await vscode.commands.executeCommand<{ status: string; code?: string }>('sendAsEmail.send', doc.uri);
    assert.strictEqual(failed?.status === 'failed' && failed.code, 'SMTP_AUTH_FAILED', JSON.stringify(failed));
    await waitFor(() => prompts.shown.some((p) => p.kind === 'error'), { message: 'the error notification' });
    assert.ok(prompts.shown.find((p) => p.kind === 'error')?.buttons.includes('Re-enter Password'), JSON.stringify(prompts.shown));
    assert.strictEqual(work.messages.length, 0);
    // Re-enter Password asks, offers the merge again (confirmed), sends it through the work server and stores the password.
    const ran = new Promise<{ status: string }>((resolve) => {
      const sub = api.merges.onDidRun((e) => {
        sub.dispose();
        resolve(e.outcome);
      });
    });
    prompts.answerHeld('Re-enter Password');
    const sent = await ran;
    assert.strictEqual(sent.status, 'sent', JSON.stringify({ sent, shown: prompts.shown.filter((p) => p.kind === 'confirm') }));
    assert.strictEqual(await api.secrets.get(workTarget), WORK.password, 'the password entered again was not stored for the work server');
    assert.strictEqual(prompts.shown.filter((p) => p.kind === 'confirm').length, 2, 'the merge was not offered again');
    assert.deepStrictEqual(work.messages.map((m) => m.envelope.to.join(',')).sort(), ['ada@fixture.test', 'grace@fixture.test']);
    assert.ok(work.messages.every((m) => m.user === WORK.user), 'not logged in as the work account');
  });

  it('Set and Clear SMTP Password act on the active document\'s account', async () => {
    const work = await startSmtpServer({ security: 'none' });
    servers.push(work);
    await settings().update('accounts', [account('work', work, WORK)], vscode.ConfigurationTarget.WorkspaceFolder);
    const target = { user: WORK.user, host: work.host, port: work.port };
    secrets.push(target);
    const prompts = new ScriptedPrompts({ password: ['typed-for-work'] });
    api.prompts.use(prompts);
    const doc = await documentWith('accounts-password.md', ['account: work', 'subject: Password']);
    assert.strictEqual(await vscode.commands.executeCommand('sendAsEmail.setPassword', doc.uri), true);
    assert.strictEqual(await api.secrets.get(target), 'typed-for-work', 'not stored for the account\'s server and user');
    assert.match(prompts.shown.find((p) => p.kind === 'password')?.message ?? '', new RegExp(`${WORK.user} at ${work.host}:${work.port}`));
    await vscode.commands.executeCommand('sendAsEmail.clearPassword', doc.uri);
    assert.strictEqual(await api.secrets.get(target), undefined, 'Clear SMTP Password left the account\'s password');
  });
});
