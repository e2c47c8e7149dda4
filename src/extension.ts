import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from './commands/ids';
import { openOutboxCommand } from './commands/outbox';
import { previewCommand } from './commands/preview';
import { saveEmlCommand } from './commands/saveEml';
import { clearPasswordCommand, setPasswordCommand, testConnectionCommand } from './commands/smtp';
import type { Outbox } from './core/outbox';
import { Log } from './log';
import { Mailer } from './mailer';
import { PreviewManager } from './preview/previewManager';
import { SmtpSecrets } from './secrets';
import type { Testing } from './testing';
import { windowPrompts } from './ui';

/**
 * Composition root: builds the services and registers the commands. Returns nothing, so no other extension can
 * reach a secret, a prompt or Send; only in ExtensionMode.Test does it load the test module (out/testing/, never
 * shipped) and return the test API.
 */
export function activate(context: vscode.ExtensionContext): unknown {
  const testing = context.extensionMode === vscode.ExtensionMode.Test ? loadTesting(context) : undefined;
  const log = new Log();
  const secrets = new SmtpSecrets(context.secrets);
  const outboxDir = path.join(context.globalStorageUri.fsPath, 'mail');
  let outboxInstance: Outbox | undefined;
  const outbox = async (): Promise<Outbox> => {
    if (!outboxInstance) {
      const { Outbox } = await import('./core/outbox');
      outboxInstance = new Outbox(outboxDir);
    }
    return outboxInstance;
  };
  const mailer = new Mailer({ secrets, outbox, log, prompts: testing?.prompts ?? windowPrompts });
  const previews = new PreviewManager({
    extensionUri: context.extensionUri,
    mail: mailer,
    log,
    openExternal: testing?.openExternal ?? ((uri) => vscode.env.openExternal(uri)),
    pageScript: testing?.pageScript,
  });

  const commands: Record<CommandId, (...args: never[]) => unknown> = {
    [CommandId.send]: previewCommand(previews),
    [CommandId.preview]: previewCommand(previews),
    [CommandId.saveEml]: saveEmlCommand(mailer),
    [CommandId.testConnection]: testConnectionCommand(mailer),
    [CommandId.setPassword]: setPasswordCommand(mailer),
    [CommandId.clearPassword]: clearPasswordCommand(mailer),
    [CommandId.openOutbox]: openOutboxCommand(mailer, outbox),
    [CommandId.showLog]: () => log.show(),
  };
  context.subscriptions.push(
    log,
    previews,
    ...Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
  );

  return testing?.api({ secrets, log, mail: mailer, outboxDir, previews }, context.subscriptions);
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
