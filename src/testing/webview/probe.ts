// Test mode only: the preview page's probe, bundled with the page script into out/testing/preview-probe.js (never
// into media/). Imported before the page script so that its listeners run first. It answers the test API
// (src/testing/preview.ts): fills the form and clicks controls through the same DOM events a user's input fires,
// reads the controls' state, reports each render as the frame shows it, and checks whether a script ran.
import { FIELD_NAMES, RENDERED_EVENT, type FieldName, type RenderedDetail, type RenderMessage } from '../../preview/messages';
import { vscodeApi } from '../../webview/vscodeApi';
import { type FromProbe, type RenderReport, type ToProbe, type UiState } from '../messages';
import { clientsState, darkState } from './viewProbe';

const api = vscodeApi();
const reply = (m: FromProbe): void => api.postMessage(m);
const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

/** Render messages by id, for the report (title, fields). */
const renders = new Map<number, RenderMessage>();
/** Email frames from whose window a message came: a script in the email ran. */
const signaled = new WeakSet<Window>();
let probe: { frame: HTMLIFrameElement; signal: boolean } | null = null;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const source = event.source as Window | null;
  if (source && probe && source === probe.frame.contentWindow) {
    probe.signal = true;
    return;
  }
  if (source && Array.from(document.querySelectorAll('iframe.email')).some((f) => (f as HTMLIFrameElement).contentWindow === source)) {
    signaled.add(source);
    return;
  }
  const msg = event.data as (ToProbe | { type: string; renderId?: number }) | undefined;
  if (!msg || typeof msg.type !== 'string') return;
  if (msg.type === 'render') {
    const r = msg as RenderMessage;
    renders.set(r.renderId, r);
    renders.delete(r.renderId - 50);
  } else if (msg.type.startsWith('probe:')) {
    event.stopImmediatePropagation();
    onProbe(msg as ToProbe);
  }
});

function titleOf(html: string): string {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  return m ? new DOMParser().parseFromString(`<title>${m[1]}</title>`, 'text/html').title : '';
}

/** Did a script of the email run in `frame`? Its title changed, it posted a message, or it set its marker. */
function scriptsRan(frame: HTMLIFrameElement, expectedTitle: string, signal: boolean): boolean {
  if (signal) return true;
  const doc = frame.contentDocument;
  if (!doc || !doc.documentElement) return false;
  if (doc.title !== expectedTitle) return true;
  return doc.documentElement.hasAttribute('data-script-ran') || (!!doc.body && doc.body.hasAttribute('data-script-ran'));
}

