/**
 * The preview's first render of the newsletter is measured inside VS Code by the integration suite
 * (test/integration/preview.test.ts), which writes `.test-results/timings.json`. The benchmark only reads it.
 */
import { promises as fs } from 'fs';
import * as path from 'path';

/** `preview.newsletter` in timings.json, as preview.test.ts writes it: medians over `rounds`, ms. */
interface NewsletterTimings {
  rounds: number;
  firstPaintMs: number;
  firstRenderMs: number;
  bareWebviewReadyMs: number;
  firstPaintOverBareMs: number;
  firstRenderOverBareMs: number;
  readyMs: number;
  composeMs: number;
  postMs: number;
  webviewRenderMs: number;
  wallMs: number;
  editToRenderMs: number;
  editAfterDebounceMs: number;
  debounceMs: number;
  switchPaintMs?: number;
  switchRenderMs?: number;
  samples: { firstPaintMs: number[]; firstRenderMs: number[]; bareWebviewReadyMs: number[]; editToRenderMs: number[] };
}

/** The `preview` section of timings.json (absent parts: their tests did not run or failed). */
interface PreviewTimings {
  fixtureFirstRenderMs?: number;
  fixtureEditToRenderMs?: number;
  newsletter?: NewsletterTimings;
  /** The preview's own raw timings (api.preview.timings()), lists of ms by measure. */
  all?: Record<string, number | number[]>;
}

export interface PreviewFigures {
  file: string;
  /** When the integration suite wrote the file. */
  writtenAt: string;
  /** The newsletter's first render, median, ms, when the newsletter was measured. */
  firstRenderMs?: number;
  /** Key path of that figure in the file. */
  key?: string;
  /** Every number of the file's preview section, by key path. */
  all: Record<string, number>;
  /** The same host, same run: a bare webview panel (no resources, an inline script) to its first message, ms. */
  bareWebviewReadyMs?: number;
  /** Our first render minus the bare webview's, per round, median, ms: what the preview itself adds. */
  firstRenderOverBareMs?: number;
  /** An edit of the newsletter to its re-render, minus the debounce, median, ms. */
  editAfterDebounceMs?: number;
}

/** Every finite number in `value`, by dotted key path (array items by index). */
function numbers(value: unknown, prefix: string, out: Record<string, number>): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) numbers(v, `${prefix}.${k}`, out);
  }
  return out;
}

export async function readPreviewTimings(root: string): Promise<PreviewFigures | undefined> {
  const file = path.join(root, '.test-results', 'timings.json');
  let preview: PreviewTimings | undefined;
  let writtenAt: string;
  try {
    preview = (JSON.parse(await fs.readFile(file, 'utf8')) as { preview?: PreviewTimings }).preview;
    writtenAt = (await fs.stat(file)).mtime.toISOString();
  } catch {
    return undefined;
  }
  const n = preview?.newsletter;
  return {
    file,
    writtenAt,
    all: numbers(preview, 'preview', {}),
    ...(n
      ? {
          key: 'preview.newsletter.firstRenderMs',
          firstRenderMs: n.firstRenderMs,
          bareWebviewReadyMs: n.bareWebviewReadyMs,
          firstRenderOverBareMs: n.firstRenderOverBareMs,
          editAfterDebounceMs: n.editAfterDebounceMs,
        }
      : {}),
  };
}
