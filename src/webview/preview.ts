// The preview webview's page script, bundled for the browser into media/preview.js (esbuild.js). Messages:
// src/preview/messages.ts, compiled on both sides.
//
// The email is shown in a sandboxed frame (`sandbox="allow-same-origin"`, no allow-scripts, no allow-forms) whose
// document is written through `srcdoc`: it inherits this page's CSP, so none of its scripts, event handler
// attributes or remote images run or load. Being same-origin lets this script read the frame (its height) and
// catch clicks on links, which the extension opens in the browser. Two frames take turns, so a new render is laid
// out in the hidden one and swapped in when ready: no flicker, and the scroll position stays.
import {
  FIELD_NAMES,
  RENDERED_EVENT,
  type Action,
  type ActionResultView,
  type FieldName,
  type HeaderFields,
  type ImageData,
  type InlineImageView,
  type RenderedDetail,
  type RenderMessage,
  type ToWebview,
  type WarningView,
} from '../preview/messages';
import { formatBytes as formatSize } from '../core/format';
import { t } from './strings';
import { post, vscodeApi } from './vscodeApi';

type Tab = 'html' | 'text' | 'parts';
type Width = 'wide' | 'narrow';

interface Pending {
  seq: number;
  msg: RenderMessage;
  started: number;
  /** cid -> the placeholder URL shown in its place. */
  missing: Map<string, string>;
}

const vscode = vscodeApi();
const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const FIELD_DEBOUNCE_MS = 250;

const saved = (vscode.getState() ?? {}) as { width?: unknown; tab?: unknown; scrollY?: unknown };
const ui: { width: Width; tab: Tab; scrollY: number } = {
  width: saved.width === 'narrow' ? 'narrow' : 'wide',
  tab: saved.tab === 'text' || saved.tab === 'parts' ? saved.tab : 'html',
  scrollY: typeof saved.scrollY === 'number' ? saved.scrollY : 0,
};
const saveState = (): void => vscode.setState({ width: ui.width, tab: ui.tab, scrollY: ui.scrollY });

/** cid -> blob: URL of the inline image's bytes, as the extension sent them. */
const images = new Map<string, string>();
/** The last render message shown (or being shown). */
let current: RenderMessage | null = null;
let documentKey: string | null = null;
/** Field -> text the user typed (sent to the extension as overrides). */
let edited: Partial<HeaderFields> = {};
let fieldTimer: ReturnType<typeof setTimeout> | undefined;
let busy: Action | null = null;
let restoredScroll = false;

// ---- the two email frames

const paper = byId('paper');
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

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.source && frames.some((f) => event.source === f.contentWindow)) return; // never from the email
  const msg = event.data as ToWebview | undefined;
  if (msg && typeof msg.type === 'string') onMessage(msg);
});

function contentHeight(doc: Document | null): number {
  if (!doc || !doc.documentElement) return 0;
  const box = doc.documentElement.getBoundingClientRect().height;
  return Math.ceil(Math.max(box, doc.body ? doc.body.scrollHeight : 0));
}

