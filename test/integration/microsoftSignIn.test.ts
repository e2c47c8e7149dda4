// Microsoft sign-in for an OAuth 2.0 account, in the real extension host: a fake authentication provider registered
// under a test id stands in for VS Code's `microsoft` one (injected through the test API). The test proves the scopes
// asked for, that the provider's token reaches a loopback server that offers only XOAUTH2, that a refused token is
// renewed once, and that no token reaches the log. The test host refuses to show VS Code's consent dialog, so the
// user's first sign-in is made the other way VS Code offers: the "Sign in with … to use Send as Email" entry of the
// Accounts menu (its command), which also grants the extension access to the session.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { EXTENSION_ID, getApi, recordWorkspaceSettings, revertAndCloseAll, ScriptedPrompts, settings, workspaceUri } from './support';

const PROVIDER_ID = 'sae-test-microsoft';
const USER = 'ada@contoso.test';
const CLIENT_ID = '0b3c9a1e-5d2f-4c71-9e88-3f1a2b4c5d6e';
const TENANT = 'contoso.onmicrosoft.com';
const SCOPES = ['https://outlook.office.com/SMTP.Send', 'offline_access', `VSCODE_CLIENT_ID:${CLIENT_ID}`, `VSCODE_TENANT:${TENANT}`];

/**
 * A `microsoft` provider double: one session, every scope list it was asked for, and a renewal armed by the test (the
 * token it hands out once more, then a renewed one, as the real provider does when its cached token expired).
 */
class FakeMicrosoft implements vscode.AuthenticationProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  readonly created: string[][] = [];
  readonly asked: string[][] = [];
  private sessions: vscode.AuthenticationSession[] = [];
  private renewal: { stale: string; renewed: string; handedStale: boolean } | undefined;
  constructor(private readonly firstToken: string) {}

  getSessions(scopes: readonly string[] | undefined): Thenable<vscode.AuthenticationSession[]> {
    this.asked.push([...(scopes ?? [])]);
    const r = this.renewal;
    if (r && this.sessions.length > 0) {
      const token = r.handedStale ? r.renewed : r.stale;
      if (r.handedStale) this.renewal = undefined;
      else r.handedStale = true;
      this.sessions = this.sessions.map((s) => ({ ...s, accessToken: token }));
    }
    const key = [...(scopes ?? [])].sort().join(' ');
    return Promise.resolve(this.sessions.filter((s) => !scopes || [...s.scopes].sort().join(' ') === key));
  }
  createSession(scopes: readonly string[]): Thenable<vscode.AuthenticationSession> {
    this.created.push([...scopes]);
    const session = { id: `session-${this.created.length}`, accessToken: this.firstToken, account: { id: USER, label: USER }, scopes: [...scopes] };
    this.sessions = [session];
    this.emitter.fire({ added: [session], removed: [], changed: [] });
    return Promise.resolve(session);
  }
  removeSession(id: string): Thenable<void> {
    const removed = this.sessions.filter((s) => s.id === id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
    this.emitter.fire({ added: [], removed, changed: [] });
    return Promise.resolve();
  }
  /** The next session asked for still carries `stale` (the server refuses it); the one after is renewed. */
  renewAfter(stale: string, renewed: string): void {
    this.renewal = { stale, renewed, handedStale: false };
  }
}

/**
 * The user signs in through the Accounts menu entry VS Code adds for the extension's pending request
 * (`<provider>:<extension>:signIn<n>`, n counting the requests of other scopes an earlier test may have left).
 */
async function signInFromAccountsMenu(scopes: string[] = SCOPES): Promise<void> {
  const pending = await vscode.authentication.getSession(PROVIDER_ID, scopes, {});
  assert.strictEqual(pending, undefined, 'a session existed before the sign-in');
  for (let n = 0; n < 4; n++) {
    await vscode.commands.executeCommand(`${PROVIDER_ID}:${EXTENSION_ID}:signIn${n}`).then(undefined, () => undefined);
    if (await vscode.authentication.getSession(PROVIDER_ID, scopes, { silent: true })) return;
  }
  assert.fail('the Accounts menu offered no sign-in for these scopes');
}