/** Splits an address list at commas outside quotes and angle brackets. */
function splitAddresses(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (ch === ',' && !quoted && angle === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const input = (name: FieldName): HTMLInputElement => byId<HTMLInputElement>(name);
function readFields(): Record<FieldName, string> {
  const out = {} as Record<FieldName, string>;
  for (const name of FIELD_NAMES) out[name] = input(name).value;
  return out;
}

window.addEventListener(RENDERED_EVENT, (event) => {
  const f = event.target as HTMLIFrameElement;
  const detail = (event as CustomEvent<RenderedDetail>).detail;
  const msg = renders.get(detail.renderId);
  if (!msg) return;
  const doc = f.contentDocument;
  const imgs = doc ? Array.from(doc.images) : [];
  const fields = readFields();
  const report: RenderReport = {
    renderId: detail.renderId,
    documentVersion: detail.documentVersion,
    documentKey: msg.documentKey,
    from: msg.from,
    subject: fields.subject,
    to: splitAddresses(fields.to),
    cc: splitAddresses(fields.cc),
    bcc: splitAddresses(fields.bcc),
    renderedFields: msg.fields,
    imageCount: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
    imgElements: imgs.length,
    imageSizes: imgs.filter((i) => i.naturalWidth > 0).map((i): [number, number] => [i.naturalWidth, i.naturalHeight]),
    remoteBlocked: doc ? doc.querySelectorAll('[data-sae-remote-src], [data-sae-remote-srcset], [data-sae-remote-background]').length : 0,
    scriptRan: scriptsRan(f, titleOf(msg.html), !!f.contentWindow && signaled.has(f.contentWindow)),
    imagesPending: detail.imagesPending,
    renderMs: detail.renderMs,
    scrollY: Math.round(window.scrollY),
    ...(msg.merge ? { merge: msg.merge } : {}),
  };
  reply({ type: 'probe:rendered', report });
});

function activeFrame(): HTMLIFrameElement | null {
  return document.querySelector<HTMLIFrameElement>('iframe.email:not(.standby)');
}

function uiState(): UiState {
  const errors: UiState['fieldErrors'] = {};
  for (const name of FIELD_NAMES) {
    const t = byId(`${name}-error`).textContent;
    if (t) errors[name] = t;
  }
  const status = byId('status');
  const disabled = (id: string): boolean => !!document.getElementById(id) && byId<HTMLButtonElement>(id).disabled;
  const setUp = document.getElementById('setUp');
  const selected = document.querySelector<HTMLElement>('.tabs [aria-selected="true"]')?.dataset.tab;
  const f = activeFrame();
  const paper = byId('paper');
  const doc = f?.contentDocument;
  const paperStyle = getComputedStyle(paper);
  return {
    from: byId('from').textContent ?? '',
    fields: readFields(),
    fieldErrors: errors,
    sendDisabled: disabled('send'),
    sendTestDisabled: disabled('sendTest'),
    saveDisabled: disabled('saveEml'),
    sendReason: document.getElementById('send-reason')?.textContent ?? '',
    setUpShown: !!setUp && !setUp.hidden && setUp.offsetParent !== null,
    sending: !status.hidden && status.classList.contains('busy'),
    status: status.hidden ? '' : status.innerText,
    bodyShown: !!f && f.isConnected && !paper.querySelector('.placeholder'),
    email: {
      contentWidth: doc?.documentElement ? Math.max(doc.documentElement.scrollWidth, doc.body?.scrollWidth ?? 0) : 0,
      frameWidth: f ? f.clientWidth : 0,
      paperWidth: paper.clientWidth,
      paperScrolls: ['auto', 'scroll'].includes(paperStyle.overflowX) && paper.scrollWidth >= (f?.getBoundingClientRect().width ?? 0) - 1,
    },
    warnings: Array.from(document.querySelectorAll('#warning-list li')).map((li) => li.textContent ?? ''),
    width: (['w600', 'narrow', 'w320'] as const).find((w) => paper.classList.contains(w)) ?? 'wide',
    frameWidth: f ? Math.round(f.getBoundingClientRect().width) : 0,
    tab: selected === 'text' || selected === 'parts' || selected === 'clients' ? selected : 'html',
    dark: darkState(f),
    clients: clientsState(),
    text: byId('view-text').textContent ?? '',
    parts: Array.from(document.querySelectorAll('#view-parts tr.part')).map((tr) => tr.textContent ?? ''),
    totalSize: byId('size').textContent ?? '',
    scrollY: Math.round(window.scrollY),
    account: (() => {
      const select = byId<HTMLSelectElement>('account');
      return { shown: !select.hidden, selected: select.value, options: Array.from(select.options).map((o) => o.text) };
    })(),
    sendLabel: byId('send').textContent ?? '',
    merge: mergeState(),
  };
}

function mergeState(): UiState['merge'] {
  if (byId('merge').hidden) return undefined;
  return {
    row: byId('merge-row').textContent ?? '',
    recipient: byId('merge-recipient').textContent ?? '',
    errors: Array.from(document.querySelectorAll('#merge-errors li')).map((li) => li.textContent ?? ''),
    prevDisabled: byId<HTMLButtonElement>('merge-prev').disabled,
    nextDisabled: byId<HTMLButtonElement>('merge-next').disabled,
  };
}

/** Any HTML in a frame built like the email frames, or, as a control, in one where scripts may run (our nonce). */
function probeScripts(token: number, html: string, allowScripts: boolean): void {
  let source = html;
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-same-origin');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  if (allowScripts) {
    const parsed = new DOMParser().parseFromString(html, 'text/html');
    for (const s of Array.from(parsed.querySelectorAll('script'))) s.setAttribute('nonce', nonce);
    source = `<!DOCTYPE html>${parsed.documentElement.outerHTML}`;
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
  }
  frame.className = 'probe';
  const mine = { frame, signal: false };
  probe = mine;
  frame.addEventListener('load', () => {
    setTimeout(() => {
      const ran = scriptsRan(frame, titleOf(html), mine.signal);
      frame.remove();
      if (probe === mine) probe = null;
      reply({ type: 'probe:answer', token, value: ran });
    }, 50);
  });
  frame.srcdoc = source;
  document.body.appendChild(frame);
}

function onProbe(msg: ToProbe): void {
  switch (msg.type) {
    case 'probe:fill': {
      let last: HTMLInputElement | undefined;
      for (const [name, value] of Object.entries(msg.fields)) {
        if (!(FIELD_NAMES as readonly string[]).includes(name) || typeof value !== 'string') continue;
        last = input(name as FieldName);
        last.value = value;
        last.dispatchEvent(new Event('input', { bubbles: true }));
      }
      // Enter sends what was typed at once, as a user pressing it would.
      last?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      reply({ type: 'probe:answer', token: msg.token, value: true });
      return;
    }
    case 'probe:click': {
      // `frame:<selector>` clicks inside the email shown now (a link, say), as a user would.
      const inFrame = msg.selector.startsWith('frame:');
      const root = inFrame ? activeFrame()?.contentDocument : document;
      const target = root ? root.querySelector<HTMLElement>(inFrame ? msg.selector.slice(6) : msg.selector) : null;
      const ok = !!target && !(target as HTMLButtonElement).disabled;
      if (ok) target.click();
      reply({ type: 'probe:answer', token: msg.token, value: ok });
      return;
    }
    case 'probe:select': {
      // Chooses an option as a user would: the value changes, then the change event.
      const select = document.querySelector<HTMLSelectElement>(msg.selector);
      const ok = !!select && !select.hidden && Array.from(select.options).some((o) => o.value === msg.value);
      if (ok) {
        select.value = msg.value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
      reply({ type: 'probe:answer', token: msg.token, value: ok });
      return;
    }
    case 'probe:post':
      api.postMessage(msg.message);
      reply({ type: 'probe:answer', token: msg.token, value: true });
      return;
    case 'probe:scroll':
      window.scrollTo(0, msg.y);
      requestAnimationFrame(() => reply({ type: 'probe:answer', token: msg.token, value: Math.round(window.scrollY) }));
      return;
    case 'probe:queryUi':
      reply({ type: 'probe:answer', token: msg.token, value: uiState() });
      return;
    case 'probe:scripts':
      probeScripts(msg.token, msg.html, !!msg.allowScripts);
      return;
  }
}
