/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of a bundled child and says where the time went, in source terms:
 * self and total time per function, each function located in its original file through the bundle's source map.
 */
import { promises as fs } from 'fs';
import { SourceMap } from 'module';
import * as path from 'path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  /** `function (file:line)`, the file relative to the repository (node_modules paths shortened). */
  name: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Sampled time with nothing on the CPU (waiting for the disk, the socket, timers). */
  idleMs: number;
  /** Functions by self time. */
  bySelf: ProfileEntry[];
  /** Our own functions (src/) by total time, callees included. */
  ownByTotal: ProfileEntry[];
  /** Self time per source file or package. */
  byFile: { file: string; selfMs: number }[];
}

function shorten(file: string, root: string): string {
  const rel = path.relative(root, file.replace(/^file:\/\//, '')).split(path.sep).join('/');
  const at = rel.lastIndexOf('node_modules/');
  return at >= 0 ? rel.slice(at + 'node_modules/'.length) : rel;
}

/** `sourceDir`: where the bundles' source map paths are relative to (the build folder, when the bundles ran from a copy). */
export async function summarizeProfile(profileFile: string, root: string, sourceDir?: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await fs.readFile(profileFile, 'utf8')) as CpuProfile;
  const maps = new Map<string, SourceMap | null>();
  const mapFor = async (url: string): Promise<SourceMap | null> => {
    if (!url.startsWith('file://') && !url.startsWith('/')) return null;
    if (!maps.has(url)) {
      const file = url.replace(/^file:\/\//, '');
      try {
        maps.set(url, new SourceMap(JSON.parse(await fs.readFile(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]));
      } catch {
        maps.set(url, null);
      }
    }
    return maps.get(url) ?? null;
  };

  // Name and file of every node, in source terms.
  const label = new Map<number, { name: string; file: string }>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let file = url ? shorten(url, root) : '(native)';
    let line = lineNumber + 1;
    const map = url ? await mapFor(url) : null;
    if (map && lineNumber >= 0) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
      if (entry.originalSource) {
        const source = entry.originalSource;
        file = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('file://')
          ? source
          : shorten(path.resolve(sourceDir ?? path.dirname(url.replace(/^file:\/\//, '')), source.replace(/^file:\/\//, '')), root);
        line = (entry.originalLine ?? 0) + 1;
      }
    }
    const fn = functionName || '(anonymous)';
    const name = url ? `${fn} (${file}:${line})` : fn;
    label.set(node.id, { name, file });
  }

  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    totalUs += dt;
    const leaf = profile.samples[i]!;
    const l = label.get(leaf)!;
    self.set(l.name, (self.get(l.name) ?? 0) + dt);
    fileSelf.set(l.file, (fileSelf.get(l.file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const name = label.get(id)!.name;
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  }
  const entry = (name: string): ProfileEntry => ({ name, selfMs: (self.get(name) ?? 0) / 1000, totalMs: (total.get(name) ?? 0) / 1000 });
  const skip = /^\((idle|program|garbage collector|root)\)/;
  return {
    file: profileFile,
    totalMs: totalUs / 1000,
    idleMs: (self.get('(idle)') ?? 0) / 1000,
    bySelf: [...self.keys()].filter((n) => !/^\((idle|root)\)/.test(n)).map(entry).sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
    ownByTotal: [...total.keys()]
      .filter((n) => !skip.test(n) && / \(src\//.test(n))
      .map(entry)
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top),
    byFile: [...fileSelf].map(([file, us]) => ({ file, selfMs: us / 1000 })).sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
  };
}
