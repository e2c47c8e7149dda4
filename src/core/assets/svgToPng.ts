/**
 * SVG images become PNG parts when composed: Gmail and Outlook for Windows show no SVG. The renderer (resvg in
 * WebAssembly, svgRender.ts) is a bundle of its own, loaded on the first SVG.
 */
import * as crypto from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { ErrorCode } from '../errors';
import type { LoadedImage, LoadResult } from './loadImage';

/** Twice the SVG's own size: sharp on high-density screens, which most phones and laptops have. */
export const SVG_DENSITY = 2;
/** The longer side of a converted image at most: a huge SVG would otherwise make a message of many megabytes. */
export const SVG_MAX_SIDE = 2400;

/** The same SVG composed again (each edit in the preview) is not rendered again: by content, the latest few. */
const recent = new Map<string, LoadedImage>();
const RECENT_MAX = 16;

/**
 * `res` (an SVG) as a PNG image: new bytes, a `.png` name, and the size it is shown at. `density`: pixels per CSS
 * pixel; 1 for an image only CSS backgrounds use (a background has no width attribute to show it at half size).
 */
export async function svgToPng(res: LoadedImage, density = SVG_DENSITY): Promise<LoadResult> {
  let svg: Buffer;
  try {
    // A streamed compose keeps no bytes: an SVG is small, and its PNG is held like a data: image.
    svg = res.file !== undefined && res.bytes.length === 0 ? await fs.readFile(res.file) : res.bytes;
  } catch (e) {
    return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'svg-failed', detail: (e as NodeJS.ErrnoException).code ?? String(e) }, path: res.source };
  }
  const hash = `${density}:${crypto.createHash('sha256').update(svg).digest('hex')}`;
  const cached = recent.get(hash);
  if (cached) return { ...cached, source: res.source, filename: pngName(res.filename) };
  const { rasterizeSvg } = await import('./svgRender');
  try {
    const raster = await rasterizeSvg(svg, density, SVG_MAX_SIDE);
    const png = Buffer.from(raster.png.buffer, raster.png.byteOffset, raster.png.byteLength);
    const converted: LoadedImage = {
      ok: true,
      bytes: png,
      size: png.length,
      type: { contentType: 'image/png', ext: 'png' },
      source: res.source,
      filename: pngName(res.filename),
      displaySize: { width: Math.round(raster.cssWidth), height: Math.round(raster.cssHeight) },
    };
    recent.set(hash, converted);
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
    // A copy: the caller sets its Content-ID, which depends on the message's domain.
    return { ...converted };
  } catch (e) {
    return { ok: false, code: ErrorCode.IMAGE_INVALID, reason: { kind: 'svg-failed', detail: (e as Error).message }, path: res.source.startsWith('data:') ? undefined : res.source };
  }
}

/** `chart.svg` → `chart.png`. */
function pngName(name: string): string {
  return `${path.basename(name, path.extname(name))}.png`;
}
