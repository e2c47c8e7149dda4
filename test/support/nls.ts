import * as fs from 'fs';
import * as path from 'path';

/** `%key%`: a manifest string that VS Code looks up in package.nls[.locale].json. */
export const NLS_KEY = /^%([^%\s]+)%$/;

/** The messages of package.nls.json (English), or of package.nls.<locale>.json. */
export function readNls(root: string, locale?: string): Record<string, string> {
  const file = path.join(root, locale ? `package.nls.${locale}.json` : 'package.nls.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

/** A manifest string as VS Code shows it: a `%key%` replaced by its message (an unknown key throws, naming it). */
export function resolveNls(value: string, messages: Record<string, string>): string {
  const m = NLS_KEY.exec(value);
  if (!m) return value;
  const message = messages[m[1]!];
  if (typeof message !== 'string') throw new Error(`${value} has no message in package.nls.json`);
  return message;
}
