// The preview page's email frames (part of the page script, src/webview/preview.ts).
//
// The email is shown in a sandboxed frame (`sandbox="allow-same-origin"`, no allow-scripts, no allow-forms) whose
// document is written through `srcdoc`: it inherits this page's CSP, so none of its scripts, event handler
// attributes or remote images run or load. Being same-origin lets this script read the frame (its size) and
// catch clicks on links, which the extension opens in the browser. Two frames take turns, so a new render is laid
// out in the hidden one and swapped in when ready: no flicker, and the scroll position stays. An email wider than the
// panel makes its frame as wide as it is, and the paper scrolls sideways: it is never cropped.
import { RENDERED_EVENT, type ImageData, type InlineImageView, type RenderedDetail, type RenderMessage } from '../preview/messages';
import { t } from './strings';
import { post } from './vscodeApi';

interface Pending {
  seq: number;
  msg: RenderMessage;
  started: number;
  /** cid -> the placeholder URL shown in its place. */
  missing: Map<string, string>;
}

/** cid -> blob: URL of the inline image's bytes, as the extension sent them. */
const images = new Map<string, string>();
const paper = document.getElementById('paper') as HTMLElement;
/** Called once, when the first email is shown (the page restores its scroll position then). */
let onFirstShown: (() => void) | undefined;
const pendingOf = new WeakMap<HTMLIFrameElement, Pending | null>();
const frames = [makeFrame(), makeFrame()];
let active = -1;
let frameSeq = 0;

/** A frame for email content: same origin (so we can read it), no scripts, no forms, no popups. */
function makeFrame(): HTMLIFrameElement {
  const f = document.createElement('iframe');
  f.setAttribute('sandbox', 'allow-same-origin');
  f.setAttribute('referrerpolicy', 'no-referrer');
  f.setAttribute('title', t('Email body'));
  f.className = 'email standby';
  f.addEventListener('load', () => onFrameLoad(f));
  return f;
}

function contentHeight(doc: Document | null): number {
  if (!doc || !doc.documentElement) return 0;
  const box = doc.documentElement.getBoundingClientRect().height;
  return Math.ceil(Math.max(box, doc.body ? doc.body.scrollHeight : 0));
}

/** The frame takes the email's whole width (at least the paper's) and height: the paper scrolls, the frame never crops. */
function fit(f: HTMLIFrameElement): void {
  const doc = f.contentDocument;
  f.style.minWidth = '';
  const width = doc?.documentElement ? Math.max(doc.documentElement.scrollWidth, doc.body ? doc.body.scrollWidth : 0) : 0;
  if (width > f.clientWidth) f.style.minWidth = `${width}px`;
  const h = contentHeight(doc);
  if (h > 0) f.style.height = `${h}px`;
}

export function fitActiveFrame(): void {
  const f = frames[active];
  if (f) fit(f);
}

/** Called with each frame's document once it has loaded, before it is shown (the dark mode styles it). */
let prepare: ((doc: Document) => void) | undefined;
export function onFrameLoaded(run: (doc: Document) => void): void {
  prepare = run;
}

/** `run` on the document of each frame (shown or standing by). */
export function eachFrameDocument(run: (doc: Document) => void): void {
  for (const f of frames) if (f.contentDocument) run(f.contentDocument);
}

/** True when `source` is the window of an email frame (whose messages are never ours). */
export function isEmailFrame(source: MessageEventSource | null): boolean {
  return !!source && frames.some((f) => source === f.contentWindow);
}

export function hasImage(cid: string): boolean {
  return images.has(cid);
}

/** `run` once, when the first email is shown. */
export function whenFirstShown(run: () => void): void {
  onFirstShown = run;
}

/** No email: the paper says `text` instead (another document's email is never left on it). */
export function clearBody(text: string): void {
  frameSeq++; // a frame still loading is not swapped in
  shown = null;
  active = -1;
  paper.textContent = '';
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  paper.appendChild(p);
  for (const f of frames) {
    f.classList.add('standby');
    f.style.minWidth = '';
  }
}

/**
 * An empty box of the image's size (when known), shown while its bytes are on their way. The cid is in the SVG so
 * that each image's placeholder is its own URL, found again when the bytes arrive (`fillImages`).
 */
