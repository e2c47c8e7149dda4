import * as crypto from 'crypto';
import type { ComposedMessage } from '../types';

/**
 * A key for "the same message from the same document" (`OutboxMeta.contentKey`): a hash of what the composed message
 * says and carries, leaving out what every compose makes anew (Message-ID, Date, MIME boundaries). Inline images
 * count by their content (their Content-IDs are content hashes), attachments by name, type, size and path.
 */
export function contentKey(m: Pick<ComposedMessage, 'headers' | 'envelope' | 'html' | 'text' | 'inlineImages' | 'attachments'>): string {
  const { from, to, cc, bcc, replyTo, subject } = m.headers;
  const parts = [
    [from, to, cc, bcc, replyTo ?? null, subject],
    [m.envelope.from, m.envelope.to],
    m.inlineImages.map((i) => [i.cid, i.filename, i.contentType, i.size]),
    m.attachments.map((a) => [a.filename, a.contentType, a.size, a.path]),
  ];
  return crypto.createHash('sha256').update(JSON.stringify(parts)).update('\0').update(m.html).update('\0').update(m.text).digest('hex');
}
