/**
 * The benchmark's documents, generated into a scratch folder from a fixed seed: the same bytes on every run.
 * Each workload also gets `floor.json`, the input of the plain-nodemailer floor: the same Markdown rendered once
 * with marked (image references already `cid:`), the same files as path attachments.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { marked } from 'marked';
import { DEFAULT_STYLESHEET } from '../../../src/core/source/stylesheet';
import { makePng } from './png';
import { Prng } from './prng';

export const WORKLOAD_NAMES = ['small', 'newsletter', 'large', 'longText'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export const FROM = '"Bench Sender" <bench@example.com>';
export const TO = 'reader@example.com';
const CID_DOMAIN = 'bench.example';

export interface Workload {
  name: WorkloadName;
  /** What it is, for the table. */
  description: string;
  /** The workspace folder (the document and its images live below it). */
  dir: string;
  /** Absolute path of the Markdown document. */
  doc: string;
  markdownBytes: number;
  images: number;
  imageBytes: number;
  /** Absolute path of the floor's input (`FloorInput`). */
  floor: string;
}

/** What the nodemailer floor sends: prepared outside the timing. */
export interface FloorInput {
  subject: string;
  html: string;
  text: string;
  attachments: { path: string; cid: string; filename: string }[];
}

interface Spec {
  description: string;
  images: number;
  /** Total image bytes. */
  imageTotal: number;
  /** Markdown body: a few thousand words, or at least `minBytes`. */
  sections: number;
  minBytes?: number;
  subject: string;
}

const SPECS: Record<WorkloadName, Spec> = {
  small: { description: 'one page, 1 image', images: 1, imageTotal: 150 * 1024, sections: 3, subject: 'Bench: small' },
  newsletter: { description: '30 images, tables, ~3k words', images: 30, imageTotal: 15 * 1024 * 1024, sections: 30, subject: 'Bench: newsletter' },
  large: { description: '100 images, ~10k words', images: 100, imageTotal: 45 * 1024 * 1024, sections: 100, subject: 'Bench: large' },
  longText: { description: '1 MB Markdown, no images', images: 0, imageTotal: 0, sections: 0, minBytes: 1024 * 1024, subject: 'Bench: long text' },
};

const WORDS = (
  'the of and to in is for on that with as by this from at are be it or an was have which not can will more ' +
  'email message server image table report quarter team product release market customer revenue growth update ' +
  'design preview inline render style sheet client reader sender network packet latency storage archive budget ' +
  'schedule meeting project roadmap feature summary detail figure chart photo section review launch support ' +
  'careful quickly simply early later often clear strong light quiet bright modern simple robust steady local ' +
  'north south river mountain harbour garden library station village market bridge tower valley forest coast'
).split(' ');

function sentence(prng: Prng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = prng.pick(WORDS);
    const roll = prng.float();
    if (roll < 0.02) w = `**${w}**`;
    else if (roll < 0.04) w = `*${w}*`;
    else if (roll < 0.05) w = `\`${w}()\``;
    else if (roll < 0.06) w = `[${w}](https://example.com/${w}/${prng.int(1, 999)})`;
    out.push(w);
  }
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

function paragraph(prng: Prng, sentences: number): string {
  return Array.from({ length: sentences }, () => sentence(prng, prng.int(8, 18))).join(' ');
}

function table(prng: Prng, rows: number): string {
  const cols = 4;
  const head = `| ${Array.from({ length: cols }, () => prng.pick(WORDS)).join(' | ')} |`;
  const rule = `|${' --- |'.repeat(cols)}`;
  const body = Array.from({ length: rows }, () => `| ${prng.pick(WORDS)} | ${prng.int(1, 99999)} | ${prng.float().toFixed(3)} | ${sentence(prng, 3)} |`);
  return [head, rule, ...body].join('\n');
}