function fitActiveFrame(): void {
  const f = frames[active];
  if (!f) return;
  const h = contentHeight(f.contentDocument);
  if (h > 0) f.style.height = `${h}px`;
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

function showBody(msg: RenderMessage, started: number): void {
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
  if (doc) interceptLinks(doc);
  f.style.height = `${contentHeight(doc)}px`;
  // Swap: the new frame takes the old one's place; the page keeps its scroll position.
  const old = frames[active];
  f.classList.remove('standby');
  if (old && old !== f) old.classList.add('standby');
  active = frames.indexOf(f);
  if (!restoredScroll) {
    restoredScroll = true;
    if (ui.scrollY > 0) window.scrollTo(0, ui.scrollY);
  }
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
function fillImages(): void {
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

// ---- header form

const inputs = {} as Record<FieldName, HTMLInputElement>;
for (const name of FIELD_NAMES) {
  const input = byId<HTMLInputElement>(name);
  inputs[name] = input;
  input.addEventListener('input', () => {
    edited[name] = input.value;
    clearTimeout(fieldTimer);
    fieldTimer = setTimeout(postHeaders, FIELD_DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      postHeaders();
    }
  });
}
byId('headers').addEventListener('submit', (e) => e.preventDefault());

function postHeaders(): void {
  clearTimeout(fieldTimer);
  fieldTimer = undefined;
  post({ type: 'headers', fields: { ...edited } });
}

function showFields(msg: RenderMessage): void {
  if (msg.documentKey !== documentKey) {
    // Another document: what was typed, sent or saved for the previous one no longer applies.
    documentKey = msg.documentKey;
    edited = {};
    if (!busy) hideStatus();
  }
  byId('from').textContent = msg.from;
  for (const name of FIELD_NAMES) {
    const input = inputs[name];
    if (msg.overridden.includes(name) && edited[name] === undefined) edited[name] = msg.fields[name];
    const typed = edited[name];
    if (typed === undefined) input.value = msg.fields[name];
    else if (document.activeElement !== input && input.value !== typed) input.value = typed;
    const error = msg.fieldErrors[name] ?? '';
    byId(`${name}-error`).textContent = error;
    input.classList.toggle('invalid', !!error);
    input.setAttribute('aria-invalid', error ? 'true' : 'false');
  }
}

// ---- the rest of the panel

function el(tag: string, props?: Record<string, string> | null, children?: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else e.setAttribute(k, v);
    }
  }
  for (const c of children ?? []) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function lineButton(message: string, line: number | undefined, severity: WarningView['severity']): HTMLElement {
  const text = line && !/\bline \d+/i.test(message) ? t('Line {0}: {1}', line, message) : message;
  if (!line) return el('span', { className: `item ${severity}`, text });
  const b = el('button', { type: 'button', className: `item link ${severity}`, title: t('Reveal line {0} in the editor', line), text });
  b.addEventListener('click', () => post({ type: 'revealLine', line }));
  return b;
}

function showWarnings(list: WarningView[]): void {
  const ul = byId('warning-list');
  ul.textContent = '';
  for (const w of list) ul.appendChild(el('li', { className: w.severity }, [lineButton(w.message, w.line, w.severity)]));
  byId('warnings').hidden = list.length === 0;
}

function showSize(msg: RenderMessage): void {
  const s = byId('size');
  s.textContent = msg.sizeLimit
    ? t('Message {0} of {1} allowed', formatSize(msg.totalSize), formatSize(msg.sizeLimit))
    : t('Message {0}', formatSize(msg.totalSize));
  s.classList.toggle('over', !!msg.sizeLimit && msg.totalSize > msg.sizeLimit);
}

function showRemote(msg: RenderMessage): void {
  const n = msg.remoteImages;
  byId('remote').hidden = !(n > 0 && !msg.remoteAllowed);
  byId('remote-text').textContent =
    n === 1
      ? t('1 remote image is not loaded: loading it tells its server that the message was opened.')
      : t('{0} remote images are not loaded: loading them tells their servers that the message was opened.', n);
}

function showParts(msg: RenderMessage): void {
  const view = byId('view-parts');
  view.textContent = '';
  const table = (caption: string, rows: string[][], head: string[]): HTMLElement => {
    const t = el('table', null, [el('caption', { text: caption }), el('tr', null, head.map((h) => el('th', { text: h })))]);
    for (const r of rows) t.appendChild(el('tr', { className: 'part' }, r.map((c) => el('td', null, [c]))));
    return t;
  };
  const inline = msg.images.map((i) => [i.filename, i.contentType, formatSize(i.size), i.lines.length ? i.lines.join(', ') : '']);
  const head = [t('File'), t('Type'), t('Size')];
  view.appendChild(msg.images.length ? table(t('Inline images ({0})', msg.images.length), inline, [...head, t('Lines')]) : el('p', { text: t('No inline images.') }));
  const att = msg.attachments.map((a) => [a.filename, a.contentType, formatSize(a.size)]);
  view.appendChild(msg.attachments.length ? table(t('Attachments ({0})', msg.attachments.length), att, head) : el('p', { text: t('No attachments.') }));
  view.appendChild(el('p', { className: 'total', text: t('HTML part {0}; whole message {1}.', formatSize(msg.htmlSize), formatSize(msg.totalSize)) }));
  const n = msg.attachments.length;
  byId('tab-parts').textContent = n ? t('Attachments ({0})', n) : t('Attachments');
}

function updateButtons(): void {
  const subjectError = !!current && !!current.fieldErrors.subject;
  const send = byId<HTMLButtonElement>('send');
  send.disabled = !!busy || !current || !current.canSend;
  send.title = !current || current.canSend ? t('Send to every recipient') : t('Fix the fields marked in red and add a recipient first');
  byId<HTMLButtonElement>('sendTest').disabled = !!busy || !current || subjectError;
  byId<HTMLButtonElement>('saveEml').disabled = !!busy || !current;
}

function showStatus(kind: string, text: string, extra?: HTMLElement | null): void {
  const s = byId('status');
  s.textContent = '';
  s.className = `status ${kind}`;
  s.appendChild(el('div', { className: 'message', text }));
  if (extra) s.appendChild(extra);
  s.hidden = false;
}

function hideStatus(kind?: string): void {
  const s = byId('status');
  if (!kind || s.classList.contains(kind)) s.hidden = true;
}

function keepImages(list: ImageData[]): void {
  for (const img of list) {
    const old = images.get(img.cid);
    if (old) URL.revokeObjectURL(old);
    images.set(img.cid, URL.createObjectURL(new Blob([img.bytes as Uint8Array<ArrayBuffer>], { type: img.contentType })));
  }
}

function onRender(msg: RenderMessage): void {
  const started = performance.now();
  keepImages(msg.imageData);
  const lacking = msg.images.filter((img) => !images.has(img.cid) && !msg.expectImages.includes(img.cid)).map((img) => img.cid);
  if (lacking.length > 0) post({ type: 'needImages', cids: lacking });
  current = msg;
  showFields(msg);
  showWarnings(msg.warnings);
  showSize(msg);
  showRemote(msg);
  showParts(msg);
  byId('view-text').textContent = msg.text;
  hideStatus('compose-error');
  updateButtons();
  showBody(msg, started);
}

function onComposeError(message: string, problems: { message: string; line?: number }[]): void {
  const list = el('ul', null, problems.map((p) => el('li', null, [lineButton(p.message, p.line, 'error')])));
  showStatus('error compose-error', t('The message cannot be composed: {0}', message), problems.length ? list : null);
  if (!current) {
    paper.textContent = '';
    paper.appendChild(el('p', { className: 'placeholder', text: t('Nothing to show until the error above is fixed.') }));
  }
}

function onBusy(action: Action): void {
  busy = action;
  updateButtons();
  showStatus('busy', action === 'send' ? t('Sending…') : action === 'sendTest' ? t('Sending a test to you…') : t('Saving…'));
}

function onResult(action: Action, result: ActionResultView): void {
  busy = null;
  updateButtons();
  const kind =
    result.status === 'sent' || result.status === 'saved' ? 'ok' : result.status === 'partial' ? 'warning' : result.status === 'cancelled' ? 'info' : 'error';
  const list = result.recipients.length
    ? el(
        'ul',
        { className: 'recipients' },
        result.recipients.map((r) =>
          el('li', { className: r.accepted ? 'accepted' : r.deferred ? 'deferred' : 'rejected' }, [`${r.accepted ? '✓' : r.deferred ? '…' : '✗'} ${r.address}${r.response ? ` — ${r.response}` : ''}`]),
        ),
      )
    : null;
  showStatus(`result ${kind}`, action === 'sendTest' && result.status === 'sent' ? t('Test message: {0}', result.message) : result.message, list);
}

// ---- tabs, width, buttons

function selectTab(tab: Tab): void {
  ui.tab = tab;
  for (const b of Array.from(document.querySelectorAll<HTMLElement>('.tabs [role=tab]'))) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  byId('view-html').hidden = tab !== 'html';
  byId('view-text').hidden = tab !== 'text';
  byId('view-parts').hidden = tab !== 'parts';
  saveState();
  if (tab === 'html') requestAnimationFrame(fitActiveFrame);
}

function selectWidth(width: Width): void {
  ui.width = width;
  paper.classList.toggle('narrow', width === 'narrow');
  paper.classList.toggle('wide', width !== 'narrow');
  byId('wide').setAttribute('aria-pressed', String(width !== 'narrow'));
  byId('narrow').setAttribute('aria-pressed', String(width === 'narrow'));
  saveState();
  requestAnimationFrame(fitActiveFrame);
}

for (const b of Array.from(document.querySelectorAll<HTMLElement>('.tabs [role=tab]'))) {
  b.addEventListener('click', () => selectTab(b.dataset.tab === 'text' || b.dataset.tab === 'parts' ? b.dataset.tab : 'html'));
}
byId('wide').addEventListener('click', () => selectWidth('wide'));
byId('narrow').addEventListener('click', () => selectWidth('narrow'));
for (const action of ['send', 'sendTest', 'saveEml'] as const) {
  byId(action).addEventListener('click', () => {
    if (busy || byId<HTMLButtonElement>(action).disabled) return;
    if (fieldTimer !== undefined) postHeaders(); // what the user just typed counts
    post({ type: 'action', action });
  });
}
byId('loadRemote').addEventListener('click', () => post({ type: 'loadRemoteImages' }));

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => {
    ui.scrollY = Math.round(window.scrollY);
    saveState();
  }, 100);
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(fitActiveFrame, 100);
});

// ---- messages from the extension

function onMessage(msg: ToWebview): void {
  switch (msg.type) {
    case 'render':
      onRender(msg);
      break;
    case 'images':
      keepImages(msg.imageData);
      fillImages();
      break;
    case 'composeError':
      onComposeError(msg.message, msg.problems);
      break;
    case 'busy':
      onBusy(msg.action);
      break;
    case 'result':
      onResult(msg.action, msg.result);
      break;
  }
}

selectTab(ui.tab);
selectWidth(ui.width);
post({ type: 'ready' });
