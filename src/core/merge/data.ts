/**
 * The rows of a merge: a CSV file (a header row, RFC 4180 quoting, csv-parse), JSON (an array of objects, or one
 * object for a single message) or YAML. Bytes are decoded like a document's (textFile.ts: UTF-8 unless a byte order
 * mark or the named encoding says otherwise, never guessed). Every error names the file and the line.
 * csv-parse and yaml are loaded on first use.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { ErrorCode, SendAsEmailError } from '../errors';
import { decodeTextFile } from '../source/textFile';
import type { LoadMergeDataOptions, MergeData, MergeDataFormat, MergeDataSource, MergeRow } from './types';

export function dataError(message: string, line?: number, file?: string): SendAsEmailError {
  return new SendAsEmailError(ErrorCode.MERGE_DATA_INVALID, message, {
    problems: [{ code: ErrorCode.MERGE_DATA_INVALID, message, line, path: file }],
  });
}

/** The format a data file's extension names. */
export function formatOf(file: string): MergeDataFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

export async function loadMergeData(source: MergeDataSource, options: LoadMergeDataOptions): Promise<MergeData> {
  if ('text' in source) {
    const label = source.label ?? '<stdin>';
    return parseMergeData(source.text, source.format, label, sha256(Buffer.from(source.text, 'utf8')));
  }
  const file = path.resolve(options.baseDir, source.path);
  const format = formatOf(file);
  if (!format) {
    throw dataError(l10n.t('Data file {0} is not .csv, .json, .yaml or .yml.', file), undefined, file);
  }
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw dataError(
      code === 'ENOENT' ? l10n.t('Data file {0} not found.', file) : l10n.t('Data file {0} cannot be read ({1}).', file, code),
      undefined,
      file,
    );
  }
  let text: string;
  try {
    text = decodeTextFile(bytes, file, options.encoding);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new SendAsEmailError(ErrorCode.MERGE_DATA_INVALID, message, {
      hint: l10n.t('Name the data file\'s encoding with --data-encoding (gb18030, big5, shift_jis...), or save it as UTF-8.'),
      cause: e,
    });
  }
  return parseMergeData(text.replace(/^\uFEFF/, ''), format, file, sha256(bytes));
}

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export async function parseMergeData(text: string, format: MergeDataFormat, source: string, hash: string): Promise<MergeData> {
  const { columns, rows } = format === 'csv' ? await parseCsv(text, source) : await parseStructured(text, format, source);
  return { source, format, columns, rows, sha256: hash };
}

async function parseCsv(text: string, file: string): Promise<{ columns: string[]; rows: MergeRow[] }> {
  const { parse } = await import('csv-parse/sync');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: false, skip_empty_lines: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    const line = err.lines;
    const what = err.code === 'CSV_QUOTE_NOT_CLOSED' ? l10n.t('a quoted field is not closed') : err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? l10n.t('the row does not have as many fields as the header') : err.message.replace(/^[A-Za-z ]+: /, '');
    throw dataError(line ? l10n.t('Data file {0}, line {1}: {2}.', file, line, what) : l10n.t('Data file {0}: {1}.', file, what), line, file);
  }
  if (records.length === 0) throw dataError(l10n.t('Data file {0} is empty: it needs a header row naming the columns.', file), 1, file);
  const header = records[0].record.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (!h) throw dataError(l10n.t('Data file {0}, line 1: column {1} of the header has no name.', file, i + 1), 1, file);
    if (seen.has(h)) throw dataError(l10n.t('Data file {0}, line 1: the column "{1}" is named twice.', file, h), 1, file);
    seen.add(h);
  });
  const rows: MergeRow[] = [];
  let previousEnd = records[0].info.lines;
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    const values: Record<string, unknown> = {};
    header.forEach((h, k) => (values[h] = record[k]));
    // A quoted field may span lines: the row starts on the first line after the previous one that holds text.
    const line = Math.min(previousEnd + 1, info.lines);
    previousEnd = info.lines;
    rows.push({ row: i, line, values });
  }
  return { columns: header, rows };
}

/** JSON (a YAML 1.2 subset, so one parser gives both the values and each row's line) and YAML. */
async function parseStructured(text: string, format: MergeDataFormat, file: string): Promise<{ columns: string[]; rows: MergeRow[] }> {
  const { isMap, isSeq, LineCounter, parseDocument } = await import('yaml');
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
      const what = (e as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
      throw dataError(line ? l10n.t('Data file {0}, line {1}: not valid JSON ({2}).', file, line, what) : l10n.t('Data file {0}: not valid JSON ({1}).', file, what), line, file);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
    throw dataError(line ? l10n.t('Data file {0}, line {1}: {2}.', file, line, what) : l10n.t('Data file {0}: {1}.', file, what), line, file);
  }
  const items = isSeq(doc.contents) ? doc.contents.items : isMap(doc.contents) ? [doc.contents] : undefined;
  if (!items) throw dataError(l10n.t('Data file {0} must hold a list of rows (objects), or one object for a single message.', file), 1, file);
  const columns: string[] = [];
  const rows: MergeRow[] = [];
  items.forEach((item, i) => {
    const line = lineAt((item as { range?: [number, number, number] }).range?.[0]);
    if (!isMap(item)) throw dataError(l10n.t('Data file {0}, line {1}: row {2} is not an object of named values.', file, line, i + 1), line, file);
    const values = item.toJSON() as Record<string, unknown>;
    for (const key of Object.keys(values)) if (!columns.includes(key)) columns.push(key);
    rows.push({ row: i + 1, line, values });
  });
  return { columns, rows };
}
