/** `send-as-email build FILE`: compose FILE into an .eml file (beside it, or -o). */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../../core/errors';
import { composeMessage } from '../../core/message/compose';
import { writeEml } from '../../core/message/eml';
import { documentOf } from '../document';
import type { Io } from '../io';
import { usage, type CliOptions } from '../options';
import { hasParts, partCounts, printParts, reportWarnings } from '../print';

export async function build(opts: CliOptions, io: Io): Promise<number> {
  const { doc, options } = documentOf(opts, io);
  const out = opts.out ?? doc.path.replace(/\.(md|markdown|html?)$/i, '') + '.eml';
  checkBuildOutput(out, doc.path, opts.force);
  const composed = reportWarnings(await composeMessage(doc, options), io);
  await writeEml(out, composed.raw);
  const [size, parts] = [composed.raw.length, partCounts(composed)];
  io.out(hasParts(composed) ? l10n.t('Wrote {0} ({1} bytes, {2}):', out, size, parts) : l10n.t('Wrote {0} ({1} bytes, {2}).', out, size, parts));
  printParts(composed, io);
  return ExitCode.OK;
}

/**
 * Refuses an output file build must not write over: the document itself (whatever the flags), a folder, or an
 * existing file that is not an .eml unless `force`. A new file may have any name.
 */
export function checkBuildOutput(out: string, source: string, force: boolean): void {
  let target: fs.Stats;
  try {
    target = fs.statSync(out);
  } catch {
    return;
  }
  const doc = fs.statSync(source);
  if (target.ino === doc.ino && target.dev === doc.dev) {
    throw usage(l10n.t('build would write the message over its own document {0}: name another file with -o.', out));
  }
  if (target.isDirectory()) throw usage(l10n.t('{0} is a folder: name the .eml file to write with -o.', out));
  if (!force && path.extname(out).toLowerCase() !== '.eml') {
    throw usage(l10n.t('{0} already exists and is not an .eml file: build does not replace it without --force.', out));
  }
}
