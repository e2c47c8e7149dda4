/**
 * The third-party packages only the demo uses: a loopback SMTP server, a mail parser and a MIME splitter. Built apart
 * as dist/cli-demo.js (see esbuild.js), so the other commands never load them.
 */
export { SMTPServer } from 'smtp-server';
export { simpleParser } from 'mailparser';
export { Splitter } from '@zone-eu/mailsplit';
