/**
 * Builds the MIME bytes of a MailComposer message with the binary parts (images, attachments) base64-encoded here,
 * straight into the output, instead of in nodemailer's per-part stream chain.
 *
 * nodemailer builds the tree, every header and the text parts; each binary part is swapped for a marker (its node's
 * own headers, then a random token). The small "skeleton" message nodemailer builds around the markers is then
 * written out with each marker replaced by the part's bytes in base64, wrapped exactly as nodemailer wraps them
 * (76-character lines, CRLF between lines, none after the last): the output is byte for byte what
 * `composer.compile().build()` gives. Why: nodemailer's chain reads each file in fresh 64 KB buffers, turns every
 * chunk into a string, back into a buffer, then into a wrapped copy (about five copies of every image byte), and
 * most of a large send's garbage collection came from that. Here a file part is read through one reused buffer,
 * encoded straight into the output without any string, and the streamed message comes out of one reused buffer.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'fs';
import type MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import { ErrorCode, SendAsEmailError } from '../errors';
import { renamePreparedHeaders } from './headers';
import { processUnique } from '../processUnique';

/** A base64 part: its bytes in memory, or a file read when the message is built. */
export interface BinaryPart {
  /** The bytes, when they are held. */
  content?: Buffer;
  /** Otherwise the file they are read from (a checked, real path). */
  file?: string;
  /** Byte count (of `content`, or of the file when it was hashed). */
  size: number;
  /** File parts: the modification time when the file was hashed; a file that changed since is refused. */
  mtimeMs?: number;
}

export interface MimeMessage {
  /** Total size in bytes. */
  size: number;
  /** The whole message in one buffer. */
  toBuffer(): Promise<Buffer>;
  /**
   * The message in chunks of up to 1 MB that share one buffer: a chunk is valid only until the next one is
   * requested, so a consumer must be done with it (written, hashed) before asking for more.
   */
  chunks(): AsyncGenerator<Buffer, void, undefined>;
}

/**
 * A held part's base64 (its lines with their CRLFs), by the very buffer it encodes: a merge composes a thousand
 * messages around the same image buffers (one ReadCache), and each image is encoded once. Weak: an entry goes with
 * its buffer. Small parts are not worth a copy.
 */
const ENCODED = new WeakMap<Buffer, Buffer>();
const ENCODE_ONCE_BYTES = 16 * 1024;

/** Input bytes per base64 line (76 characters). */
const LINE_BYTES = 57;
const LINE_CHARS = 76;
/** Lines encoded per call (the streamed chunk is handed out when a block no longer fits). */
const BLOCK_LINES = 1024;
const BLOCK_BYTES = LINE_BYTES * BLOCK_LINES;
const BLOCK_OUT = (LINE_CHARS + 2) * BLOCK_LINES;
/** A file part is read in slices of this many input bytes (whole lines). */
const READ_BYTES = BLOCK_BYTES * 8;
/** The streamed message's chunk size. */
const CHUNK_BYTES = 1024 * 1024;

/** Length of `n` bytes in base64 wrapped at 76 characters with CRLF between lines. */
export function wrappedBase64Length(n: number): number {
  if (n === 0) return 0;
  const chars = 4 * Math.ceil(n / 3);
  return chars + 2 * (Math.ceil(chars / LINE_CHARS) - 1);
}

const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
/** The two base64 characters of every 12-bit value, as a little-endian 16-bit pair. */
const PAIRS = new Uint16Array(4096).map((_, i) => ALPHABET[i >> 6]! | (ALPHABET[i & 63]! << 8));
const CRLF = 0x0a0d;

/**
 * Writes `src[start, end)` in base64 into `out` at `pos` as lines of 76 characters, each followed by CRLF (the caller
 * drops the last CRLF of a part). `start - partStart` must be a multiple of 57; `end` too, unless it ends the part.
 * Returns the position after the last CRLF.
 *
 * Encoded here, four characters per store, rather than with `toString('base64')`: that is faster, but every call
 * makes a string on the JavaScript heap (a 15 MB newsletter made 20 MB of them per send), and that garbage made V8
 * grow its young generation to twice its size within a few sends; this loop allocates nothing.
 */
