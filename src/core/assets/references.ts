/**
 * Finding every local resource a document points at, with cheerio and postcss (never a regex over the document):
 * img src and srcset, picture/source, the background attribute, CSS url() in style attributes and <style>. Each
 * reference comes with its source line and a way to rewrite it.
 */
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { parseSrcset as parseCandidates } from 'srcset';
import { forEachElement } from '../source/dom';
import type { LineLocator } from '../source/lineLocator';
import { safeDecode } from './resolve';

export interface CidReference {
  /** The Content-ID it asks for (percent-decoded, without `cid:`). */
  cid: string;
  /** As written. */
  ref: string;
  line: number;
}

/** One place the document points at a resource. `set` rewrites it in the document. */
export interface Reference {
  url: string;
  line: number;
  set(value: string): void;
  /** The `<img>` whose src this is (its shown size can be set); absent for CSS and background references. */
  img?: Element;
}

interface SrcsetCandidate {
  url: string;
  w?: number;
  x?: number;
}

/** The candidates of a srcset (the `srcset` package: URLs may contain commas, as data: URIs do), as `w` or `x`. */
export function parseSrcset(srcset: string): SrcsetCandidate[] {
  return parseCandidates(srcset)
    .filter(({ url }) => url)
    .map(({ url, width, density }) => ({
      url,
      ...(width !== undefined ? { w: width } : {}),
      ...(density !== undefined ? { x: density } : {}),
    }));
}

/** The largest candidate (by width, else density), the last one among equals. */
export function pickFromSrcset(srcset: string): string | undefined {
  let best: SrcsetCandidate | undefined;
  const size = (c: SrcsetCandidate): number => c.w ?? (c.x ?? 1) * 1e-6;
  for (const c of parseSrcset(srcset)) {
    if (!best || size(c) >= size(best)) best = c;
  }
  return best?.url;
}

/**
 * `<picture>` is reduced to its `<img>`: the image's own src (or srcset) is what every client can show; when the
 * `<img>` has neither, the first `<source>`'s srcset becomes its srcset (reduced with the img below). The
 * `<source>` elements are dropped.
 */
function reducePicture($: CheerioAPI, pic: Element): void {
  const $pic = $(pic);
  const sources = $pic.find('source');
  const img = $pic.find('img').first();
  if (img.length > 0 && !img.attr('src') && !img.attr('srcset')) {
    const first = sources.filter((_i, s) => Boolean((s as Element).attribs.srcset)).first();
    if (first.length > 0) img.attr('srcset', first.attr('srcset') ?? '');
  }
  sources.remove();
}

export async function collectReferences($: CheerioAPI, lines: LineLocator): Promise<Reference[]> {
  const { default: postcss } = await import('postcss');
  const { default: valueParser } = await import('postcss-value-parser');
  const refs: Reference[] = [];
  const locate = (url: string): number => lines.find(lineCandidates(url));

  const addAttr = (el: Element, attr: string): void => {
    const url = el.attribs[attr];
    if (url === undefined || !url.trim()) return;
    const img = attr === 'src' && el.tagName.toLowerCase() === 'img' ? { img: el } : {};
    refs.push({ url, line: locate(url), set: (v) => (el.attribs[attr] = v), ...img });
  };

  /** url(...) values of the declarations in `css`; `write` stores the rewritten CSS back. */
  const addCss = (css: string, write: (css: string) => void): void => {
    if (!/url\(/i.test(css)) return;
    let root: ReturnType<typeof postcss.parse>;
    try {
      root = postcss.parse(css);
    } catch {
      return; // CSS the parser cannot read is left alone; a client could not read it either
    }
    root.walkDecls((decl) => {
      if (!/url\(/i.test(decl.value)) return;
      // Fonts are not images: @font-face sources are left as they are.
      if (decl.parent?.type === 'atrule' && (decl.parent as { name?: string }).name?.toLowerCase() === 'font-face') return;
      const parsed = valueParser(decl.value);
      parsed.walk((node) => {
        if (node.type !== 'function' || node.value.toLowerCase() !== 'url') return undefined;
        const arg = node.nodes.find((x) => x.type !== 'space');
        if (arg && (arg.type === 'word' || arg.type === 'string') && arg.value.trim()) {
          const url = arg.value.trim();
          refs.push({
            url,
            line: locate(url),
            set: (v) => {
              arg.value = v;
              decl.value = parsed.toString();
              write(root.toString());
            },
          });
        }
        return false;
      });
    });
  };

  forEachElement($.root()[0], (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'picture') reducePicture($, el);
    if (tag === 'img') {
      const srcset = el.attribs.srcset;
      if (srcset !== undefined) {
        delete el.attribs.srcset;
        delete el.attribs.sizes;
        const chosen = pickFromSrcset(srcset);
        if (chosen) el.attribs.src = chosen;
      }
      addAttr(el, 'src');
    }
    if (el.attribs.background !== undefined) addAttr(el, 'background');
    if (el.attribs.style) addCss(el.attribs.style, (css) => (el.attribs.style = css));
    if (tag === 'style') {
      const $el = $(el);
      addCss($el.text(), (css) => $el.text(css));
    }
  });
  return refs;
}

/** Spellings under which a reference may appear in the source (marked percent-encodes, HTML escapes `&`). */
function lineCandidates(url: string): string[] {
  if (/^data:/i.test(url)) return [url.slice(0, 200)];
  const decoded = safeDecode(url);
  const out = [url, decoded, url.replace(/&/g, '&amp;')];
  return out.filter((c, i) => out.indexOf(c) === i);
}
