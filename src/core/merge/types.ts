/**
 * Mail merge: one document (a mustache template) and a data file (CSV, JSON, YAML) → one message per row, each sent
 * through the outbox like a single send, with a record of every row's state so a merge can be resumed.
 *
 * The exported API (everything the VS Code layer and the command-line tool use; each lives in its own file):
 *
 *   loadMergeData(source, { baseDir, encoding? }) → Promise<MergeData>          data.ts
 *       A data file (`{ path }`: .csv, .json, .yaml/.yml; CSV in UTF-8 or GB18030, detected like a document) or
 *       inline text (`{ text, format }`: `--data -` reads JSON from stdin). Errors name the file and the line
 *       (MERGE_DATA_INVALID).
 *
 *   planMerge(input: PlanMergeInput) → Promise<MergePlan>                          plan.ts
 *       Renders every row's headers (to, cc, bcc, subject, replyTo, attachments, inline) and body, strictly: a
 *       missing field, an empty or bad address is an error of that row naming its data file line and the field
 *       (`rows[i].errors`, all of them in `plan.errors`). Columns no placeholder uses are `plan.warnings`. Nothing is
 *       read from disk but the document's data file; nothing is sent.
 *       `plan.renderRow(n)` composes row n (1-based) strictly, its MIME bytes in memory (Save as .eml, --preview N);
 *       `plan.previewRow(n)` composes it for the preview (lenient, no bytes, the size only).
 *
 *   runMerge(plan, options: RunMergeOptions) → Promise<MergeOutcome>               run.ts
 *       Sends the rows still to send (pending, deferred, failed; never an accepted or refused one) over one SMTP
 *       connection, each through the outbox, under the merge's lock (a second run of the same merge is refused,
 *       naming the process: MERGE_BUSY). Refuses a plan with errors (MERGE_ROW_INVALID) before connecting.
 *       `limit`: the next N rows only; `rate`: messages per minute; `signal`: stops after the current message.
 *
 *   readMergeRecord(outboxDir, mergeId) → Promise<MergeRecord | undefined>          record.ts
 *   listMerges(outboxDir) → Promise<MergeRecord[]>                                 record.ts
 *       The merges kept beside the outbox (`<outboxDir>/merges/<mergeId>/`), with each row's state, for the Outbox
 *       view and `send-as-email merge` (which says when a document or data file changed: a new merge).
 *
 *   mergeLogCsv(record) → string                                                   record.ts
 *       The log as CSV: row, recipient, state, Message-ID, server reply (--log FILE; VS Code keeps it beside the record).
 */
import type { Problem } from '../errors';
import type { ComposeOptions, ComposedMessage, HeaderOverrides, Logger, PreviewMessage, SmtpTarget, Warning } from '../types';

export type MergeDataFormat = 'csv' | 'json' | 'yaml';

/** Where the rows come from: a file (relative to `baseDir`), or text already read (stdin). */
export type MergeDataSource = { path: string } | { text: string; format: MergeDataFormat; label?: string };

/** One row of data: its values by column, and where it starts in the data file. */
export interface MergeRow {
  /** 1-based row number (the first data row is 1, whatever the header takes). */
  row: number;
  /** 1-based line of the data file the row starts on. */
  line: number;
  values: Record<string, unknown>;
}

export interface MergeData {
  /** Absolute path of the data file, or a label such as `<stdin>`. */
  source: string;
  format: MergeDataFormat;
  /** The columns (CSV header; the keys of JSON/YAML objects, in first-seen order). */
  columns: string[];
  rows: MergeRow[];
  /** SHA-256 (hex) of the data's bytes: part of the merge id. */
  sha256: string;
}

export interface LoadMergeDataOptions {
  /** Folder a relative `path` is resolved against (the document's folder). */
  baseDir: string;
  /** A TextDecoder label for a CSV file that is neither UTF-8 nor starts with a byte order mark (`gb18030`). */
  encoding?: string;
}

export interface PlanMergeInput {
  /** Absolute path of the document (the template). */
  documentPath: string;
  /** The document's text (the editor's, not necessarily what is on disk). */
  text: string;
  /** The data; without it, the document's front matter `data:` names the file (relative to the document). */
  data?: MergeDataSource | MergeData;
  /** Encoding of the data file, as for `loadMergeData`. */
  dataEncoding?: string;
  /** How each row is composed (settings, workspace folders, overrides), as for a single send. */
  compose: ComposeOptions;
}

/** One row as rendered by the plan: enough to list it, confirm it, and say what is wrong with it. */
export interface RenderedRow {
  /** 1-based row number. */
  row: number;
  /** 1-based line of the data file the row starts on. */
  line: number;
  /** The envelope recipients of the row (To, Cc and Bcc, plain addresses). */
  to: string[];
  /** The To header as written (`Ada <ada@example.com>`), for display. */
  toHeader: string[];
  subject: string;
  /** What stops this row (a missing field, an empty or bad address); each names the row, its line and the field. */
  errors: Problem[];
}

