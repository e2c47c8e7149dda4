/**
 * One SMTP connection that carries many messages (a merge): connect and log in once, then one message after the
 * other, RSET after a message the server refused (the connection itself is fine), a new connection when the server
 * dropped or closed this one (`421`). Built on the same session (session.ts) and per-message send (smtp.ts
 * `sendOnSession`) as a single send, so every failure is mapped the same way.
 */
import type { SendResult, SmtpTarget } from '../types';
import { ErrorCode, SendAsEmailError } from '../errors';
import { sendFailure } from './sendOutcome';
import { login } from './login';
import { withSession, type Session, type SmtpOptions } from './session';
import { checkEnvelope, sendOnSession, type BufferedMessage, type StreamedMessage } from './smtp';
import { announcedSizeLimit, isDestroyed, lastServerReply } from './nodemailerInternals';
import { toSmtpError } from './smtpErrors';

interface Open {
  ready: Promise<Session>;
  /** Ends the session (QUIT). */
  end(): void;
  /** Settles when the session is over. */
  over: Promise<void>;
  session?: Session;
}

export interface ChannelSendOptions {
  /** Awaited before MAIL FROM (the outbox write). */
  beforeMail?: () => Promise<void>;
  /** Called synchronously as the server takes the message's first bytes. */
  onData?: () => void;
}

export class SmtpChannel {
  private current?: Open;
  /** Connections opened so far. */
  connections = 0;
  /** Messages sent over the current connection. */
  private sentOnConnection = 0;
  /** Whether the last `send` failed because no connection could be set up (nothing of its message left). */
  openFailed = false;
  /** After a failed `send`: the server's last reply line (a `421` sent as it closed the connection), or ''. */
  lastReply = '';

  constructor(
    private readonly target: SmtpTarget,
    private readonly opts: SmtpOptions = {},
  ) {}

  /**
   * Sends one message over the open connection (opened first if needed). Rejects with the mapped error;
   * `openFailed` then says whether it was setting the connection up that failed.
   */
  async send(envelope: { from: string; to: string[] }, message: BufferedMessage | StreamedMessage, options: ChannelSendOptions = {}): Promise<SendResult> {
    checkEnvelope(envelope);
    this.openFailed = false;
    this.lastReply = '';
    const open = this.open();
    let s: Session;
    try {
      s = await open.ready;
    } catch (e) {
      // Not connected: nothing of this message left.
      this.openFailed = true;
      throw toSendError(e);
    }
    try {
      const result = await sendOnSession(s, envelope, message, options);
      this.sentOnConnection++;
      return result;
    } catch (e) {
      const mapped = sendFailure(toSmtpError(e, s.ctx), s.ctx);
      this.lastReply = lastServerReply(s.conn);
      await this.afterFailure(open, s, e);
      throw mapped;
    }
  }

  /** After a failed message: RSET when only the message was refused, else a new connection next time. */
  private async afterFailure(open: Open, s: Session, e: unknown): Promise<void> {
    const err = e as { code?: string; responseCode?: number };
    const destroyed = isDestroyed(s.conn);
    if ((err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && err.responseCode !== 421 && !destroyed) {
      const reset = await new Promise<boolean>((resolve) => s.conn.reset((resetErr) => resolve(!resetErr))).catch(() => false);
      if (reset) return;
    }
    this.drop(open);
  }

  /** The open connection, or a new one. */
  private open(): Open {
    if (this.current) return this.current;
    let ready!: (s: Session) => void;
    let failed!: (e: unknown) => void;
    let end!: () => void;
    const readyPromise = new Promise<Session>((resolve, reject) => ((ready = resolve), (failed = reject)));
    readyPromise.catch(() => {});
    const ended = new Promise<void>((resolve) => (end = resolve));
    const open: Open = { ready: readyPromise, end, over: Promise.resolve() };
    this.connections++;
    this.sentOnConnection = 0;
    const run = withSession(this.target, 'send', this.opts, async (s) => {
      s.ctx.sizeLimit = announcedSizeLimit(s.conn);
      await login(s, this.target);
      open.session = s;
      ready(s);
      // Idle between messages: a connection the server drops meanwhile ends this session.
      await Promise.race([ended, s.failure()]);
    });
    open.over = run.then(
      () => undefined,
      (e: unknown) => failed(e),
    );
    void open.over.finally(() => {
      if (this.current === open) this.current = undefined;
    });
    this.current = open;
    return open;
  }

  private drop(open: Open): void {
    if (this.current === open) this.current = undefined;
    open.session?.conn.close();
    open.end();
  }

  /** Quits the connection (if open) and waits for it to close. */
  async close(): Promise<void> {
    const open = this.current;
    this.current = undefined;
    if (!open) return;
    open.end();
    await open.over;
  }
}

function toSendError(e: unknown): SendAsEmailError {
  return e instanceof SendAsEmailError ? e : new SendAsEmailError(ErrorCode.SMTP_CONNECTION_DROPPED, e instanceof Error ? e.message : String(e), { cause: e });
}
