// The preview webview's page script, bundled for the browser into media/preview.js (esbuild.js). Messages:
// src/preview/messages.ts, compiled on both sides. The email itself is shown by ./emailFrames.ts.
import {
  FIELD_NAMES,
  RENDERED_EVENT,
  type Action,
  type ActionResultView,
  type FieldName,
  type HeaderFields,
  type RenderedDetail,
  type RenderMessage,
  type ToWebview,
  type WarningView,
} from '../preview/messages';
import { formatBytes as formatSize } from '../core/format';
import { showAccount } from './accountSelect';
import { clientsSummary, forgetClients, onClients, setPhoneWidth } from './clientsTab';
import { mergeSendLabel, showMerge } from './mergeStepper';
import { clearBody, fillImages, fitActiveFrame, hasImage, isEmailFrame, keepImages, showBody, whenFirstShown } from './emailFrames';
import { t } from './strings';
import { isPhoneWidth, setupViewControls, viewStateOf } from './viewControls';
import { post, vscodeApi } from './vscodeApi';

const TABS = ['html', 'text', 'parts', 'clients'] as const;
type Tab = (typeof TABS)[number];
const tabOf = (v: unknown): Tab => ((TABS as readonly unknown[]).includes(v) ? (v as Tab) : 'html');

const vscode = vscodeApi();
const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const FIELD_DEBOUNCE_MS = 250;
/** The Send button's own words (a mail merge says how many it sends to instead). */
const sendLabel = byId('send').textContent ?? '';

const saved = (vscode.getState() ?? {}) as { width?: unknown; dark?: unknown; tab?: unknown; scrollY?: unknown };
const viewState = viewStateOf(saved);
const ui: { tab: Tab; scrollY: number } = { tab: tabOf(saved.tab), scrollY: typeof saved.scrollY === 'number' ? saved.scrollY : 0 };
const saveState = (): void => vscode.setState({ ...viewState, tab: ui.tab, scrollY: ui.scrollY });

/** The last render message shown (or being shown). */
let current: RenderMessage | null = null;
let documentKey: string | null = null;
/** Field -> text the user typed (sent to the extension as overrides). */
let edited: Partial<HeaderFields> = {};
let fieldTimer: ReturnType<typeof setTimeout> | undefined;
let busy: Action | null = null;
/** The document shown cannot be composed now: nothing acts on the message until it can. */
let composeBroken = false;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isEmailFrame(event.source)) return; // never from the email
  const msg = event.data as ToWebview | undefined;
  if (msg && typeof msg.type === 'string') onMessage(msg);
});

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
    } else if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
      // Select All in a field is the field's own, at once. Reaching the webview host, the key would make VS Code run
      // its Select All command, which comes back a moment later and selects what was typed since: "Newsletter"
      // typed right after Ctrl+A became "letter".
      e.stopPropagation();
    }
  });
}
byId('headers').addEventListener('submit', (e) => e.preventDefault());

function postHeaders(): void {
  clearTimeout(fieldTimer);
  fieldTimer = undefined;
  post({ type: 'headers', fields: { ...edited } });
}

/** Another document: what was shown, typed, sent or saved for the previous one no longer applies. */
function forgetDocument(key: string): void {
  documentKey = key;
  edited = {};
  current = null;
  if (!busy) hideStatus();
  byId('from').textContent = '';
  for (const name of FIELD_NAMES) {
    inputs[name].value = '';
    inputs[name].classList.remove('invalid');
    byId(`${name}-error`).textContent = '';
  }
  forgetClients();
  showWarnings([]);
  showMerge(undefined);
  byId('size').textContent = '';
  byId('remote').hidden = true;
  byId('view-text').textContent = '';
  byId('view-parts').textContent = '';
}

function showFields(msg: RenderMessage): void {
  if (msg.documentKey !== documentKey) forgetDocument(msg.documentKey);
  byId('from').textContent = msg.setup?.missing.includes('from') ? t('Not set up yet') : msg.from;
  showAccount(msg.account);
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
  const text = line && !/\bline \d+|第 ?\d+ ?行/i.test(message) ? t('Line {0}: {1}', line, message) : message;
  if (!line) return el('span', { className: `item ${severity}`, text });
  const b = el('button', { type: 'button', className: `item link ${severity}`, title: t('Reveal line {0} in the editor', line), text });
  b.addEventListener('click', () => post({ type: 'revealLine', line }));
  return b;
}