describe('Microsoft sign-in (real extension host, fake authentication provider)', () => {
  let api: SendAsEmailApi;
  let restore: () => Promise<void>;
  let server: TestSmtpServer | undefined;
  let registration: vscode.Disposable | undefined;
  const files: vscode.Uri[] = [];

  before(async () => {
    api = await getApi();
  });

  beforeEach(() => {
    restore = recordWorkspaceSettings(['accounts', 'defaultAccount']);
  });

  afterEach(async () => {
    api.prompts.use(undefined);
    api.useAuthProvider(undefined);
    registration?.dispose();
    registration = undefined;
    try {
      await revertAndCloseAll();
      await server?.close();
      server = undefined;
      for (const f of files.splice(0)) await vscode.workspace.fs.delete(f).then(undefined, () => undefined);
    } finally {
      await restore();
    }
  });

  it('asks for SMTP.Send with the account\'s app and tenant, hands the token to the server, and renews a refused token once', async () => {
    const tokens: Record<string, string> = { [USER]: 'token-one-5f1c2a' };
    server = await startSmtpServer({ security: 'none', authMethods: ['XOAUTH2'], tokens });
    const fake = new FakeMicrosoft('token-one-5f1c2a');
    registration = vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, 'Fake Microsoft', fake);
    api.useAuthProvider(PROVIDER_ID);
    await settings().update(
      'accounts',
      [{ name: 'm365', provider: 'microsoft365', host: server.host, port: server.port, security: 'none', user: USER, from: USER, auth: 'oauth2', oauth2: { clientId: CLIENT_ID, tenant: TENANT } }],
      vscode.ConfigurationTarget.WorkspaceFolder,
    );
    const uri = workspaceUri('accounts-m365.md');
    files.push(uri);
    await vscode.workspace.fs.writeFile(uri, Buffer.from('---\naccount: m365\nto: reader@fixture.test\nsubject: Signed in\n---\n\n# Hello\n', 'utf8'));
    const doc = await vscode.workspace.openTextDocument(uri);
    api.prompts.use(new ScriptedPrompts());
    await signInFromAccountsMenu();
    fake.asked.length = 0;

    const outcome = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(outcome.status, 'sent', JSON.stringify(outcome));
    assert.ok(fake.asked.length >= 1, 'the provider was not asked for a session');
    for (const scopes of fake.asked) assert.deepStrictEqual(scopes, SCOPES, 'the send asked for other scopes');
    assert.deepStrictEqual(server.auths.map((a) => [a.method, a.username, a.success]), [['XOAUTH2', USER, true]]);
    assert.strictEqual(server.messages.length, 1);
    assert.strictEqual(server.messages[0]!.user, USER);

    // The token the provider hands out next is refused by the server; asked once more, the provider renews it.
    fake.renewAfter('token-stale-0000', 'token-two-9b7d3e');
    tokens[USER] = 'token-two-9b7d3e';
    const again = await api.mail.send(await api.mail.compose(doc), doc.uri);
    assert.strictEqual(again.status, 'sent', JSON.stringify(again));
    assert.deepStrictEqual(server.auths.slice(1).map((a) => a.success), [false, true], 'not one refusal then one renewed login');
    assert.strictEqual(server.messages.length, 2);
    assert.strictEqual(fake.created.length, 1, 'the renewal made the user sign in again');

    const log = api.log.lines().join('\n');
    assert.match(log, /XOAUTH2|Signed in to Microsoft/, 'the log shows nothing of the login');
    for (const secret of ['token-one-5f1c2a', 'token-two-9b7d3e', 'token-stale-0000', Buffer.from(`user=${USER}\x01auth=Bearer token-two-9b7d3e\x01\x01`).toString('base64')]) {
      assert.ok(!log.includes(secret), `the log shows ${secret}`);
    }
  });

  it('Email: Add Account for Microsoft 365 asks for the app and tenant, signs in with them, and saves the account without a secret', async () => {
    const fake = new FakeMicrosoft('token-add-7c2e1d');
    registration = vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, 'Fake Microsoft', fake);
    api.useAuthProvider(PROVIDER_ID);
    const tenant = 'fabrikam.onmicrosoft.com';
    const scopes = ['https://outlook.office.com/SMTP.Send', 'offline_access', `VSCODE_CLIENT_ID:${CLIENT_ID}`, `VSCODE_TENANT:${tenant}`];
    await signInFromAccountsMenu(scopes);
    fake.asked.length = 0;
    const folder = vscode.workspace.workspaceFolders![0]!;
    const prompts = new ScriptedPrompts({
      picks: ['Microsoft 365', 'Sign in with Microsoft', 'Save the account anyway', `Folder settings: ${folder.name}`],
      inputs: [USER, CLIENT_ID, tenant, 'fabrikam'],
    });
    api.prompts.use(prompts);
    // The preset's server (smtp.office365.com) cannot be reached here: the test fails, and the account is saved anyway.
    const name = await vscode.commands.executeCommand('sendAsEmail.addAccount');
    assert.strictEqual(name, 'fabrikam', JSON.stringify(prompts.shown));
    const rule = prompts.shown.filter((p) => p.kind === 'pick')[1]!;
    assert.match(rule.message, /Microsoft sign-in/);
    assert.deepStrictEqual(rule.buttons, ['Sign in with Microsoft', 'Use a password', 'Open the help page']);
    assert.ok(fake.asked.some((s) => JSON.stringify(s) === JSON.stringify(scopes)), `the flow asked for ${JSON.stringify(fake.asked)}`);
    assert.ok(prompts.shown.some((p) => p.kind === 'error' && /smtp\.office365\.com/.test(p.message)), 'the failed connection test was not reported');
    const saved = settings().inspect<Record<string, unknown>[]>('accounts')?.workspaceFolderValue ?? [];
    assert.deepStrictEqual(saved.find((a) => a.name === 'fabrikam'), {
      name: 'fabrikam',
      user: USER,
      from: USER,
      provider: 'microsoft365',
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls',
      auth: 'oauth2',
      oauth2: { clientId: CLIENT_ID, tenant },
    });
    assert.ok(!JSON.stringify(saved).includes('token-add-7c2e1d'), 'the token reached the settings');
  });
});