export interface MergePlan {
  /** Hash of the document's text and the data's bytes: the same merge run again has the same id. */
  mergeId: string;
  documentPath: string;
  /** The data file's absolute path, or `<stdin>`. */
  dataSource: string;
  columns: string[];
  rows: RenderedRow[];
  /** Every row's errors, in row order; a merge with any is not sent. */
  errors: Problem[];
  /** Not stopping anything: columns no placeholder uses. */
  warnings: Warning[];
  /**
   * Composes row `n` (1-based) strictly, with its MIME bytes; throws that row's first error as a SendAsEmailError.
   * `overrides` win over the row's own headers ("Send to Me First": `{ to: from, cc: [], bcc: [] }`).
   */
  renderRow(n: number, overrides?: HeaderOverrides): Promise<ComposedMessage>;
  /** Composes row `n` for the preview: lenient (problems become warnings), no MIME bytes, its size. */
  previewRow(n: number): Promise<PreviewMessage>;
}

/** A row's state in the merge record. */
export type MergeRowState =
  /** Not sent yet. */
  | 'pending'
  /** Claimed by a run that has not recorded the outcome (that run is sending it, or stopped before it could). */
  | 'sending'
  /** The server accepted it (the reply is recorded). */
  | 'accepted'
  /** Refused for good (5xx): not sent again. */
  | 'refused'
  /** Refused for now (4xx) or not sent because of a failure (connection, timeout): the next run retries it. */
  | 'deferred'
  /** The whole message left but no reply came (or the run was killed during DATA): it may have been delivered. */
  | 'unknown';

export interface MergeRowRecord {
  row: number;
  line: number;
  state: MergeRowState;
  /** Envelope recipients. */
  to: string[];
  messageId?: string;
  /** The outbox entry holding (or that held) the row's message. */
  entryId?: string;
  /** SHA-256 of the message bytes as sent. */
  sha256?: string;
  /** The server's reply (accepted: the reply to DATA; refused/deferred: the refusal or the error). */
  reply?: string;
  attempts: number;
  updatedAt?: string;
}

export interface MergeRecord {
  version: 1;
  mergeId: string;
  documentPath: string;
  dataSource: string;
  createdAt: string;
  updatedAt: string;
  rows: MergeRowRecord[];
  /** Counts by state. */
  counts: Record<MergeRowState, number>;
}

export interface MergeProgress {
  /** Rows done in this run (accepted, refused or deferred), and rows this run set out to send. */
  done: number;
  total: number;
  /** Messages per minute over the last rows. */
  ratePerMinute: number;
  /** Estimated time left, ms. */
  etaMs: number;
  /** The row just finished and its new state. */
  row?: MergeRowRecord;
}

export interface RunMergeOptions {
  /** The SMTP server and password, as for a single send. */
  target: SmtpTarget;
  /** The outbox folder; the merge's record lives in `<outboxDir>/merges/<mergeId>/`. */
  outboxDir: string;
  /** Send only the next N rows still to send. */
  limit?: number;
  /** At most this many messages per minute (none: as fast as the server takes them). */
  rate?: number;
  /** Keep the bytes of accepted messages in sent/ (default: only their record: recipient, Message-ID, SHA-256, reply). */
  keepSent?: boolean;
  /** Also resend rows in state 'unknown' (the server may already have them). */
  retryUnknown?: boolean;
  /** Only these rows (1-based), e.g. `[1]` with `redirectTo` for "Send to Me First". */
  rows?: number[];
  /** Send every chosen row to this address instead of its recipients (a test of the merge; not recorded as the row's send). */
  redirectTo?: string;
  /** Stops after the message being sent (the rest stay pending; the merge can be resumed). */
  signal?: AbortSignal;
  onProgress?(progress: MergeProgress): void;
  logger?: Logger;
  /** First wait after a "slow down" reply (421, 4xx "too many"), doubled each time; default 5000 ms. */
  backoffMs?: number;
  /** Attempts of one row within one run before it is left deferred; default 3. */
  maxAttempts?: number;
  /** The log CSV (mergeLogCsv), rewritten atomically as the record is saved (every 2 s and at the end of the run). */
  logFile?: string;
  /** Passed to the SMTP layer (tests narrow it; see SmtpOptions). */
  isLoopbackAddress?: (address: string) => boolean;
}

export interface MergeOutcome {
  mergeId: string;
  record: MergeRecord;
  /** Rows this run sent (accepted), refused, or left deferred. */
  accepted: number;
  refused: number;
  deferred: number;
  /** True when the run stopped early (signal). */
  cancelled: boolean;
  /** Connections opened (1 unless the server dropped one or asked to slow down). */
  connections: number;
}
