/**
 * Content types: images are recognised from their bytes (never trusted by name alone), attachments by extension.
 */
import * as path from 'path';
import { imageSize } from 'image-size';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';

export interface ImageType {
  contentType: string;
  /** File extension without the dot, for generated file names (`image-1.png`). */
  ext: string;
}

const BY_SIZE_TYPE: Record<string, ImageType> = {
  png: { contentType: 'image/png', ext: 'png' },
  jpg: { contentType: 'image/jpeg', ext: 'jpg' },
  gif: { contentType: 'image/gif', ext: 'gif' },
  webp: { contentType: 'image/webp', ext: 'webp' },
  svg: { contentType: 'image/svg+xml', ext: 'svg' },
  bmp: { contentType: 'image/bmp', ext: 'bmp' },
  ico: { contentType: 'image/x-icon', ext: 'ico' },
  cur: { contentType: 'image/x-icon', ext: 'ico' },
  tiff: { contentType: 'image/tiff', ext: 'tif' },
  avif: { contentType: 'image/avif', ext: 'avif' },
  heif: { contentType: 'image/heif', ext: 'heif' },
};

const BY_EXTENSION: Record<string, ImageType> = {
  '.png': BY_SIZE_TYPE.png,
  '.jpg': BY_SIZE_TYPE.jpg,
  '.jpeg': BY_SIZE_TYPE.jpg,
  '.gif': BY_SIZE_TYPE.gif,
  '.webp': BY_SIZE_TYPE.webp,
  '.svg': BY_SIZE_TYPE.svg,
  '.bmp': BY_SIZE_TYPE.bmp,
  '.ico': BY_SIZE_TYPE.ico,
  '.tif': BY_SIZE_TYPE.tiff,
  '.tiff': BY_SIZE_TYPE.tiff,
  '.avif': BY_SIZE_TYPE.avif,
};

/**
 * The image type of `bytes`, or undefined when they are not an image. The name only breaks ties that the bytes
 * cannot (an SVG without width, height or viewBox, which image-size refuses, still starts like an SVG).
 */
export function detectImageType(bytes: Uint8Array, name = ''): ImageType | undefined {
  if (bytes.length === 0) return undefined;
  try {
    const { type } = imageSize(bytes);
    const known = type ? BY_SIZE_TYPE[type] : undefined;
    if (known) return known;
    // image-size knows a type we have no table entry for: trust the extension if it names an image.
    return BY_EXTENSION[path.extname(name).toLowerCase()];
  } catch {
    return magicType(bytes);
  }
}

/** Width and height in pixels of an image, when its bytes tell them. */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { width, height } = imageSize(bytes);
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** Magic numbers for the types the brief requires, for bytes image-size cannot measure (truncated or dimensionless). */
function magicType(b: Uint8Array): ImageType | undefined {
  const starts = (...sig: number[]): boolean => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return BY_SIZE_TYPE.png;
  if (starts(0xff, 0xd8, 0xff)) return BY_SIZE_TYPE.jpg;
  if (starts(0x47, 0x49, 0x46, 0x38)) return BY_SIZE_TYPE.gif;
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return BY_SIZE_TYPE.webp;
  if (looksLikeSvg(b)) return BY_SIZE_TYPE.svg;
  return undefined;
}

function looksLikeSvg(b: Uint8Array): boolean {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 4096)).toString('utf8');
  // Optional BOM, XML declaration, comments and doctype before the root element.
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}

/** Content type of an attachment from its file name (nodemailer's table); `application/octet-stream` when unknown. */
export function attachmentContentType(file: string): string {
  return detectMimeType(path.basename(file));
}
