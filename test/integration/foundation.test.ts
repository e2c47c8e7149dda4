// Runs first (see index.ts): activation, command registration, settings and SecretStorage in the real host.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { extension, getApi, waitFor, workspaceFolder, workspaceUri } from './support';

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

describe('Foundation (real extension host)', () => {
  const ext = extension();
  const contributed: ContributedCommand[] = ext.packageJSON.contributes.commands;

  it('runs the extension in a Node extension host with copies of the fixture folders open', async () => {
    assert.strictEqual(typeof process.versions.node, 'string');
    assert.strictEqual(ext.extensionKind, vscode.ExtensionKind.Workspace);
    // A multi-root workspace: the fixture folder, and a second folder whose settings name another SMTP server.
    assert.deepStrictEqual(vscode.workspace.workspaceFolders?.map((f) => f.name), ['workspace', 'second']);
    const stat = await vscode.workspace.fs.stat(workspaceUri('welcome.md'));
    assert.strictEqual(stat.type, vscode.FileType.File);
    assert.ok(!workspaceFolder().uri.path.includes('/test/fixtures/'), 'the host opened the fixture itself, not a copy');
  });

  it('activates when one of its commands runs', async () => {
    assert.strictEqual(ext.isActive, false, 'the extension was active before any of its commands ran');
    await vscode.commands.executeCommand('sendAsEmail.showLog');
    await waitFor(() => ext.isActive, { message: 'the extension to activate', timeout: 20_000 });
    const api = await getApi();
    assert.ok(api.secrets, 'activate() returned no secrets');
    assert.ok(api.log, 'activate() returned no log');
    assert.ok(api.mail, 'activate() returned no mail service');
    assert.ok(api.preview, 'activate() returned no preview API');
    assert.strictEqual(typeof api.outboxDir, 'string');
  });

  it('registers every command contributed in package.json, each in category "Email"', async () => {
    assert.ok(contributed.length >= 6, `only ${contributed.length} commands are contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    for (const c of contributed) assert.strictEqual(c.category, 'Email', `${c.command} is not in category "Email"`);
  });

  it('reads the workspace settings of the fixture and the contributed defaults', () => {
    const cfg = vscode.workspace.getConfiguration('sendAsEmail', workspaceFolder().uri);
    assert.strictEqual(cfg.get('smtp.host'), 'smtp.fixture.test');
    assert.strictEqual(cfg.get('smtp.port'), 2525);
    assert.strictEqual(cfg.get('from'), '"Fixture Sender" <sender@fixture.test>');
    // Not set by the fixture: the contributed defaults apply.
    assert.strictEqual(cfg.inspect('smtp.security')?.workspaceValue, undefined);
    assert.strictEqual(cfg.get('smtp.security'), 'starttls');
    assert.strictEqual(cfg.get('images.allowOutsideWorkspace'), false);
    assert.strictEqual(cfg.inspect('smtp.port')?.defaultValue, 587);
  });

  it('stores a password in SecretStorage keyed by user, host and port, reads it back and deletes it', async () => {
    const { secrets } = await getApi();
    const target = { user: 'sender@fixture.test', host: 'smtp.fixture.test', port: 2525 };
    const password = `pw-${process.pid}-${Date.now()}`;
    await secrets.store(target, password);
    try {
      assert.strictEqual(await secrets.get(target), password);
      assert.strictEqual(await secrets.get({ ...target, host: 'smtp.other.test' }), undefined, 'another host read the password');
      assert.strictEqual(await secrets.get({ ...target, port: 465 }), undefined, 'another port read the password');
      assert.strictEqual(await secrets.get({ ...target, user: 'someone@fixture.test' }), undefined, 'another user read the password');
    } finally {
      await secrets.delete(target);
    }
    assert.strictEqual(await secrets.get(target), undefined, 'the password was still there after delete');
  });
});
