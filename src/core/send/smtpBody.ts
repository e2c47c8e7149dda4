/**
 * The message body of a send, as nodemailer's SMTPConnection takes it: bytes in memory (TrackedBody) or the outbox
 * file (FileBody), each reporting when the first byte goes out and when the last one did (the session's phase).
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import { EventEmitter } from 'events';
import { Readable, type Writable } from 'stream';
import { releasesWhenWritten } from './nodemailerInternals';

/** Message bytes as a stream that reports when the server starts and finishes receiving them. */
export class TrackedBody extends Readable {
  /** Slices of this size keep the socket's buffer small (backpressure) instead of queueing the whole message. */
  static readonly CHUNK = 64 * 1024;
  private offset = 0;
  constructor(
    private readonly raw: Buffer,
    private readonly onStart: () => void,
    onEnd: () => void,
  ) {
    super({ highWaterMark: TrackedBody.CHUNK });
    this.once('end', onEnd);
  }
  override _read(): void {
    if (this.offset === 0) this.onStart();
    while (this.offset < this.raw.length) {
      const end = Math.min(this.offset + TrackedBody.CHUNK, this.raw.length);
      const more = this.push(this.raw.subarray(this.offset, end));
      this.offset = end;
      if (!more) return;
    }
    this.push(null);
  }
}

/** A message held in memory: its exact bytes, and its Message-ID as its header has it (with angle brackets). */
export interface BufferedMessage {
  messageId: string;
  raw: Buffer;
}

/**
 * A message sent from a file (the outbox entry) instead of a buffer, with its Message-ID. `size`, `eightBit` and `file` may be filled in
 * by `beforeMail` (once the message is stored); the file is read after that.
 */
export interface StreamedMessage {
  messageId: string;
  size: number;
  eightBit: boolean;
  /** The file holding exactly `size` bytes of the message. */
  file: string;
}

/**
 * The body of a StreamedMessage as SMTPConnection takes it (it calls `pipe(dataStream)`, listens for 'error' and
 * may call `destroy()`). The file is read in 256 KB slices, the next one while the last is being written. When the
 * DataStream's write callback means "in the socket" (releasesWhenWritten), the slices go through a few reused
 * buffers; otherwise each slice is a fresh buffer. Reports when the first slice goes out and when the last one did.
 */
export class FileBody extends EventEmitter {
  static readonly SLICE = 256 * 1024;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly message: StreamedMessage,
    private readonly onStart: () => void,
    private readonly onEnd: () => void,
  ) {
    super();
  }

  pipe<T extends Writable>(dest: T): T {
    this.run(dest).catch((e: unknown) => {
      if (!this.stopped) this.emit('error', e);
    });
    return dest;
  }

  /** Stops reading (the send is over, or failed); the file is closed. */
  destroy(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async run(dest: Writable): Promise<void> {
    const { file, size } = this.message;
    const reuse = releasesWhenWritten(dest);
    const free: Buffer[] = [];
    const take = (): Buffer => free.pop() ?? Buffer.allocUnsafe(FileBody.SLICE);
    const handle = await fs.promises.open(file, 'r');
    try {
      /** The next slice: `buffer` (from the pool) holds `length` bytes from `position`. */
      const read = async (position: number): Promise<{ buffer: Buffer; length: number }> => {
        const buffer = take();
        const want = Math.min(buffer.length, size - position);
        let length = 0;
        while (length < want) {
          const { bytesRead } = await handle.read(buffer, length, want - length, position + length);
          if (bytesRead === 0) throw new Error(l10n.t('{0} is shorter than the {1} bytes stored', file, size));
          length += bytesRead;
        }
        return { buffer, length };
      };
      /** Starts reading a slice; its failure is taken up where it is awaited. */
      const prefetch = (position: number): Promise<{ buffer: Buffer; length: number }> => {
        const slice = read(position);
        slice.catch(() => {});
        return slice;
      };
      let position = 0;
      let next = size > 0 ? prefetch(0) : undefined;
      while (next && !this.stopped) {
        const { buffer, length } = await next;
        if (this.stopped) break;
        if (position === 0) this.onStart();
        position += length;
        const more = dest.write(buffer.subarray(0, length), () => {
          if (reuse) free.push(buffer);
        });
        // Read the next slice while this one is being written.
        next = position < size ? prefetch(position) : undefined;
        if (!more) await this.drained(dest);
      }
      if (next) await next.catch(() => undefined); // stopped with a read in flight
      if (this.stopped) return;
      dest.end();
      this.onEnd();
    } finally {
      await handle.close();
    }
  }

  /** Resolves on 'drain', or when the destination closes or fails, or when the body is destroyed. */
  private drained(dest: Writable): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        dest.off('drain', done);
        dest.off('close', done);
        dest.off('error', done);
        this.wake = undefined;
        resolve();
      };
      dest.once('drain', done);
      dest.once('close', done);
      dest.once('error', done);
      this.wake = done;
    });
  }
}
