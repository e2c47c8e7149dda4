/**
 * The benchmark's SMTP server: smtp-server on 127.0.0.1, an ephemeral port, no TLS, no AUTH, no size limit.
 * It reads every message to the end and throws the bytes away (counting them), so the client side is what is measured.
 */
import { SMTPServer } from 'smtp-server';
import { skipGreetingPause } from '../../support/smtp';

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