function section(prng: Prng, index: number, image: string | undefined, long: boolean): string {
  const parts = [`## ${index + 1}. ${sentence(prng, prng.int(2, 5)).slice(0, -1)}`, paragraph(prng, long ? 4 : 3)];
  if (image) parts.push(`![Figure ${index + 1}: ${prng.pick(WORDS)}](${image})`);
  parts.push(paragraph(prng, long ? 3 : 2));
  if (index % 4 === 1) parts.push(Array.from({ length: 5 }, () => `- ${sentence(prng, prng.int(4, 10))}`).join('\n'));
  if (index % 6 === 2) parts.push(table(prng, long ? 8 : 5));
  if (long && index % 7 === 3) {
    const code = Array.from({ length: 8 }, (_, i) => `const ${prng.pick(WORDS)}${i} = ${prng.int(0, 9999)}; // ${prng.pick(WORDS)}`);
    parts.push(['```ts', ...code, '```'].join('\n'));
  }
  if (long && index % 9 === 4) parts.push(`> ${paragraph(prng, 2)}`);
  if (long && index % 5 === 0) parts.push(`1. ${sentence(prng, 6)}\n2. ${sentence(prng, 6)}\n   - [x] ${sentence(prng, 4)}\n   - [ ] ${sentence(prng, 4)}`);
  return parts.join('\n\n');
}

/** Image sizes around the mean (0.3x to 1.7x), scaled so they add up to `total`. */
function imageSizes(prng: Prng, count: number, total: number): number[] {
  const weights = Array.from({ length: count }, () => 0.3 + 1.4 * prng.float());
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.round((total * w) / sum));
}

async function generate(root: string, name: WorkloadName, seed: number): Promise<Workload> {
  const spec = SPECS[name];
  const prng = new Prng(seed);
  const dir = path.join(root, name);
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });

  const imageRefs: string[] = [];
  const attachments: FloorInput['attachments'] = [];
  let imageBytes = 0;
  for (const [i, size] of imageSizes(prng, spec.images, spec.imageTotal).entries()) {
    const base = `photo-${String(i + 1).padStart(3, '0')}`;
    const { png } = makePng(prng, size);
    const file = path.join(dir, 'images', `${base}.png`);
    await fs.writeFile(file, png);
    imageBytes += png.length;
    imageRefs.push(`images/${base}.png`);
    attachments.push({ path: file, cid: `${base}@${CID_DOMAIN}`, filename: `${base}.png` });
  }

  const sections: string[] = [`# ${spec.subject}`, paragraph(prng, 4)];
  const long = spec.minBytes !== undefined;
  let size = 0;
  for (let i = 0; long ? size < spec.minBytes! : i < spec.sections; i++) {
    const s = section(prng, i, imageRefs[i], long);
    sections.push(s);
    size += Buffer.byteLength(s) + 2;
  }
  // Images beyond the sections (none with these specs) still get referenced.
  for (const ref of imageRefs.slice(spec.sections)) sections.push(`![More](${ref})`);
  const body = sections.join('\n\n') + '\n';
  const markdown = `---\nsubject: "${spec.subject}"\nto: ${TO}\n---\n${body}`;
  const doc = path.join(dir, `${name}.md`);
  await fs.writeFile(doc, markdown);

  // The floor: rendered once here, outside any timing; references point at the attachments' cids.
  let floorMarkdown = body;
  for (const [i, ref] of imageRefs.entries()) floorMarkdown = floorMarkdown.split(`](${ref})`).join(`](cid:${attachments[i]!.cid})`);
  const rendered = marked.parse(floorMarkdown, { gfm: true, async: false });
  const html =
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
    `<title>${spec.subject}</title>\n<style>\n${DEFAULT_STYLESHEET}\n</style>\n</head>\n` +
    `<body>\n<div class="email-container">\n${rendered}</div>\n</body>\n</html>\n`;
  const floorInput: FloorInput = { subject: spec.subject, html, text: body, attachments };
  const floor = path.join(dir, 'floor.json');
  await fs.writeFile(floor, JSON.stringify(floorInput));

  return {
    name,
    description: spec.description,
    dir,
    doc,
    markdownBytes: Buffer.byteLength(markdown),
    images: spec.images,
    imageBytes,
    floor,
  };
}

/** Writes the chosen workloads below `root` (deterministic: seed per workload). */
export async function generateWorkloads(root: string, names: readonly WorkloadName[]): Promise<Workload[]> {
  const out: Workload[] = [];
  for (const name of names) out.push(await generate(root, name, 0x5eed + WORKLOAD_NAMES.indexOf(name)));
  return out;
}
