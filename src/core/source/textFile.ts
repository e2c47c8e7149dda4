/**
 * A document read from disk (the command line; the editor decodes its own): its bytes as text, never guessed. UTF-8
 * unless a byte order mark or the caller names the encoding; bytes that are not valid in that encoding, and files
 * that are not text at all, are refused with a message naming the file. A GB18030 file read as UTF-8 used to turn
 * into U+FFFD and be sent as such.
 */
import * as l10n from '@vscode/l10n';
import { ErrorCode, SendAsEmailError } from '../errors';

/** How far a file is looked at for NUL bytes: text has none, nearly every binary format has some early on. */
const SNIFF_BYTES = 8192;

/** Binary formats that may hold no NUL byte early (a PDF) or that are worth naming, each with its sentence. */
const SIGNATURES: readonly { bytes: readonly number[]; says: (file: string) => string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], says: (file) => l10n.t('{0} is not a text document: it looks like a PDF file.', file) },
  { bytes: [0x89, 0x50, 0x4e, 0x47], says: (file) => l10n.t('{0} is not a text document: it looks like a PNG image.', file) },
  { bytes: [0xff, 0xd8, 0xff], says: (file) => l10n.t('{0} is not a text document: it looks like a JPEG image.', file) },
  { bytes: [0x47, 0x49, 0x46, 0x38], says: (file) => l10n.t('{0} is not a text document: it looks like a GIF image.', file) },
  { bytes: [0x50, 0x4b, 0x03, 0x04], says: (file) => l10n.t('{0} is not a text document: it looks like a ZIP archive (or an Office document).', file) },
  { bytes: [0x1f, 0x8b], says: (file) => l10n.t('{0} is not a text document: it looks like a gzip archive.', file) },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], says: (file) => l10n.t('{0} is not a text document: it looks like a program (ELF).', file) },
];

/** The encodings a caller may name: every label `TextDecoder` knows (full ICU: gb18030, gbk, big5, shift_jis...). */
export function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The sentence saying that `file` is not text and what it looks like (`a PNG image`, `binary data`); undefined for text. */
function notTextMessage(bytes: Uint8Array, wide: boolean, file: string): string | undefined {
  const known = SIGNATURES.find((s) => startsWith(bytes, s.bytes));
  if (known) return known.says(file);
  // UTF-16 text is full of NUL bytes: there, a NUL character in the decoded text tells instead.
  if (!wide && bytes.subarray(0, SNIFF_BYTES).includes(0)) return l10n.t('{0} is not a text document: it looks like binary data (it holds NUL bytes).', file);
  return undefined;
}

/** The encoding a byte order mark declares, if the file starts with one. */
function bomEncoding(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return 'utf-8';
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  return undefined;
}

/** 1-based line of the first byte sequence that is not UTF-8 (bytes are scanned, not decoded). */
function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let line = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b === 0x0a) line++;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return line;
    // A sequence must be whole and made of continuation bytes (overlong and surrogate forms are left to TextDecoder).
    for (let k = 1; k <= need; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return line;
    i += need + 1;
  }
  return line;
}

/**
 * The text of a document file. `encoding`: a TextDecoder label the user named (checked with `isKnownEncoding`);
 * otherwise a byte order mark (UTF-8, UTF-16LE/BE) decides, else UTF-8. A byte order mark is never part of the text.
 * Throws DOCUMENT_NOT_TEXT naming `file` for bytes that are not valid in that encoding, or a file that is not text.
 */
export function decodeTextFile(bytes: Uint8Array, file: string, encoding?: string): string {
  const chosen = (encoding ?? bomEncoding(bytes) ?? 'utf-8').toLowerCase();
  const decoder = new TextDecoder(chosen, { fatal: true });
  const wide = decoder.encoding.startsWith('utf-16');
  const notText = notTextMessage(bytes, wide, file);
  if (notText) {
    throw new SendAsEmailError(ErrorCode.DOCUMENT_NOT_TEXT, notText, {
      hint: l10n.t('Name a Markdown or HTML file; if this one is UTF-16 text without a byte order mark, add --encoding utf-16le.'),
    });
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw notValid(bytes, file, decoder.encoding, encoding);
  }
  if (wide && text.includes('\u0000')) {
    throw new SendAsEmailError(ErrorCode.DOCUMENT_NOT_TEXT, l10n.t('{0} is not a text document: it holds NUL characters.', file));
  }
  return text;
}

function notValid(bytes: Uint8Array, file: string, used: string, named: string | undefined): SendAsEmailError {
  if (named !== undefined) {
    return new SendAsEmailError(ErrorCode.DOCUMENT_NOT_TEXT, l10n.t('{0} is not valid {1} text.', file, named), {
      hint: l10n.t('Check the name given to --encoding, or save the file as UTF-8.'),
    });
  }
  if (used !== 'utf-8') {
    return new SendAsEmailError(ErrorCode.DOCUMENT_NOT_TEXT, l10n.t('{0} is not valid {1} text, as its byte order mark says it is.', file, used.toUpperCase()), {
      hint: l10n.t('Name its encoding with --encoding, or save the file as UTF-8.'),
    });
  }
  const line = firstInvalidUtf8Line(bytes);
  return new SendAsEmailError(
    ErrorCode.DOCUMENT_NOT_TEXT,
    l10n.t('{0} is not UTF-8 text (line {1} holds bytes UTF-8 does not allow): if it is Chinese text saved as GBK or GB18030, add --encoding gb18030.', file, line),
    { hint: l10n.t('Other encodings: --encoding big5, shift_jis, euc-kr or windows-1252; or save the file as UTF-8.') },
  );
}
