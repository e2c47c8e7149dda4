/** Command-line flags → the same settings the extension reads from settings.json. */
import * as path from 'path';
import { parseArgs } from 'util';
import { ErrorCode, SendAsEmailError } from '../core/errors';
import { checkSetting, defaultSettings, loadSettingsFile, SettingsError, type EmailSettings, type SmtpSecurity } from '../core/settings';
import { isKnownEncoding } from '../core/source/textFile';
import type { HeaderOverrides } from '../core/types';

export const PASSWORD_ENV = 'SEND_AS_EMAIL_PASSWORD';

export const USAGE = `Usage: send-as-email <command> [options]

Commands:
  build FILE            compose FILE (.md or .html) into a .eml file
  send FILE             compose FILE and send it over SMTP
  outbox                list messages waiting in the outbox
  retry ID              resend an outbox message (same bytes, same Message-ID)
  demo [FILE]           start a loopback SMTP server, send FILE (default examples/welcome.md), report what arrived

Message options (build, send):
  -o, --out FILE        where build writes the .eml (default: beside FILE); an existing file is replaced only
                        when it is an .eml (never FILE itself)
  --force               let build -o replace an existing file that is not an .eml
  --to A,B  --cc A,B  --bcc A,B  --subject S  --from F  --reply-to R   (repeatable; "Name, Jr." <a@b> is one address)
  --settings FILE       read sendAsEmail.* keys from a VS Code settings.json (comments allowed)
  --workspace DIR       local images, attachments and inline files must be inside it (default: the repository
                        FILE is in, the nearest folder above it holding .git, else FILE's own folder)
  --encoding NAME       the encoding of FILE when it is not UTF-8: gb18030, big5, shift_jis, windows-1252...
                        (default: UTF-8, or what a byte order mark says; other bytes are refused)

SMTP options (send, retry):
  --host H  --port N  --security starttls|tls|none  --user U  --ca-file PEM  --timeout SECONDS
  --outbox DIR          outbox folder (default: .send-as-email in --workspace, else in the current folder)
  The password is read from the environment variable ${PASSWORD_ENV}, never from a flag.

Other options:
  -v, --verbose         print the SMTP conversation (never the password) on stderr
  -h, --help            this text

Exit codes: 0 success, 1 failed (nothing delivered), 2 bad input or usage (nothing sent), 3 partial delivery.
`;

export interface CliOptions {
  command: string;
  positionals: string[];
  out?: string;
  /** --workspace; without it, the document's own repository or folder (`documentWorkspace`). */
  workspace?: string;
  /** --force: build -o may replace an existing file that is not an .eml. */
  force: boolean;
  outboxDir: string;
  settings: EmailSettings;
  overrides: HeaderOverrides;
  /** The document's encoding (a TextDecoder label), when --encoding names one. */
  encoding?: string;
  help: boolean;
  verbose: boolean;
}

export function parseCli(argv: string[], cwd = process.cwd()): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        to: { type: 'string', multiple: true },
        cc: { type: 'string', multiple: true },
        bcc: { type: 'string', multiple: true },
        subject: { type: 'string' },
        from: { type: 'string' },
        'reply-to': { type: 'string' },
        settings: { type: 'string' },
        workspace: { type: 'string' },
        encoding: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        security: { type: 'string' },
        user: { type: 'string' },
        'ca-file': { type: 'string' },
        timeout: { type: 'string' },
        outbox: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        verbose: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
  const v = parsed.values;
  if (v.password !== undefined) {
    throw usage(`--password is not accepted (it would end up in your shell history): set ${PASSWORD_ENV} instead.`);
  }
  if (v.encoding !== undefined && !isKnownEncoding(v.encoding)) {
    throw usage(`--encoding: unknown encoding "${v.encoding}"; use a name such as utf-8, gb18030, big5, shift_jis or windows-1252.`);
  }
  const [command = '', ...positionals] = parsed.positionals;
  const workspace = v.workspace === undefined ? undefined : path.resolve(cwd, v.workspace);
  let settings: EmailSettings;
  try {
    settings = v.settings ? loadSettingsFile(path.resolve(cwd, v.settings)) : defaultSettings();
  } catch (e) {
    if (e instanceof SettingsError) throw new SendAsEmailError(ErrorCode.SETTINGS_INVALID, e.message);
    throw e;
  }
  const smtp = settings.smtp;
  if (v.host !== undefined) smtp.host = v.host;
  // Flags are checked against the settings table (type, choices, range), like a settings file's values.
  const flag = <T>(name: string, key: string, raw: unknown): T => {
    try {
      return checkSetting(key, raw) as T;
    } catch (e) {
      if (e instanceof SettingsError) throw usage(`--${name}: ${e.message}`);
      throw e;
    }
  };
  if (v.port !== undefined) smtp.port = flag<number>('port', 'smtp.port', /^\d+$/.test(v.port) ? Number(v.port) : v.port);
  if (v.security !== undefined) smtp.security = flag<SmtpSecurity>('security', 'smtp.security', v.security);
  if (v.user !== undefined) smtp.user = v.user;
  if (v['ca-file'] !== undefined) smtp.caFile = path.resolve(cwd, v['ca-file']);
  if (v.timeout !== undefined) smtp.timeoutSeconds = flag<number>('timeout', 'smtp.timeoutSeconds', Number(v.timeout));
  // Each flag's value goes to the address parser as written: it splits lists at commas outside quotes, so
  // `--to '"Lovelace, Ada" <ada@example.com>, bob@example.com'` is two recipients.
  const overrides: HeaderOverrides = {};
  if (v.to) overrides.to = v.to;
  if (v.cc) overrides.cc = v.cc;
  if (v.bcc) overrides.bcc = v.bcc;
  if (v.subject !== undefined) overrides.subject = v.subject;
  if (v.from !== undefined) overrides.from = v.from;
  if (v['reply-to'] !== undefined) overrides.replyTo = v['reply-to'];
  return {
    command,
    positionals,
    out: v.out === undefined ? undefined : path.resolve(cwd, v.out),
    workspace,
    force: v.force ?? false,
    outboxDir: v.outbox ? path.resolve(cwd, v.outbox) : path.join(workspace ?? cwd, '.send-as-email'),
    settings,
    overrides,
    encoding: v.encoding,
    help: v.help ?? false,
    verbose: v.verbose ?? false,
  };
}

export function usage(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.USAGE, message, { hint: 'Run send-as-email --help for the options.' });
}
