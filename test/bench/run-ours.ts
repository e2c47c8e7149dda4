/**
 * Child process: our pipeline, as the command-line tool runs it (src/cli.ts `send`): read the document, compose it
 * to MIME bytes, then (send variant) queue it in an outbox and deliver it over SMTP. Forked by bench.ts.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { composeMessage } from '../../src/core/compose';
import { deliver } from '../../src/core/deliver';
import { Outbox } from '../../src/core/outbox';
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
    const composed = await composeMessage({ path: task.workload.doc, text }, { settings, workspaceFolders: [task.workload.dir] });
    mark('compose');
    if (!send) return composed.raw.length;
    const { result } = await deliver(
      { raw: composed.raw, messageId: composed.messageId, envelope: composed.envelope, subject: composed.headers.subject, source: task.workload.doc },
      target,
      outbox,
    );
    mark('deliver');
    if (result.accepted.length !== 1) throw new Error(`The bench server did not accept ${composed.messageId}: ${result.response}`);
    return result.size;
  });
});
