import * as l10n from '@vscode/l10n';
import * as path from 'path';
import * as vscode from 'vscode';
import { addAccountCommand } from './commands/addAccount';
import { clearPasswordCommand } from './commands/clearPassword';
import { CommandId } from './commands/ids';
import { openExampleCommand } from './commands/openExample';
import { openOutboxCommand } from './commands/openOutbox';
import { previewCommand } from './commands/preview';
import { saveEmlCommand } from './commands/saveEml';
import { sendCommand } from './commands/send';
import { setPasswordCommand } from './commands/setPassword';
import { setUpCommand } from './commands/setUp';
import { switchAccountCommand } from './commands/switchAccount';
import { testConnectionCommand } from './commands/testConnection';
import type { Outbox } from './core/send/outbox';
import { PreviewManager } from './preview/previewManager';
import type { Testing } from './testing';
import { Accounts } from './vscode/accounts';
import { AccountStatus } from './vscode/accountStatus';
import { Log } from './vscode/log';
import { Mailer } from './vscode/mailer';
import { MergeSender } from './vscode/mergeSender';
import { Notifications } from './vscode/notifications';
import { OAuthLogin } from './vscode/oauthLogin';
import { Onboarding } from './onboarding/walkthroughProgress';
import { windowPrompts } from './vscode/prompts';
import { SmtpSecrets } from './vscode/secrets';
import { SmtpLogin } from './vscode/smtpLogin';

/**
 * Composition root: builds the services and registers the commands. Returns nothing, so no other extension can
 * reach a secret, a prompt or Send; only in ExtensionMode.Test does it load the test module (out/testing/, never
 * shipped) and return the test API.
 */
export function activate(context: vscode.ExtensionContext): unknown {
  // The core words its messages with @vscode/l10n: it reads the same bundle VS Code loaded for its language.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const testing = context.extensionMode === vscode.ExtensionMode.Test ? loadTesting(context) : undefined;
  const prompts = testing?.prompts ?? windowPrompts;
  const log = new Log();
  const secrets = new SmtpSecrets(context.secrets);
  const login = new SmtpLogin(secrets, prompts, log);
  const openExternal = testing?.openExternal ?? ((uri: vscode.Uri) => vscode.env.openExternal(uri));
  const notifications = new Notifications(prompts, log, openExternal);
  const accounts = new Accounts({ state: context.workspaceState, trusted: testing?.trusted ?? (() => vscode.workspace.isTrusted) });
  const oauth = new OAuthLogin({
    log,
    providerId: testing?.authProviderId ?? (() => 'microsoft'),
    cwd: () => vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath,
  });
  const outboxDir = path.join(context.globalStorageUri.fsPath, 'mail');
  let outboxInstance: Outbox | undefined;
  const outbox = async (): Promise<Outbox> => {
    if (!outboxInstance) {
      const { Outbox } = await import('./core/send/outbox');
      outboxInstance = new Outbox(outboxDir);
    }
    return outboxInstance;
  };
  const mailer = new Mailer({ accounts, login, oauth, notifications, outbox, log });
  const merges = new MergeSender({ mailer, login, notifications, prompts, log, outboxDir });
  const previews = new PreviewManager({
    extensionUri: context.extensionUri,
    mailer,
    merges,
    log,
    accounts,
    openExternal,
    pageScript: testing?.pageScript,
  });

  const commands: Record<CommandId, (...args: never[]) => unknown> = {
    [CommandId.send]: sendCommand(previews, merges),
    [CommandId.preview]: previewCommand(previews),
    [CommandId.saveEml]: saveEmlCommand(mailer, notifications, merges),
    [CommandId.testConnection]: testConnectionCommand(mailer),
    [CommandId.setPassword]: setPasswordCommand({ accounts, login, notifications }),
    [CommandId.clearPassword]: clearPasswordCommand({ accounts, login, notifications }),
    [CommandId.openOutbox]: openOutboxCommand(mailer, outbox, merges),
    [CommandId.showLog]: () => log.show(),
    [CommandId.setUp]: setUpCommand(),
    [CommandId.openExample]: openExampleCommand(previews),
    [CommandId.addAccount]: addAccountCommand({ accounts, mailer, login, prompts, notifications, openExternal }),
    [CommandId.switchAccount]: switchAccountCommand({ accounts, prompts, notifications }),
  };
  const accountStatus = new AccountStatus(accounts);
  context.subscriptions.push(
    log,
    accounts,
    accountStatus,
    mailer,
    merges,
    previews,
    new Onboarding(previews),
    ...Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
  );

  return testing?.api({ secrets, log, mailer, merges, outboxDir, previews, accounts, accountStatus }, context.subscriptions);
}

export function deactivate(): void {}

/** The test module, next to the bundle's folder: out/testing/index.js (built by `node esbuild.js`, not shipped). */
function loadTesting(context: vscode.ExtensionContext): Testing {
  const file = path.join(context.extensionPath, 'out', 'testing', 'index.js');
  // A computed path: the bundler leaves this require alone, so no test code enters dist/extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const testingModule = require(file) as typeof import('./testing');
  return testingModule.createTesting(context);
}
