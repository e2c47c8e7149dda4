/**
 * The language of the command-line tool: Chinese when LC_ALL, LC_MESSAGES or LANG (the first of them that is set and
 * not empty, as POSIX orders them) starts with "zh", else English. The Chinese texts come from the package's
 * l10n/bundle.l10n.zh-cn.json, the bundle VS Code gives the extension; without it the tool speaks English.
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as path from 'path';

/** The package's l10n folder: dist/cli.js lives one level below the package root. */
const L10N_DIR = path.join(__dirname, '..', 'l10n');

/** The string bundle for the language `env` asks for, in `l10nDir`; undefined for English. */
export function localeBundle(env: NodeJS.ProcessEnv, l10nDir = L10N_DIR): string | undefined {
  const language = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return /^zh/i.test(language) ? path.join(l10nDir, 'bundle.l10n.zh-cn.json') : undefined;
}

/** Makes l10n.t speak the language of `env` (English when its bundle is missing or unreadable). */
export function useLocale(env: NodeJS.ProcessEnv, l10nDir = L10N_DIR): void {
  const bundle = localeBundle(env, l10nDir);
  if (bundle && fs.existsSync(bundle)) {
    try {
      l10n.config({ fsPath: bundle });
      return;
    } catch {
      // An unreadable bundle: English.
    }
  }
  l10n.config({ contents: {} });
}