function encodeLines(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  if (end <= start) return pos;
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  let p = pos;
  let i = start;
  // Whole lines: 19 groups of 3 bytes -> 4 characters, then CRLF. (The group code is repeated below on purpose: a
  // helper closure over `p` measured about 10 % slower on a large send.)
  for (let line = Math.floor((end - start) / LINE_BYTES); line > 0; line--) {
    for (const stop = i + LINE_BYTES; i < stop; i += 3) {
      const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
      view.setUint32(p, PAIRS[v >> 12]! | (PAIRS[v & 4095]! << 16), true);
      p += 4;
    }
    view.setUint16(p, CRLF, true);
    p += 2;
  }
  if (i < end) {
    // The part's last, shorter line: whole groups, then one or two bytes with padding.
    for (; i + 3 <= end; i += 3) {
      const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
      view.setUint32(p, PAIRS[v >> 12]! | (PAIRS[v & 4095]! << 16), true);
      p += 4;
    }
    const rest = end - i;
    if (rest > 0) {
      const v = (src[i]! << 16) | (rest === 2 ? src[i + 1]! << 8 : 0);
      out[p] = ALPHABET[v >> 18]!;
      out[p + 1] = ALPHABET[(v >> 12) & 63]!;
      out[p + 2] = rest === 2 ? ALPHABET[(v >> 6) & 63]! : 0x3d;
      out[p + 3] = 0x3d;
      p += 4;
    }
    view.setUint16(p, CRLF, true);
    p += 2;
  }
  return p;
}

/** `message`: the sentence naming the file and how it changed. */
function changed(message: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.IMAGE_INVALID, message, { hint: l10n.t('Send the document again once the file is saved.') });
}

/**
 * Reads a file part in whole-line slices through `input`: each slice is valid until the next is requested. Checks
 * that the file is still the one that was hashed (same modification time, same size).
 */
async function* fileSlices(file: string, part: BinaryPart, input: Buffer): AsyncGenerator<Buffer, void, undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    throw new SendAsEmailError(ErrorCode.IMAGE_NOT_FOUND, l10n.t('Image file {0} cannot be read any more ({1}).', file, (e as NodeJS.ErrnoException).code ?? String(e)), {
      hint: l10n.t('Send the document again once the file is back.'),
      cause: e,
    });
  }
  try {
    const stat = await handle.stat();
    if (part.mtimeMs !== undefined && stat.mtimeMs !== part.mtimeMs) {
      throw changed(l10n.t('Image file {0} changed while the message was being built (its modification time differs).', file));
    }
    if (stat.size !== part.size) {
      throw changed(l10n.t('Image file {0} changed while the message was being built ({1} bytes before, {2} now).', file, part.size, stat.size));
    }
    for (let done = 0; done < part.size; ) {
      const want = Math.min(input.length, part.size - done);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await handle.read(input, filled, want - filled, done + filled);
        if (bytesRead === 0) throw changed(l10n.t('Image file {0} changed while the message was being built (it got shorter).', file));
        filled += bytesRead;
      }
      done += filled;
      yield input.subarray(0, filled);
    }
  } finally {
    await handle.close();
  }
}

interface Segment {
  /** Skeleton bytes before the part. */
  before: Buffer;
  part: BinaryPart;
}

/**
 * Compiles `composer` with every node whose content is a key of `parts` (and that nodemailer encodes in base64)
 * written from its BinaryPart. Throws when a part is not found in the tree, is not base64-encoded (a file part's
 * placeholder would otherwise be sent instead of the file), or when the message asks for output this writer does
 * not produce (another newline, transforms).
 */
