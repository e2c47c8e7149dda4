/**
 * SVG → PNG with resvg (WebAssembly). Built as a bundle of its own, dist/svg-render.js, with the .wasm copied beside
 * it as dist/resvg.wasm (see esbuild.js): only a message with an SVG image loads either, never activation.
 */
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { existsSync, promises as fs } from 'fs';
import * as path from 'path';

export interface Raster {
  png: Uint8Array;
  /** Pixels of the PNG. */
  width: number;
  height: number;
  /** The SVG's own size in CSS pixels: the size the image is shown at. */
  cssWidth: number;
  cssHeight: number;
}

/** The wasm module is compiled once per process (about 90 ms), on the first SVG. */
let ready: Promise<void> | undefined;

/** The .wasm beside this bundle (dist/resvg.wasm), else the package's own (development builds and tests). */
function wasmFile(): string {
  const beside = path.join(__dirname, 'resvg.wasm');
  if (existsSync(beside)) return beside;
  return require.resolve('@resvg/resvg-wasm/index_bg.wasm', { paths: [__dirname, process.cwd()] });
}

/**
 * Common fonts by platform: resvg in WebAssembly cannot list the system's fonts, and an SVG's text (chart labels)
 * would vanish without one. Any font found stands in for every family the SVG names (resvg falls back to it).
 */
const LATIN_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  '/Library/Fonts/Arial.ttf',
  '/System/Library/Fonts/Helvetica.ttc',
  path.join(process.env.WINDIR ?? 'C:\\Windows', 'Fonts', 'arial.ttf'),
  path.join(process.env.WINDIR ?? 'C:\\Windows', 'Fonts', 'segoeui.ttf'),
];
const CJK_FONTS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/System/Library/Fonts/PingFang.ttc',
  '/System/Library/Fonts/STHeiti Light.ttc',
  path.join(process.env.WINDIR ?? 'C:\\Windows', 'Fonts', 'msyh.ttc'),
];

async function firstFont(candidates: string[]): Promise<Uint8Array | undefined> {
  for (const file of candidates) {
    try {
      return await fs.readFile(file);
    } catch {
      // not on this system: the next one
    }
  }
  return undefined;
}

/** The fonts an SVG's text needs: none without text; a CJK font too when the text has Chinese, Japanese or Korean. */
async function fontsFor(svg: string): Promise<Uint8Array[]> {
  if (!/<(?:text|tspan|textPath)[\s>]/.test(svg)) return [];
  const fonts = [await firstFont(LATIN_FONTS)];
  if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(svg)) fonts.push(await firstFont(CJK_FONTS));
  return fonts.filter((f): f is Uint8Array => f !== undefined);
}

/**
 * Renders `svg` at `density` times its own size (2: sharp on high-density screens), the longer side capped at
 * `maxSide` pixels. Throws resvg's own message when the SVG cannot be read.
 */
export async function rasterizeSvg(svg: Uint8Array, density: number, maxSide: number): Promise<Raster> {
  ready ??= fs.readFile(wasmFile()).then((bytes) => initWasm(bytes));
  await ready;
  const text = Buffer.from(svg.buffer, svg.byteOffset, svg.byteLength).toString('utf8');
  const fontBuffers = await fontsFor(text);
  const measure = new Resvg(text, { font: { fontBuffers } });
  const cssWidth = measure.width;
  const cssHeight = measure.height;
  measure.free();
  const zoom = Math.min(density, maxSide / Math.max(cssWidth, cssHeight, 1));
  const resvg = new Resvg(text, { fitTo: { mode: 'zoom', value: zoom }, font: { fontBuffers } });
  try {
    const image = resvg.render();
    const png = image.asPng();
    const raster = { png, width: image.width, height: image.height, cssWidth, cssHeight };
    image.free();
    return raster;
  } finally {
    resvg.free();
  }
}
