/** The text of `send-as-email --help`: one translatable template per line or paragraph. */
import * as l10n from '@vscode/l10n';
import { PASSWORD_ENV } from './options';

export function usageText(): string {
  return [
    l10n.t('Usage: send-as-email <command> [options]'),
    '',
    l10n.t('Commands:'),
    l10n.t('  build FILE            compose FILE (.md or .html) into a .eml file'),
    l10n.t('  send FILE             compose FILE and send it over SMTP'),
    l10n.t('  merge FILE            mail merge: one message per row of --data (or front matter data:); a dry run\n                        unless --send'),
    l10n.t('  outbox                list messages waiting in the outbox'),
    l10n.t('  retry ID              resend an outbox message (same bytes, same Message-ID)'),
    l10n.t('  demo [FILE]           start a loopback SMTP server, send FILE (default examples/welcome.md), report what arrived'),
    '',
    l10n.t('Message options (build, send, merge):'),
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
    l10n.t('Merge options (merge):'),
    l10n.t('  --data FILE           the rows: .csv (header row), .json (a list of objects, or one object), .yaml;\n                        --data - reads JSON from standard input'),
    l10n.t('  --data-encoding NAME  the data file\'s encoding when it is not UTF-8 (gb18030...)'),
    l10n.t('  (no flag)             dry run: render every row, print row, recipient, subject, size and totals; write nothing'),
    l10n.t('  --preview N           write row N\'s .eml (beside FILE, or -o)'),
    l10n.t('  --send                send the rows not sent yet (a run stopped by Ctrl-C, kill or a failure resumes\n                        where it stopped; accepted rows are never sent again)'),
    l10n.t('  --limit N             send only the next N rows (--limit 1: the first one, to check it)'),
    l10n.t('  --rate N              at most N messages per minute (the server\'s "slow down" halves it)'),
    l10n.t('  --log FILE            write a CSV log: row, recipient, state, Message-ID, server reply'),
    l10n.t('  --keep-sent           keep the bytes of accepted messages in the outbox (default: their record only)'),
    l10n.t('  --retry-unknown       also send rows the server may already have (no reply came to their end)'),
    '',
    l10n.t('SMTP options (send, merge, retry):'),
    l10n.t('  --host H  --port N  --security starttls|tls|none  --user U  --ca-file PEM  --timeout SECONDS'),
    l10n.t('  --outbox DIR          outbox folder (default: .send-as-email in --workspace, else in the current folder)'),
    l10n.t('  The password is read from the environment variable {0}, never from a flag.', PASSWORD_ENV),
    '',
    l10n.t('Other options:'),
    l10n.t('  -v, --verbose         print the SMTP conversation (never the password) on stderr'),
    l10n.t('  -h, --help            this text'),
    '',
    l10n.t('Exit codes: 0 success, 1 failed (nothing delivered), 2 bad input or usage (nothing sent), 3 partial delivery.'),
    '',
  ].join('\n');
}
