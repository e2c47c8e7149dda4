import * as path from 'path';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from './api';
import { CommandId } from './commands/ids';
import { openOutboxCommand } from './commands/outbox';
import { previewCommand } from './commands/preview';
import { saveEmlCommand } from './commands/saveEml';
import { clearPasswordCommand, setPasswordCommand, testConnectionCommand } from './commands/smtp';
import type { Outbox } from './core/outbox';
import { Log } from './log';
import { Mailer } from './mailer';
import { PreviewManager } from './preview/panel';
import { SmtpSecrets } from './secrets';
import { SwitchablePrompts } from './ui';

/** Composition root: builds the services, registers the commands, returns the test API. Nothing else. */
export function activate(context: vscode.ExtensionContext): SendAsEmailApi {
  const log = new Log();
  const secrets = new SmtpSecrets(context.secrets);
  const prompts = new SwitchablePrompts();
  const outboxDir = path.join(context.globalStorageUri.fsPath, 'mail');
  let outboxInstance: Outbox | undefined;
  const outbox = async (): Promise<Outbox> => {
    if (!outboxInstance) {
      const { Outbox } = await import('./core/outbox');
      outboxInstance = new Outbox(outboxDir);
    }
    return outboxInstance;
  };
  const mailer = new Mailer({ secrets, outbox, log, prompts });
  const previews = new PreviewManager({ extensionUri: context.extensionUri, mail: mailer, log });

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

  return { secrets, log, mail: mailer, outboxDir, preview: previews.testApi, prompts };
}

export function deactivate(): void {}
