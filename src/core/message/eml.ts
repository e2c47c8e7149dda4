/**
 * Saving a composed message as an `.eml` file: the exact bytes (already CRLF), written atomically.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { writeAtomic } from '../atomicFile';

/**
 * Writes the message to `file` through a temporary file in the same folder and a rename (`writeAtomic`), so no reader
 * sees half a file: `raw` whole, or its chunks in order (each written before the next is requested, see
 * ComposedStream).
 */
export async function writeEml(file: string, raw: Buffer | AsyncIterable<Buffer>): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // A file of the user's like any other they save (the umask decides), unlike the outbox's own files (0600).
  await writeAtomic(file, raw, { mode: 0o666 });
}
