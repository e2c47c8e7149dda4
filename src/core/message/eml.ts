/**
 * Saving a composed message as an `.eml` file: the exact bytes (already CRLF), written atomically.
 */
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

/**
 * Writes the message to `file` through a temporary file in the same folder and a rename, so no reader sees half a
 * file: `raw` whole, or its chunks in order (each written before the next is requested, see ComposedStream).
 */
export async function writeEml(file: string, raw: Buffer | AsyncIterable<Buffer>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, raw, { flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
