/**
 * The alt text an image gets when its author gave none: its file name without the extension (`chart-2024.png` →
 * `chart-2024`), so a client that blocks images, and a screen reader, still say what is missing.
 */

/** The file name of `url` without its extension, percent-decoded; `image` for data: URIs and names with none. */
export function imageNameAlt(url: string): string {
  const trimmed = url.trim();
  if (/^data:/i.test(trimmed)) return 'image';
  const pathPart = trimmed.replace(/[?#].*$/, '').replace(/[\\/]+$/, '');
  let base = pathPart.slice(Math.max(pathPart.lastIndexOf('/'), pathPart.lastIndexOf('\\')) + 1);
  try {
    base = decodeURIComponent(base);
  } catch {
    // a stray % is left as written
  }
  const dot = base.lastIndexOf('.');
  const name = (dot > 0 ? base.slice(0, dot) : base).trim();
  return name || 'image';
}
