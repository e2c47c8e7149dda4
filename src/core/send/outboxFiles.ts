/**
 * Where the files of an outbox entry are, and reading them: the record (`<id>.json`, or the accepted marker
 * `<id>.accepted.json`), the message file (`<id>.eml`), the retry lock (`<id>.lock`), in `outbox/` or `sent/`.
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as path from 'path';
import { fsyncDir } from '../atomicFile';
import { ErrorCode } from '../errors';
import { missingFile } from './outboxErrors';
import { decodeRecord, normalizedResult, type OutboxEntry, type StoredEntry } from './outboxRecord';

export const ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_-]{0,120}$/;

/** Removes a file that may not be there (`rm --force` of one file, without rm's walk: a merge removes thousands). */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}

export class OutboxFiles {
  readonly outboxDir: string;
  readonly sentDir: string;

  constructor(dir: string) {
    this.outboxDir = path.join(dir, 'outbox');
    this.sentDir = path.join(dir, 'sent');
  }

  /** The entry in outbox/ with its problems: record unusable, message file or record missing. Undefined: none. */
  async outboxEntry(id: string): Promise<OutboxEntry | undefined> {
    const loaded = await this.load('outbox', id);
    const hasEml = await exists(this.eml('outbox', id));
    if (loaded && 'problem' in loaded) return this.unreadable(id, loaded.problem);
    if (loaded) return hasEml ? this.toEntry(loaded.record, 'outbox') : this.unreadable(id, missingFile(this.toEntry(loaded.record, 'outbox')).message);
    // A message file alone: its record was never written (a crash; or, for a moment, a send storing it right now).
    if (hasEml) {
      return this.unreadable(id, l10n.t('Outbox entry {0} has a message file but no record ({1} is missing): {2}.', id, this.json('outbox', id), this.eml('outbox', id)));
    }
    return undefined;
  }

  /** An entry listed for its problem only (see OutboxStatus 'unreadable'). */
  async unreadable(id: string, problem: string): Promise<OutboxEntry> {
    const file = this.eml('outbox', id);
    const stat = (await fs.promises.stat(file).catch(() => undefined)) ?? (await fs.promises.stat(this.json('outbox', id)).catch(() => undefined));
    const time = (stat ? stat.mtime : new Date()).toISOString();
    return {
      id,
      status: 'unreadable',
      problem,
      messageId: '',
      envelope: { from: '', to: [] },
      subject: '',
      size: 0,
      sha256: '',
      createdAt: time,
      updatedAt: time,
      attempts: 0,
      lastError: { code: ErrorCode.OUTBOX_ENTRY_INVALID, message: problem, at: time },
      file,
    };
  }

  eml(where: 'outbox' | 'sent', id: string): string {
    return path.join(where === 'outbox' ? this.outboxDir : this.sentDir, `${id}.eml`);
  }

  json(where: 'outbox' | 'sent', id: string): string {
    return path.join(where === 'outbox' ? this.outboxDir : this.sentDir, `${id}.json`);
  }

  lock(id: string): string {
    return path.join(this.outboxDir, `${id}.lock`);
  }

  /** Where the record of an accepted entry waits until sent/ has its record (see markSent). */
  acceptedMarker(id: string): string {
    return path.join(this.outboxDir, `${id}.accepted.json`);
  }

  toEntry(stored: StoredEntry, emlIn: 'outbox' | 'sent'): OutboxEntry {
    const { version: _version, recordSha256: _hash, sendingBy: _sender, result, ...entry } = stored;
    return { ...entry, ...(result ? { result: normalizedResult(result) } : {}), file: this.eml(emlIn, stored.id) };
  }

  async ids(where: 'outbox' | 'sent'): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(where === 'outbox' ? this.outboxDir : this.sentDir);
    } catch {
      return [];
    }
    // Records, accepted markers, and message files (one without a record is listed as unreadable).
    const ids = names.filter((n) => (n.endsWith('.json') || n.endsWith('.eml')) && !n.startsWith('.')).map((n) => n.replace(/(\.accepted)?\.json$|\.eml$/, ''));
    return [...new Set(ids)].filter((id) => ID_PATTERN.test(id));
  }

  /** The usable record of an entry, or undefined (none, or unusable). */
  async readStored(where: 'outbox' | 'sent', id: string): Promise<StoredEntry | undefined> {
    const loaded = await this.load(where, id);
    return loaded && 'record' in loaded ? loaded.record : undefined;
  }

  /** The record of an entry, or the problem with it; in outbox/, an accepted marker comes first and makes it 'accepted'. */
  async load(where: 'outbox' | 'sent', id: string): Promise<{ record: StoredEntry } | { problem: string } | undefined> {
    if (where === 'sent') return this.loadFile(this.json('sent', id), id);
    const [marker, record] = await Promise.all([this.loadFile(this.acceptedMarker(id), id), this.loadFile(this.json('outbox', id), id)]);
    if (marker && 'record' in marker) return { record: { ...marker.record, status: 'accepted' } };
    return marker ?? record;
  }

  async loadFile(file: string, id: string): Promise<{ record: StoredEntry } | { problem: string } | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      return { problem: l10n.t('The record {0} of outbox entry {1} cannot be read ({2}).', file, id, code ?? String(e)) };
    }
    return decodeRecord(text, id, file);
  }

  /**
   * Moves the .eml to sent/ and drops the outbox/ record and accepted marker (the sent/ record already exists);
   * `left` when it is known which of the two is there. `dropBytes`: the .eml is removed instead (a merge keeps only
   * the record of an accepted message: recipients, Message-ID, SHA-256, the server's reply).
   */
  async finishMove(id: string, left?: 'record' | 'marker', dropBytes = false): Promise<void> {
    if (dropBytes) await removeFile(this.eml('outbox', id));
    else if (await exists(this.eml('outbox', id))) await fs.promises.rename(this.eml('outbox', id), this.eml('sent', id));
    if (left !== 'marker') await removeFile(this.json('outbox', id));
    if (left !== 'record') await removeFile(this.acceptedMarker(id));
    // (Nothing moved into sent/ when the bytes are dropped: its record's write already fsynced it.)
    if (!dropBytes) await fsyncDir(this.sentDir);
    await fsyncDir(this.outboxDir);
  }
}
