/** The text of `send-as-email --help`: one translatable template per line or paragraph. */
import * as l10n from '@vscode/l10n';
import { ACCESS_TOKEN_ENV, PASSWORD_ENV } from './options';

export function usageText(): string {
  return [
    l10n.t('Usage: send-as-email <command> [options]'),
    '',
    l10n.t('Commands:'),
    l10n.t('  build FILE            compose FILE (.md or .html) into a .eml file'),
    l10n.t('  send FILE             compose FILE and send it over SMTP'),
    l10n.t('  check FILE            compose FILE and report what recipients will see: client support (caniemail data),\n                        images, links, size, accessibility; exit 1 when there are errors'),
    l10n.t('  outbox                list messages waiting in the outbox'),
    l10n.t('  retry ID              resend an outbox message (same bytes, same Message-ID)'),
    l10n.t('  accounts              list the accounts in the --settings file (the default one marked; no secrets)'),
    l10n.t('  demo [FILE]           start a loopback SMTP server, send FILE (default examples/welcome.md), report what arrived'),
    '',
    l10n.t('Message options (build, send, check):'),
    l10n.t(
      '  -o, --out FILE        where build writes the .eml (default: beside FILE); an existing file is replaced only\n                        when it is an .eml (never FILE itself)',
    ),
    l10n.t('  --force               let build -o replace an existing file that is not an .eml'),
    l10n.t('  --to A,B  --cc A,B  --bcc A,B  --subject S  --from F  --reply-to R   (repeatable; "Name, Jr." <a@b> is one address)'),
    l10n.t('  --settings FILE       read sendAsEmail.* keys from a VS Code settings.json (comments allowed)'),
    l10n.t(
      '  --workspace DIR       local images, attachments and inline files must be inside it (default: the repository\n                        FILE is in, the nearest folder above it holding .git, else FILE\'s own folder)',
    ),
    l10n.t(
      '  --encoding NAME       the encoding of FILE when it is not UTF-8: gb18030, big5, shift_jis, windows-1252...\n                        (default: UTF-8, or what a byte order mark says; other bytes are refused)',
    ),
    '',
    l10n.t('Check options (check):'),
    l10n.t('  --clients LIST        families or clients to check, comma-separated (default: gmail,outlook,apple-mail,\n                        yahoo,thunderbird); ids such as outlook.windows or gmail.android pick one'),
    l10n.t('  --format text|json    how the report is printed (default: text)'),
    '',
    l10n.t('SMTP options (send, retry):'),
    l10n.t('  --host H  --port N  --security starttls|tls|none  --user U  --ca-file PEM  --timeout SECONDS'),
    l10n.t('  --outbox DIR          outbox folder (default: .send-as-email in --workspace, else in the current folder)'),
    l10n.t(
      '  --account NAME        send with this account of sendAsEmail.accounts (default: the document\'s account:,\n                        then sendAsEmail.defaultAccount, then the sendAsEmail.smtp.* keys)',
    ),
    l10n.t('  --auth password|oauth2  how to log in (default: the account\'s "auth")'),
    l10n.t('  --token-command CMD   a command, run through the shell, that prints an OAuth 2.0 access token'),
    l10n.t('  The password is read from the environment variable {0}, never from a flag.', PASSWORD_ENV),
    l10n.t(
      '  An OAuth 2.0 token comes from --token-command, else the environment variable {0}, else the account\'s\n  oauth2.tokenCommand; a token the server refuses is fetched again once.',
      ACCESS_TOKEN_ENV,
    ),
    '',
    l10n.t('Other options:'),
    l10n.t('  -v, --verbose         print the SMTP conversation (never the password or token) on stderr'),
    l10n.t('  -h, --help            this text'),
    '',
    l10n.t('Exit codes: 0 success, 1 failed (nothing delivered), 2 bad input or usage (nothing sent), 3 partial delivery.'),
    l10n.t('check: 0 no errors (warnings allowed), 1 errors found, 2 bad input.'),
    '',
  ].join('\n');
}
