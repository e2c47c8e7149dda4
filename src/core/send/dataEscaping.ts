/**
 * The DATA phase's byte escaping, done with native searches instead of a JavaScript step per byte (nodemailer's
 * DataStream is patched to use it: nodemailerInternals.ts).
 *
 * nodemailer's DataStream makes the message safe for DATA: a dot that starts a line is doubled, bare CR and bare LF
 * become CRLF, and the stream ends with CRLF.CRLF. It looks at every byte in a JavaScript loop, which is most of the
 * client's CPU in a large send (about 3 ms per MB). `escapeChunk` gives the same output from two `indexOf` walks
 * (one step per line, not per byte): a 62 MB message is escaped in about 35 ms instead of 190 ms.
 */
const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

/**
 * Escapes one chunk of message bytes for DATA, given the byte before it (`false` at the start of the message).
 * Returns `chunk` itself when nothing needs to change. A bare CR at the end of `chunk` is fixed at the start of the
 * next one, where it is known whether an LF follows.
 */
export function escapeChunk(chunk: Buffer, lastByte: number | false): Buffer {
  const len = chunk.length;
  if (len === 0) return chunk;
  let parts: Buffer[] | undefined;
  let partsLength = 0;
  let copied = 0;
  const insertAt = (at: number, insert: Buffer): void => {
    parts ??= [];
    if (at > copied) {
      parts.push(chunk.subarray(copied, at));
      partsLength += at - copied;
    }
    parts.push(insert);
    partsLength += insert.length;
    copied = at;
  };

  const first = chunk[0];
  if (lastByte === CR && first !== LF) insertAt(0, first === DOT ? INSERT_LF_DOT : INSERT_LF);
  else if (first === DOT && (lastByte === LF || lastByte === false)) insertAt(0, INSERT_DOT);

  // Walk the CRs and LFs in order; insertions happen at increasing offsets.
  let cr = chunk.indexOf(CR);
  let lf = chunk.indexOf(LF);
  while (cr >= 0 || lf >= 0) {
    if (lf >= 0 && (cr < 0 || lf < cr)) {
      if ((lf === 0 ? lastByte : chunk[lf - 1]) !== CR) insertAt(lf, INSERT_CR);
      if (lf + 1 < len && chunk[lf + 1] === DOT) insertAt(lf + 1, INSERT_DOT);
      lf = chunk.indexOf(LF, lf + 1);
    } else {
      if (cr + 1 < len && chunk[cr + 1] !== LF) insertAt(cr + 1, chunk[cr + 1] === DOT ? INSERT_LF_DOT : INSERT_LF);
      cr = chunk.indexOf(CR, cr + 1);
    }
  }
  if (!parts) return chunk;
  if (copied < len) {
    parts.push(chunk.subarray(copied));
    partsLength += len - copied;
  }
  return Buffer.concat(parts, partsLength);
}
