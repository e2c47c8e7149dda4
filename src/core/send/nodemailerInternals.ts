/**
 * Every use of nodemailer's private internals, in one place: checked against nodemailer 10.6.1 exactly (package.json
 * pins that version; test/unit/nodemailer-internals.test.ts fails when the installed version is another one).
 * Before moving the pin, read these again in the new version's dist/cjs/smtp-connection/ (index.js, data-stream.js)
 * and run that test file and smtp-data.test.ts.
 *
 * What is reached, and why:
 * - SMTPConnection `_socket`: the connected socket, for the address it is connected to (a plaintext login goes only to
 *   this machine), the TLS version a connection test reports, and the bytes still queued when a send is cancelled.
 * - SMTPConnection `_supportedAuth`, `_maxAllowedSize`: the AUTH methods and the SIZE limit from the EHLO reply;
 *   `_authMethod`: the method `login()` chose (a connection test reports it).
 * - SMTPConnection `lastServerResponse`, `_destroyed`: the last reply line (a `421` the server sends as it closes the
 *   connection reaches the send's callback only as "Connection closed unexpectedly"), and whether the socket is gone
 *   (a merge's connection that carries many messages: RSET or reconnect).
 * - SMTPConnection `_createSendStream` and its DataStream (`_transform`, `inByteCount`, `outByteCount`, `lastByte`):
 *   patched so DATA is escaped by `escapeChunk` (dataEscaping.ts) and written straight into the socket
 *   (`useFastDataEscaping`). When they are not as expected, nodemailer's own escaping stays.
 *
 * (Also reached around nodemailer's API, elsewhere: src/core/message/mimeBuild.ts reads MimeNode `newline`,
 * `_transforms` and `_processFuncs`.)
 */
import type * as net from 'net';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Transform, TransformCallback, Writable } from 'stream';
import { escapeChunk } from './dataEscaping';

/** The nodemailer version every use below was checked against. */
export const NODEMAILER_CHECKED_VERSION = '10.6.1';

/** The parts of SMTPConnection's state that its type declarations keep private. */
interface ConnectionInternals {
  _supportedAuth?: string[];
  _authMethod?: string | false;
  _maxAllowedSize?: number;
  lastServerResponse?: string | false;
  _destroyed?: boolean;
}

/** The server's last reply line (also one it sent just before closing the connection), or ''. */
export function lastServerReply(conn: SMTPConnection): string {
  const r = (conn as unknown as ConnectionInternals).lastServerResponse;
  return typeof r === 'string' ? r : '';
}

/** Whether the connection's socket is gone. */
export function isDestroyed(conn: SMTPConnection): boolean {
  return (conn as unknown as ConnectionInternals)._destroyed === true;
}

/** The connection's socket once it is connected (plain, or TLS after STARTTLS / implicit TLS), else undefined. */
export function socketOf(conn: SMTPConnection): net.Socket | undefined {
  return conn._socket || undefined;
}

/** The AUTH methods the server offered in its EHLO reply. */
export function offeredAuthMethods(conn: SMTPConnection): string[] {
  return [...((conn as unknown as ConnectionInternals)._supportedAuth ?? [])];
}

/** The AUTH method the last `login()` used (`PLAIN`, `LOGIN`, `XOAUTH2`...), once it succeeded; else undefined. */
export function usedAuthMethod(conn: SMTPConnection): string | undefined {
  if (!conn.authenticated) return undefined;
  return (conn as unknown as ConnectionInternals)._authMethod || undefined;
}

/** The SIZE limit the server announced in its EHLO reply, in bytes; undefined when it announced none. */
export function announcedSizeLimit(conn: SMTPConnection): number | undefined {
  return (conn as unknown as ConnectionInternals)._maxAllowedSize || undefined;
}

/** The state nodemailer's DataStream keeps between chunks (its `_flush` and the send result read it). */
interface DataStreamState {
  inByteCount: number;
  outByteCount: number;
  /** The previous chunk's last byte; false before the first byte. */
  lastByte: number | false;
}

/** Set on a DataStream whose write callbacks mean "these bytes are in the socket" (see useFastDataEscaping). */
const RELEASES_WHEN_WRITTEN = Symbol('sendAsEmail.releasesWhenWritten');

/**
 * A `_transform` for nodemailer's DataStream (same state, same output) that writes the escaped bytes straight into
 * the socket and finishes the chunk only when the socket has taken them. So the write callback a source gets from
 * the DataStream means its buffer is free again, and a source can send a large file through a few reused buffers
 * instead of leaving a fresh buffer per slice to the garbage collector. The DataStream's own output (piped to the
 * same socket by nodemailer) is then just the final CRLF.CRLF, which comes after these writes.
 */
function writeThroughTransform(socket: Writable) {
  return function (this: Transform & DataStreamState, chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!chunk || chunk.length === 0) {
      done();
      return;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.inByteCount += bytes.length;
    const out = escapeChunk(bytes, this.lastByte);
    this.outByteCount += out.length;
    this.lastByte = bytes[bytes.length - 1];
    // A failed write is the connection's failure, reported by the connection; the chunk is done either way.
    socket.write(out, () => done());
  };
}

/** True for a nodemailer DataStream as `useFastDataEscaping` expects it, fresh (exported for a test that pins nodemailer's internals). */
export function isDataStream(stream: unknown): stream is Transform & DataStreamState {
  const s = stream as (Partial<DataStreamState> & { _transform?: unknown }) | null;
  return !!s && typeof s._transform === 'function' && typeof s.inByteCount === 'number' && typeof s.outByteCount === 'number' && s.lastByte === false;
}

/** True when a write callback from `stream` means the bytes are in the socket (the writer's buffer is free again). */
export function releasesWhenWritten(stream: unknown): boolean {
  return !!stream && (stream as Record<symbol, unknown>)[RELEASES_WHEN_WRITTEN] === true;
}

/** How many DATA streams were given the fast escaping (a test checks that a real send uses it). */
export const fastEscaping = { streams: 0 };

/**
 * Makes `conn` escape its DATA with `escapeChunk`, written straight into its socket (see writeThroughTransform).
 * Uses nodemailer internals (`_createSendStream`, `_socket` and the DataStream's state); when they are not as
 * expected, nodemailer's own escaping stays and the stream is not marked (releasesWhenWritten is false).
 */
export function useFastDataEscaping(conn: SMTPConnection): boolean {
  const internals = conn as unknown as { _createSendStream?: (callback: unknown) => unknown };
  const create = internals._createSendStream;
  if (typeof create !== 'function') return false;
  internals._createSendStream = function (this: { _socket?: unknown }, callback: unknown): unknown {
    const stream = create.call(this, callback);
    const socket = this._socket as Writable | undefined;
    if (isDataStream(stream) && socket && typeof socket.write === 'function') {
      stream._transform = writeThroughTransform(socket);
      (stream as unknown as Record<symbol, unknown>)[RELEASES_WHEN_WRITTEN] = true;
      fastEscaping.streams++;
    }
    return stream;
  };
  return true;
}
