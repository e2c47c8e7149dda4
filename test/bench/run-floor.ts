/**
 * Child process: the floor of the stack. Plain nodemailer given HTML rendered beforehand (outside the timing) and the
 * same image files as path attachments with cids: no rendering, no CSS inlining, no reference rewriting, no outbox.
 * `floor-compose` builds the MIME bytes with MailComposer; `floor-send` sends with createTransport (SMTP). Forked by bench.ts.
 */
import { promises as fs } from 'fs';
import * as nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { childMain, runRounds } from './lib/child';
import { FROM, TO, type FloorInput } from './lib/workloads';

childMain(async (task) => {
  const input = JSON.parse(await fs.readFile(task.workload.floor, 'utf8')) as FloorInput;
  const mail = (): Mail.Options => ({
    from: FROM,
    to: TO,
    subject: input.subject,
    text: input.text,
    html: input.html,
    attachments: input.attachments.map((a) => ({ path: a.path, cid: a.cid, filename: a.filename })),
  });
  if (task.variant === 'floor-compose') {
    return runRounds(task, async () => (await new MailComposer(mail()).compile().build()).length);
  }
  return runRounds(task, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: task.port, secure: false, ignoreTLS: true });
    try {
      const info = (await transport.sendMail(mail())) as { accepted: unknown[]; response: string; messageSize?: number };
      if (info.accepted.length !== 1) throw new Error(`The bench server did not accept the message: ${info.response}`);
      return info.messageSize ?? 0;
    } finally {
      transport.close();
    }
  });
});
