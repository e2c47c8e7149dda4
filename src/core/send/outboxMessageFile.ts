/**
 * The message file of an outbox entry (`<id>.eml`): written atomically while it is hashed, counted and checked for
 * 8-bit bytes (one pass), and read back checked against the recorded size and SHA-256.
 */
import { isAscii } from 'buffer';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { atomically, type AtomicOptions, writeAll, writeAtomic } from '../atomicFile';
import type { OutboxEntry } from './outboxRecord';
import { changedFile, missingFile } from './outboxErrors';

/** SHA-256 off the main thread (WebCrypto runs the digest on libuv's thread pool). */
async function sha256Async(data: Buffer): Promise<string> {
  return Buffer.from(await crypto.webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** What `writeMessageChunks` learned about the bytes while writing them. */
export interface StreamedBytes {
  size: number;
  sha256: string;
  /** Some byte is over 0x7f (the send asks for 8BITMIME). */
  eightBit: boolean;
}

/**
 * Like `writeAtomic`, for bytes that arrive in chunks: hashes, counts and checks them on their way to the disk (one
 * pass). Each chunk is written (and hashed meanwhile) before the next is requested, so a source may reuse its buffer.
 */
export function writeMessageChunks(file: string, source: AsyncIterable<Buffer>, options: AtomicOptions = {}): Promise<StreamedBytes> {
  return atomically(file, async (handle) => {
    const hash = crypto.createHash('sha256');
    let size = 0;
    let eightBit = false;
    for await (const chunk of source) {
      const written = writeAll(handle, chunk);
      written.catch(() => {}); // awaited below
      hash.update(chunk);
      if (!eightBit && !isAscii(chunk)) eightBit = true;
      await written;
      size += chunk.length;
    }
    return { size, sha256: hash.digest('hex'), eightBit };
  }, options);
}

/** Writes `raw` to `file` atomically (`writeAtomic`); the write and the hash both run on libuv's threads. */
export async function writeMessageBytes(file: string, raw: Buffer, options: AtomicOptions = {}): Promise<StreamedBytes> {
  const written = writeAtomic(file, raw, options);
  written.catch(() => {}); // awaited below
  const sha256 = await sha256Async(raw);
  await written;
  return { size: raw.length, sha256, eightBit: !isAscii(raw) };
}

/**
 * Reads the entry's message file once through one reused buffer and checks it against the recorded size and
 * SHA-256, without holding the message in memory.
 */
export async function checkMessageFile(entry: OutboxEntry): Promise<{ size: number; eightBit: boolean }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  let eightBit = false;
  try {
    const handle = await fs.promises.open(entry.file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        if (!eightBit && !isAscii(chunk)) eightBit = true;
        size += bytesRead;
      }
    } finally {
      await handle.close();
    }
  } catch {
    throw missingFile(entry);
  }
  if (size !== entry.size || hash.digest('hex') !== entry.sha256) throw changedFile(entry);
  return { size, eightBit };
}

/** The exact bytes of the entry's message file, checked against the recorded SHA-256. */
export async function readMessageFile(entry: OutboxEntry): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await fs.promises.readFile(entry.file);
  } catch {
    throw missingFile(entry);
  }
  if (sha256(raw) !== entry.sha256) throw changedFile(entry);
  return raw;
}