function showWarnings(list: WarningView[]): void {
  const ul = byId('warning-list');
  ul.textContent = '';
  for (const w of list) ul.appendChild(el('li', { className: w.severity }, [lineButton(w.message, w.line, w.severity)]));
  const clients = clientsSummary();
  if (clients) ul.appendChild(clients);
  byId('warnings').hidden = ul.childElementCount === 0;
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
  const msg = composeBroken ? null : current;
  const off = !!busy || !msg;
  const send = byId<HTMLButtonElement>('send');
  send.disabled = off || !msg.canSend;
  send.textContent = mergeSendLabel() ?? sendLabel;
  byId<HTMLButtonElement>('sendTest').disabled = off || !!msg.fieldErrors.subject || msg.blocked;
  byId<HTMLButtonElement>('saveEml').disabled = off || !!msg.setup?.missing.includes('from');
  // Why Send is off, beside it: a problem to fix, a field, no recipient, no account.
  const reason = !busy && msg && !msg.canSend ? (msg.sendOff ?? '') : '';
  byId('send-reason').textContent = reason;
  send.title = reason || t('Send to every recipient');
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

function onRender(msg: RenderMessage): void {
  const started = performance.now();
  keepImages(msg.imageData);
  const lacking = msg.images.filter((img) => !hasImage(img.cid) && !msg.expectImages.includes(img.cid)).map((img) => img.cid);
  if (lacking.length > 0) post({ type: 'needImages', cids: lacking });
  showFields(msg);
  current = msg;
  composeBroken = false;
  showWarnings(msg.warnings);
  showMerge(msg.merge);
  showSize(msg);
  showRemote(msg);
  showParts(msg);
  byId('view-text').textContent = msg.text;
  hideStatus('compose-error');
  showSetup(msg);
  updateButtons();
  showBody(msg, started);
}

/** No account yet: the message is shown, and in place of an error, the button that sets sending up. */
function showSetup(msg: RenderMessage): void {
  if (!msg.setup) {
    hideStatus('setup');
    return;
  }
  if (busy || isResultShown()) return;
  const button = el('button', { id: 'setUp', type: 'button', className: 'primary', text: t('Set Up Sending') });
  button.addEventListener('click', () => post({ type: 'setUp' }));
  showStatus('setup', t('Sending is not set up yet: add your SMTP server and sender address, and this message can go out.'), button);
}

function isResultShown(): boolean {
  const s = byId('status');
  return !s.hidden && s.classList.contains('result');
}

function onComposeError(msg: Extract<ToWebview, { type: 'composeError' }>): void {
  // Another document that cannot be composed: nothing of the previous one stays on screen.
  if (msg.documentKey !== documentKey) forgetDocument(msg.documentKey);
  composeBroken = true;
  updateButtons();
  const list = el('ul', null, msg.problems.map((p) => el('li', null, [lineButton(p.message, p.line, 'error')])));
  showStatus('error compose-error', t('{0} cannot be composed: {1}', msg.source, msg.message), msg.problems.length ? list : null);
  if (!current) clearBody(t('Nothing to show until the error above is fixed.'));
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
  const problems = result.problems?.length
    ? el('ul', null, result.problems.map((p) => el('li', null, [lineButton(p.message, p.line, 'error')])))
    : null;
  const list = result.recipients.length
    ? el(
        'ul',
        { className: 'recipients' },
        result.recipients.map((r) =>
          el('li', { className: r.accepted ? 'accepted' : r.deferred ? 'deferred' : 'rejected' }, [`${r.accepted ? '✓' : r.deferred ? '…' : '✗'} ${r.address}${r.response ? ` — ${r.response}` : ''}`]),
        ),
      )
    : problems;
  showStatus(`result ${kind}`, action === 'sendTest' && result.status === 'sent' ? t('Test message: {0}', result.message) : result.message, list);
}

// ---- tabs, width, buttons

function selectTab(tab: Tab): void {
  ui.tab = tab;
  for (const b of Array.from(document.querySelectorAll<HTMLElement>('.tabs [role=tab]'))) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  byId('view-html').hidden = tab !== 'html';
  byId('view-text').hidden = tab !== 'text';
  byId('view-parts').hidden = tab !== 'parts';
  byId('view-clients').hidden = tab !== 'clients';
  saveState();
  if (tab === 'html') requestAnimationFrame(fitActiveFrame);
}

for (const b of Array.from(document.querySelectorAll<HTMLElement>('.tabs [role=tab]'))) {
  b.addEventListener('click', () => selectTab(tabOf(b.dataset.tab)));
}
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
      onComposeError(msg);
      break;
    case 'busy':
      onBusy(msg.action);
      break;
    case 'result':
      onResult(msg.action, msg.result);
      break;
    case 'clients':
      onClients(msg, documentKey);
      break;
  }
}

// Shown with every image: the extension may start what waits for it (the recipients check).
window.addEventListener(RENDERED_EVENT, (event) => {
  const detail = (event as CustomEvent<RenderedDetail>).detail;
  if (detail.imagesPending === 0) post({ type: 'shown', renderId: detail.renderId });
});

whenFirstShown(() => {
  if (ui.scrollY > 0) window.scrollTo(0, ui.scrollY);
});
selectTab(ui.tab);
setupViewControls(viewState, () => {
  setPhoneWidth(isPhoneWidth(viewState.width));
  saveState();
});
setPhoneWidth(isPhoneWidth(viewState.width));
post({ type: 'ready' });
