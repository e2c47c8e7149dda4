/** The document a command names: read and decoded from disk, and the workspace its local files must be inside. */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import { decodeTextFile } from '../core/source/textFile';
import type { ComposeOptions, SourceDocument } from '../core/types';
import type { Io } from './io';
import { usage, type CliOptions } from './options';

/**
 * The document named on the command line and how to compose it. Its local files must be inside --workspace, else
 * inside its repository or its own folder: never the current folder (run from the home folder, a cloned
 * repository's `attachments: [../../.ssh/id_rsa]` was inside that).
 */
export function documentOf(opts: CliOptions, io: Io): { doc: SourceDocument; options: ComposeOptions } {
  const doc = readSource(opts.positionals[0], io.cwd, opts.encoding);
  const workspace = opts.workspace ?? documentWorkspace(doc.path, io.env.HOME || os.homedir());
  return { doc, options: { settings: opts.settings, workspaceFolders: [workspace], overrides: opts.overrides } };
}

/**
 * The document named on the command line, read from disk and decoded: UTF-8 (or what a byte order mark says) unless
 * `encoding` names another; a file that is not valid text in it is refused (see core/text-file.ts).
 */
export function readSource(file: string | undefined, cwd = process.cwd(), encoding?: string): { path: string; text: string } {
  if (!file) throw usage(l10n.t('Name the Markdown or HTML file to use.'));
  const abs = path.resolve(cwd, file);
  if (!/\.(md|markdown|html?)$/i.test(abs)) throw usage(l10n.t('{0} is not a Markdown (.md) or HTML (.html) file.', file));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (e) {
    throw new SendAsEmailError(ErrorCode.USAGE, l10n.t('Cannot read {0}: {1}.', abs, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  return { path: abs, text: decodeTextFile(bytes, abs, encoding) };
}

/**
 * Where a document's local files must be when no --workspace is given: its repository (the nearest folder at or
 * above the document's own that holds `.git`, a folder or a file), else the document's folder; never a folder
 * above that. A `.git` in the home folder or at the file system root (a home directory under version control) does
 * not count: that would put ~/.ssh inside the workspace.
 */
export function documentWorkspace(docPath: string, home: string): string {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const own = real(path.dirname(docPath));
  const homeDir = real(home);
  for (let dir = own; ; dir = path.dirname(dir)) {
    const top = path.dirname(dir) === dir;
    if (dir === homeDir || top) return own;
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
  }
}
