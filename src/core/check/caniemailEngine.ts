/**
 * The caniemail data and checker, built as a bundle of its own (dist/check.js, see esbuild.js) so that neither the
 * extension's bundle nor the command-line tool parses its 650 KB of data until a check runs. loadEngine.ts requires
 * it by a computed path. Nothing from the rest of the project is imported here: it would be bundled twice.
 */
import { caniemail, parseHtml as parseWithStyles, rawData } from 'caniemail';

/** One client's verdict on one occurrence of a feature. */
export interface EngineFinding {
  title: string;
  client: string;
  support: 'none' | 'partial';
  notes: string[];
  /** 1-based, in the text checked. */
  line?: number;
}

export interface EngineFeature {
  slug: string;
  title: string;
  lastTestDate: string;
  url: string;
}

interface RawFeature {
  slug: string;
  title: string;
  last_test_date: string;
  url: string;
  stats: Record<string, Record<string, Record<string, string>>>;
  notes_by_num?: Record<string, string> | null;
}

const data = rawData as unknown as { last_update_date: string; nicenames: { family: Record<string, string> }; data: RawFeature[] };
const byTitle = new Map<string, RawFeature>(data.data.map((f) => [f.title, f]));
const bySlug = new Map<string, RawFeature>(data.data.map((f) => [f.slug, f]));

/** Every `family.platform` the data names, as caniemail accepts them. */
export const engineClients: readonly string[] = [
  ...new Set(data.data.flatMap((f) => Object.entries(f.stats).flatMap(([family, p]) => Object.keys(p).map((k) => `${family}.${k}`)))),
].sort();

/** The day the data was last updated (YYYY-MM-DD). */
export const dataDate: string = data.last_update_date.slice(0, 10);

const filled = new Set<string>();
/**
 * caniemail throws when a feature has no entry for a requested client (thunderbird.windows is in 34 of 307
 * features). An untested feature is marked "y" for that client, in this bundle's copy of the data only, so it reports
 * nothing rather than failing the whole check: the data knows nothing bad about it.
 */
function fillUntested(clients: readonly string[]): void {
  for (const client of clients) {
    if (filled.has(client)) continue;
    filled.add(client);
    const [family, platform] = client.split('.');
    for (const feature of data.data) {
      const platforms = (feature.stats[family] ??= {});
      platforms[platform] ??= { untested: 'y' };
    }
  }
}

/**
 * The last results by input: the preview checks after every render, and an edit of the text changes neither the
 * style sheets nor the set of distinct tags caniemail is given (see caniemailCheck.ts).
 */
const recent = new Map<string, EngineFinding[]>();
const RECENT_MAX = 16;

/** Forgets the remembered results (the benchmark measures a check without them). */
export function forgetResults(): void {
  recent.clear();
}

/** Runs caniemail on HTML (elements, attributes, inline styles) or on a style sheet's text. */
export function runCaniemail(input: { html?: string; css?: string; clients: readonly string[] }): EngineFinding[] {
  const key = `${input.clients.join(',')}\n${input.html !== undefined ? `html\n${input.html}` : `css\n${input.css ?? ''}`}`;
  const known = recent.get(key);
  if (known) {
    recent.delete(key);
    recent.set(key, known);
    return known;
  }
  const findings = run(input);
  recent.set(key, findings);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return findings;
}

function run(input: { html?: string; css?: string; clients: readonly string[] }): EngineFinding[] {
  fillUntested(input.clients);
  const result = caniemail({ clients: [...input.clients] as Parameters<typeof caniemail>[0]['clients'], ...(input.html !== undefined ? { html: input.html } : { css: input.css }) });
  const findings: EngineFinding[] = [];
  for (const map of [result.issues.errors, result.issues.warnings]) {
    for (const [client, issues] of map) {
      for (const issue of issues) {
        if (issue.support !== 'none' && issue.support !== 'partial') continue;
        findings.push({ title: issue.title, client, support: issue.support, notes: issue.notes, line: issue.position?.start.line });
      }
    }
  }
  return findings;
}

/** The HTML parsed by htmlparser2 with start offsets (`startIndex`), as caniemail parses it. */
export function parseHtml(html: string): { document: unknown } {
  return { document: parseWithStyles(html).document };
}

export function featureByTitle(title: string): EngineFeature | undefined {
  const f = byTitle.get(title);
  return f && { slug: f.slug, title: f.title, lastTestDate: f.last_test_date, url: f.url };
}

export function featureBySlug(slug: string): EngineFeature | undefined {
  const f = bySlug.get(slug);
  return f && { slug: f.slug, title: f.title, lastTestDate: f.last_test_date, url: f.url };
}

/** A client's support of a feature in its newest test, as caniemail reads it; undefined when never tested. */
export function supportOf(slug: string, client: string): { support: 'full' | 'partial' | 'none'; notes: string[] } | undefined {
  const f = bySlug.get(slug);
  const [family, platform] = client.split('.');
  const versions = f?.stats[family]?.[platform];
  if (!f || !versions || 'untested' in versions) return undefined;
  const latest = versions[Object.keys(versions).sort().at(-1) as string];
  const notes = [...latest.matchAll(/#(\d+)/g)].map((m) => f.notes_by_num?.[m[1]]).filter((n): n is string => n !== undefined);
  const support = latest.startsWith('y') ? 'full' : latest.startsWith('n') ? 'none' : 'partial';
  return { support, notes };
}
