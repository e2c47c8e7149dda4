/**
 * The preview's first render of the newsletter is measured inside VS Code by the integration suite, which writes
 * `.test-results/timings.json`. The benchmark only reads it: any number whose key path mentions the preview.
 */
import { promises as fs } from 'fs';
import * as path from 'path';

export interface PreviewFigures {
  file: string;
  /** When the integration suite wrote the file. */
  writtenAt: string;
  /** The first-render figure, ms, when one was found. */
  firstRenderMs?: number;
  /** Key path of that figure in the file. */
  key?: string;
  /** Every preview-related number in the file, by key path. */
  all: Record<string, number>;
  /** The same host, same run: a bare webview panel (no resources, an inline script) to its first message, ms. */
  bareWebviewReadyMs?: number;
  /** Our first render minus the bare webview's, per round, median, ms: what the preview itself adds. */
  firstRenderOverBareMs?: number;
  /** An edit of the newsletter to its re-render, minus the debounce, median, ms. */
  editAfterDebounceMs?: number;
}

function numbers(value: unknown, prefix: string, out: Record<string, number>): void {
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) numbers(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

export async function readPreviewTimings(root: string): Promise<PreviewFigures | undefined> {
  const file = path.join(root, '.test-results', 'timings.json');
  let text: string;
  let writtenAt: string;
  try {
    text = await fs.readFile(file, 'utf8');
    writtenAt = (await fs.stat(file)).mtime.toISOString();
  } catch {
    return undefined;
  }
  const all: Record<string, number> = {};
  try {
    numbers(JSON.parse(text), '', all);
  } catch {
    return undefined;
  }
  const preview = Object.fromEntries(Object.entries(all).filter(([k]) => /preview/i.test(k)));
  const keys = Object.keys(preview);
  const key =
    keys.find((k) => k === 'preview.newsletter.firstRenderMs') ??
    keys.find((k) => /newsletter/i.test(k) && /first/i.test(k)) ??
    keys.find((k) => /first/i.test(k) && /render/i.test(k)) ??
    keys.find((k) => /first/i.test(k)) ??
    keys.find((k) => /render/i.test(k));
  const pick = (name: string): Record<string, number> => {
    const value = preview[`preview.newsletter.${name}`];
    return value === undefined ? {} : { [name]: value };
  };
  return {
    file,
    writtenAt,
    all: preview,
    ...(key ? { key, firstRenderMs: preview[key] } : {}),
    ...pick('bareWebviewReadyMs'),
    ...pick('firstRenderOverBareMs'),
    ...pick('editAfterDebounceMs'),
  };
}