export async function buildMime(composer: MailComposer, parts: Map<unknown, BinaryPart>): Promise<MimeMessage> {
  const root = composer.compile();
  const internals = root as unknown as { newline?: string; _transforms?: unknown[]; _processFuncs?: unknown[] };
  if (internals.newline || internals._transforms?.length || internals._processFuncs?.length) {
    throw new Error('MIME build: the message asks for another newline or for transforms, which this writer does not apply');
  }
  const token = processUnique();
  const markers: { marker: string; part: BinaryPart }[] = [];
  const visit = (node: MimeNode): void => {
    const part = node.content !== undefined ? parts.get(node.content) : undefined;
    if (part && node.getTransferEncoding() === 'base64') {
      const marker = `\u0000send-as-email part ${markers.length} ${token}\u0000`;
      markers.push({ marker, part });
      node.setRaw(`${node.buildHeaders()}\r\n\r\n${marker}`);
    }
    for (const child of node.childNodes) visit(child);
  };
  visit(root);
  // A part held in memory that nodemailer encodes otherwise (7bit text) is left to it; a file part cannot be:
  // nodemailer holds only its empty placeholder, which would be sent instead of the file.
  const swapped = new Set(markers.map((m) => m.part));
  const lost = [...parts.values()].filter((p) => p.file !== undefined && !swapped.has(p));
  if (lost.length > 0) throw new Error(`MIME build: file part ${lost[0]!.file} is not a base64 part of the message`);

  const skeleton = renamePreparedHeaders(await root.build());
  const segments: Segment[] = [];
  let at = 0;
  for (const { marker, part } of markers) {
    const found = skeleton.indexOf(marker, at, 'latin1');
    if (found < 0) throw new Error(`MIME build: part ${segments.length} was not found in the message`);
    segments.push({ before: skeleton.subarray(at, found), part });
    at = found + Buffer.byteLength(marker, 'latin1');
  }
  const tail = skeleton.subarray(at);
  const size = segments.reduce((n, s) => n + s.before.length + wrappedBase64Length(s.part.size), tail.length);

  return {
    size,
    async toBuffer(): Promise<Buffer> {
      // Two spare bytes: a part's last line is written with a CRLF that the next bytes then overwrite.
      const out = Buffer.allocUnsafe(size + 2);
      let pos = 0;
      let input: Buffer | undefined;
      for (const { before, part } of segments) {
        pos += before.copy(out, pos);
        const start = pos;
        if (part.content) {
          const encoded = part.size === part.content.length ? ENCODED.get(part.content) : undefined;
          if (encoded) pos += encoded.copy(out, pos);
          else {
            for (let s = 0; s < part.size; s += BLOCK_BYTES) pos = encodeLines(part.content, s, Math.min(s + BLOCK_BYTES, part.size), out, pos);
            if (part.size >= ENCODE_ONCE_BYTES && part.size === part.content.length) ENCODED.set(part.content, Buffer.from(out.subarray(start, pos)));
          }
        } else if (part.file !== undefined) {
          input ??= Buffer.allocUnsafe(READ_BYTES);
          for await (const slice of fileSlices(part.file, part, input)) {
            for (let s = 0; s < slice.length; s += BLOCK_BYTES) pos = encodeLines(slice, s, Math.min(s + BLOCK_BYTES, slice.length), out, pos);
          }
        }
        if (pos > start) pos -= 2; // no CRLF after the last line
      }
      pos += tail.copy(out, pos);
      if (pos !== size) throw new Error(`MIME build: wrote ${pos} bytes, expected ${size}`);
      return out.subarray(0, size);
    },

    async *chunks(): AsyncGenerator<Buffer, void, undefined> {
      const out = Buffer.allocUnsafe(CHUNK_BYTES);
      let pos = 0;
      let total = 0;
      let input: Buffer | undefined;
      /** Copies bytes that may be larger than the chunk, yielding full chunks. */
      function* copy(bytes: Buffer): Generator<Buffer, void, undefined> {
        for (let from = 0; from < bytes.length; ) {
          if (pos === out.length) {
            yield out.subarray(0, pos);
            total += pos;
            pos = 0;
          }
          const n = bytes.copy(out, pos, from);
          pos += n;
          from += n;
        }
      }
      /** Encodes `src` (whole lines, unless it ends the part) in blocks, yielding full chunks. */
      function* encode(src: Buffer): Generator<Buffer, void, undefined> {
        for (let s = 0; s < src.length; s += BLOCK_BYTES) {
          if (out.length - pos < BLOCK_OUT) {
            yield out.subarray(0, pos);
            total += pos;
            pos = 0;
          }
          pos = encodeLines(src, s, Math.min(s + BLOCK_BYTES, src.length), out, pos);
        }
      }
      for (const { before, part } of segments) {
        yield* copy(before);
        if (part.content) {
          yield* encode(part.content.subarray(0, part.size));
        } else if (part.file !== undefined) {
          input ??= Buffer.allocUnsafe(READ_BYTES);
          for await (const slice of fileSlices(part.file, part, input)) yield* encode(slice);
        }
        // No CRLF after the part's last line (it never left: a chunk is only handed out when a block does not fit).
        if (part.size > 0) pos -= 2;
      }
      yield* copy(tail);
      if (pos > 0) yield out.subarray(0, pos);
      total += pos;
      if (total !== size) throw new Error(`MIME build: wrote ${total} bytes, expected ${size}`);
    },
  };
}
