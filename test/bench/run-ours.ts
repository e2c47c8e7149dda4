/**
 * Child process: our pipeline, as the command-line tool runs it (src/cli/commands/send.ts): read the document, compose it
 * to MIME bytes (compose variant: in memory, as the preview and Save as .eml do), or (send variant, as `send` does)
 * compose it to MIME chunks that are written to the outbox and sent from there. Forked by bench.ts.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { composeMessage, composeMessageStream } from '../../src/core/message/compose';
import { deliverComposed } from '../../src/core/send/deliver';
import { Outbox } from '../../src/core/send/outbox';
import { defaultSettings } from '../../src/core/settings';
import type { SmtpTarget } from '../../src/core/types';
import { childMain, runRounds } from './lib/child';
import { FROM } from './lib/workloads';

childMain(async (task) => {
  const settings = defaultSettings();
  settings.from = FROM;
  const target: SmtpTarget = { ...settings.smtp, host: '127.0.0.1', port: task.port, security: 'none', user: '' };
  const outbox = new Outbox(path.join(task.scratch, 'outbox'));
  const send = task.variant === 'ours-send';
  return runRounds(task, async (_round, mark) => {
    const text = await fs.readFile(task.workload.doc, 'utf8');
    const doc = { path: task.workload.doc, text };
    const options = { settings, workspaceFolders: [task.workload.dir] };
    if (!send) {
      const composed = await composeMessage(doc, options);
      mark('compose');
      return composed.raw.length;
    }
    const composed = await composeMessageStream(doc, options);
    mark('compose');
    const { result } = await deliverComposed(composed, task.workload.doc, target, outbox);
    mark('deliver');
    if (result.accepted.length !== 1) throw new Error(`The bench server did not accept ${composed.messageId}: ${result.response}`);
    return result.size;
  });
});