function placeholder(img: InlineImageView): string {
  const w = img.width || 1;
  const h = img.height || 1;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" data-cid="${img.cid.replace(/[^\w.@-]/g, '')}">` +
    '<rect width="100%" height="100%" fill="#8882"/></svg>';
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The HTML with each `cid:` swapped for the image's blob: URL, or a placeholder; and the cids of the placeholders. */
function withImages(html: string, list: InlineImageView[]): { html: string; missing: Map<string, string> } {
  let out = html;
  const missing = new Map<string, string>();
  for (const img of list) {
    let url = images.get(img.cid);
    if (!url) {
      url = placeholder(img);
      missing.set(img.cid, url);
    }
    out = out.split(`cid:${img.cid}`).join(url);
  }
  return { html: out, missing };
}

/** The frame shown now and the render it shows (with the placeholders it still has). */
let shown: { f: HTMLIFrameElement; pending: Pending } | null = null;

export function showBody(msg: RenderMessage, started: number): void {
  if (paper.querySelector('.placeholder')) paper.textContent = '';
  for (const f of frames) if (!f.isConnected) paper.appendChild(f);
  const next = frames[active === 0 ? 1 : 0]!;
  const { html, missing } = withImages(msg.html, msg.images);
  pendingOf.set(next, { seq: ++frameSeq, msg, started, missing });
  next.srcdoc = html;
}

function interceptLinks(doc: Document): void {
  const onClick = (event: MouseEvent): void => {
    const target = event.target as Element | null;
    const a = target && typeof target.closest === 'function' ? target.closest<HTMLAnchorElement>('a[href], area[href]') : null;
    if (!a) return;
    event.preventDefault();
    const raw = a.getAttribute('href') ?? '';
    if (raw.startsWith('#')) {
      const el = doc.getElementById(decodeURIComponent(raw.slice(1))) ?? doc.getElementsByName(raw.slice(1))[0];
      if (el) window.scrollTo({ top: el.getBoundingClientRect().top + paper.getBoundingClientRect().top + window.scrollY });
      return;
    }
    if (/^(https?|mailto):/i.test(a.href)) post({ type: 'openLink', href: a.href });
  };
  doc.addEventListener('click', onClick, true);
  doc.addEventListener('auxclick', onClick, true);
}

function onFrameLoad(f: HTMLIFrameElement): void {
  const pending = pendingOf.get(f);
  if (!pending || pending.seq !== frameSeq) return; // a newer render replaced this one
  pendingOf.set(f, null);
  const doc = f.contentDocument;
  if (doc) {
    interceptLinks(doc);
    prepare?.(doc);
  }
  fit(f);
  // Swap: the new frame takes the old one's place; the page keeps its scroll position.
  const old = frames[active];
  f.classList.remove('standby');
  if (old && old !== f) {
    old.classList.add('standby');
    old.style.minWidth = '';
  }
  active = frames.indexOf(f);
  onFirstShown?.();
  onFirstShown = undefined;
  shown = { f, pending };
  // Messages a script may have posted are delivered as tasks: observers look once they had their turn.
  setTimeout(() => {
    announce(f, pending);
    if (pending.missing.size > 0) fillImages();
  }, 0);
}

/**
 * Puts the bytes that have arrived in place of their placeholders in the frame shown now (no new page, no
 * reflow when the sizes were known); once the images have decoded, announces the render again with what is left.
 */
export function fillImages(): void {
  if (!shown || shown.pending.seq !== frameSeq || shown.pending.missing.size === 0) return;
  const { f, pending } = shown;
  const doc = f.contentDocument;
  if (!doc) return;
  const started = performance.now();
  const ready: [string, string][] = [];
  for (const [cid, url] of pending.missing) {
    const blob = images.get(cid);
    if (!blob) continue;
    ready.push([url, blob]);
    pending.missing.delete(cid);
  }
  if (ready.length === 0) return;
  const swap = (value: string): string => {
    let out = value;
    for (const [url, blob] of ready) if (out.includes(url)) out = out.split(url).join(blob);
    return out;
  };
  const decoding: Promise<unknown>[] = [];
  for (const node of Array.from(doc.querySelectorAll('[src], [srcset], [style], [background]'))) {
    for (const attr of ['src', 'srcset', 'style', 'background']) {
      const value = node.getAttribute(attr);
      if (!value || !value.includes('data:image/svg+xml,')) continue;
      const next = swap(value);
      if (next === value) continue;
      node.setAttribute(attr, next);
      if (node.tagName === 'IMG') decoding.push((node as HTMLImageElement).decode().catch(() => undefined));
    }
  }
  for (const style of Array.from(doc.querySelectorAll('style'))) {
    const next = swap(style.textContent ?? '');
    if (next !== style.textContent) style.textContent = next;
  }
  const left = pending.missing.size;
  void Promise.all(decoding).then(() => {
    if (shown === null || shown.pending !== pending || pending.seq !== frameSeq) return; // replaced meanwhile
    fitActiveFrame();
    announce(f, pending, started, left);
  });
}

/** Tells observers of the page that a render is shown: `started` and `imagesPending` default to its first showing. */
function announce(f: HTMLIFrameElement, pending: Pending, started = pending.started, imagesPending = pending.missing.size): void {
  const detail: RenderedDetail = {
    renderId: pending.msg.renderId,
    documentVersion: pending.msg.documentVersion,
    imagesPending,
    renderMs: Math.round((performance.now() - started) * 10) / 10,
  };
  f.dispatchEvent(new CustomEvent(RENDERED_EVENT, { detail, bubbles: true }));
}


export function keepImages(list: ImageData[]): void {
  for (const img of list) {
    const old = images.get(img.cid);
    if (old) URL.revokeObjectURL(old);
    images.set(img.cid, URL.createObjectURL(new Blob([img.bytes as Uint8Array<ArrayBuffer>], { type: img.contentType })));
  }
}

