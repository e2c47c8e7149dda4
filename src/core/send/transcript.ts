/**
 * The SMTP transcript as log lines (`C: ...` / `S: ...`), with every credential replaced by a placeholder.
 */
import * as util from 'util';
import type { Logger } from '../types';
import { secretScrubber } from './secrets';

type NodemailerLogFn = (entry: unknown, ...args: unknown[]) => void;

/**
 * A bunyan-style logger for nodemailer that forwards the SMTP transcript to `logger.debug` as
 * `C: ...` / `S: ...` lines. Whatever the client sends after an AUTH command is replaced until the
 * server answers with something other than 334; message content is never logged (nodemailer only
 * logs it with `debug: true`, which is not used, and such lines are dropped here too); every line is
 * scrubbed of the secrets (every form: `secretForms`) as a last line of defence. Exported for tests.
 */
export function transcriptLogger(logger: Logger | undefined, secrets: readonly string[], onServerLine: (line: string) => void = () => {}) {
  let inAuth = false;
  // The secrets can grow during the session (a refreshed OAuth2 token): the scrubber is rebuilt when they do.
  let scrub = secretScrubber(secrets);
  let known = secrets.length;
  const emit = (line: string): void => {
    if (secrets.length !== known) [scrub, known] = [secretScrubber(secrets), secrets.length];
    logger?.debug(scrub(line));
  };
  const at =
    (level: string): NodemailerLogFn =>
    (entry, ...args) => {
      const tnx = (entry as { tnx?: string } | undefined)?.tnx;
      if (tnx === 'message' && level === 'debug') return; // message content
      const text = util.format(...args).replace(/\r?\n$/, '');
      if (tnx === 'client') {
        const auth = /^AUTH\s+(\S+)/i.exec(text);
        if (auth) {
          inAuth = true;
          emit(`C: AUTH ${auth[1].toUpperCase()}${text.trim().length > auth[0].length ? ' [credentials hidden]' : ''}`);
        } else if (inAuth) {
          emit('C: [credentials hidden]');
        } else {
          emit(`C: ${text}`);
        }
        return;
      }
      if (tnx === 'server') {
        onServerLine(text);
        if (inAuth && !/^334[ -]/.test(text)) inAuth = false;
        for (const line of text.split(/\r?\n/)) emit(`S: ${line}`);
        return;
      }
      emit(`* ${text}`);
    };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}
