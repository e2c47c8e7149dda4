/**
 * The benchmark's SMTP server: smtp-server on 127.0.0.1, an ephemeral port, no TLS, no AUTH, no size limit.
 * It reads every message to the end and throws the bytes away (counting them), so the client side is what is measured.
 */
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection';

/**
 * smtp-server waits a fixed 100 ms before its greeting to catch clients that talk too early (an anti-spam measure).
 * On loopback that pause would be most of a small send, for both sides alike, and hide the client's own cost; the
 * benchmark's server greets at once. Returns false when the internals have changed and the pause stays.
 */
function skipGreetingPause(): boolean {
  const proto = SMTPConnection.prototype as {
    init?: () => void;
    _setListeners?: (ready: () => void) => void;
    connectionReady?: () => void;
  };
  if (typeof proto.init !== 'function' || typeof proto._setListeners !== 'function' || typeof proto.connectionReady !== 'function') return false;
  proto.init = function (this: typeof proto): void {
    this._setListeners!(() => this.connectionReady!());
  };
  return true;
}

export interface DiscardServer {
  port: number;
  /** False when smtp-server's 100 ms pause before the greeting could not be switched off (it is in every send). */
  greetsAtOnce: boolean;
  /** Messages and bytes received so far. */
  stats(): { messages: number; bytes: number };
  close(): Promise<void>;
}

export async function startDiscardServer(): Promise<DiscardServer> {
  const greetsAtOnce = skipGreetingPause();
  let messages = 0;
  let bytes = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    // No reverse DNS of 127.0.0.1 per connection: it would add the resolver's latency to both sides.
    disableReverseLookup: true,
    banner: 'send-as-email bench',
    onData(stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => {
        messages++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('The bench SMTP server has no TCP address.');
  return {
    port: address.port,
    greetsAtOnce,
    stats: () => ({ messages, bytes }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
