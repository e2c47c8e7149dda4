// The preview webview's script (plain browser JavaScript, ES2020, not bundled). Messages: src/preview/messages.ts.
//
// The email is shown in a sandboxed frame (`sandbox="allow-same-origin"`, no allow-scripts, no allow-forms) whose
// document is written through `srcdoc`: it inherits this page's CSP, so none of its scripts, event handler
// attributes or remote images run or load. Being same-origin lets this script read the frame (image count, height)
// and catch clicks on links, which the extension opens in the browser. Two frames take turns, so a new render is
// laid out in the hidden one and swapped in when ready: no flicker, and the scroll position stays.
(function () {
  'use strict';

  const vscode = acquireVsCodeApi();
  const nonce = document.currentScript ? document.currentScript.nonce : '';
  const byId = (id) => document.getElementById(id);
  const FIELDS = ['to', 'cc', 'bcc', 'subject'];
  const FIELD_DEBOUNCE_MS = 250;

  const saved = vscode.getState() || {};
  const ui = {
    width: saved.width === 'narrow' ? 'narrow' : 'wide',
    tab: ['html', 'text', 'parts'].includes(saved.tab) ? saved.tab : 'html',
    scrollY: typeof saved.scrollY === 'number' ? saved.scrollY : 0,
  };
  const saveState = () => vscode.setState({ width: ui.width, tab: ui.tab, scrollY: ui.scrollY });

  /** cid -> blob: URL of the inline image's bytes, as the extension sent them. */
  const images = new Map();
  /** The last render message shown (or being shown). */
  let current = null;
  let documentKey = null;
  /** Field -> text the user typed (sent to the extension as overrides). */
  let edited = {};
  let fieldTimer = 0;
  let busy = null;
  let restoredScroll = false;

  // ---- the two email frames

  const paper = byId('paper');
  const frames = [makeFrame(), makeFrame()];
  let active = -1;
  let frameSeq = 0;

  /** A frame for email content: same origin (so we can read it), no scripts, no forms, no popups. */
  function bareFrame() {
    const f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-same-origin');
    f.setAttribute('referrerpolicy', 'no-referrer');
    f.setAttribute('title', 'Email body');
    return f;
  }

  function makeFrame() {
    const f = bareFrame();
    f.className = 'email standby';
    f.saeSignal = false;
    f.addEventListener('load', () => onFrameLoad(f));
    return f;
  }

  // A message from one of the email frames means a script in the email ran (they never should).
  window.addEventListener('message', (event) => {
    for (const f of frames) {
      if (event.source && event.source === f.contentWindow) {
        f.saeSignal = true;
        return;
      }
    }
    if (probe && event.source && event.source === probe.frame.contentWindow) {
      probe.signal = true;
      return;
    }
    const msg = event.data;
    if (msg && typeof msg.type === 'string') onMessage(msg);
  });

  function titleOf(html) {
    const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
    return m ? new DOMParser().parseFromString(`<title>${m[1]}</title>`, 'text/html').title : '';
  }

  /** Did a script of the email run in `frame`? Its title changed, it posted a message, or it set its marker. */
  function scriptsRan(frame, expectedTitle, signaled) {
    if (signaled) return true;
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return false;
    if (doc.title !== expectedTitle) return true;
    return doc.documentElement.hasAttribute('data-script-ran') || (!!doc.body && doc.body.hasAttribute('data-script-ran'));
  }

  function contentHeight(doc) {
    if (!doc || !doc.documentElement) return 0;
    const box = doc.documentElement.getBoundingClientRect().height;
    return Math.ceil(Math.max(box, doc.body ? doc.body.scrollHeight : 0));
  }

  function fitActiveFrame() {
    const f = frames[active];
    if (!f) return;
    const h = contentHeight(f.contentDocument);
    if (h > 0) f.style.height = `${h}px`;
  }

  /**
   * An empty box of the image's size (when known), shown while its bytes are on their way. The cid is in the SVG so
   * that each image's placeholder is its own URL, found again when the bytes arrive (`fillImages`).
   */
  function placeholder(img) {
    const w = img.width || 1;
    const h = img.height || 1;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" data-cid="${img.cid.replace(/[^\w.@-]/g, '')}">` +
      '<rect width="100%" height="100%" fill="#8882"/></svg>';
    return `data:image/svg+xml,${encodeURIComponent(svg)}`;
  }

  /** The HTML with each `cid:` swapped for the image's blob: URL, or a placeholder; and the cids of the placeholders. */
  function withImages(html, list) {
    let out = html;
    const missing = new Map();
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
  let shown = null;

  function showBody(msg, started) {
    if (paper.querySelector('.placeholder')) paper.textContent = '';
    for (const f of frames) if (!f.isConnected) paper.appendChild(f);
    const next = frames[active === 0 ? 1 : 0];
    const { html, missing } = withImages(msg.html, msg.images);
    next.saePending = { seq: ++frameSeq, msg, started, title: titleOf(msg.html), missing };
    next.saeSignal = false;
    next.srcdoc = html;
  }

  function interceptLinks(doc) {
    const onClick = (event) => {
      const target = event.target;
      const a = target && typeof target.closest === 'function' ? target.closest('a[href], area[href]') : null;
      if (!a) return;
      event.preventDefault();
      const raw = a.getAttribute('href') || '';
      if (raw.startsWith('#')) {
        const el = doc.getElementById(decodeURIComponent(raw.slice(1))) || doc.getElementsByName(raw.slice(1))[0];
        if (el) window.scrollTo({ top: el.getBoundingClientRect().top + paper.getBoundingClientRect().top + window.scrollY });
        return;
      }
      if (/^(https?|mailto):/i.test(a.href)) vscode.postMessage({ type: 'openLink', href: a.href });
    };
    doc.addEventListener('click', onClick, true);
    doc.addEventListener('auxclick', onClick, true);
  }

  function onFrameLoad(f) {
    const pending = f.saePending;
    if (!pending || pending.seq !== frameSeq) return; // a newer render replaced this one
    f.saePending = null;
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
    // Messages a script may have posted are delivered as tasks: look once they had their turn.
    setTimeout(() => {
      report(f, pending);
      if (pending.missing.size > 0) fillImages();
    }, 0);
  }

  /**
   * Puts the bytes that have arrived in place of their placeholders in the frame shown now (no new page, no
   * reflow when the sizes were known); once the images have decoded, reports the render again with what is left.
   */
  function fillImages() {
    if (!shown || shown.pending.seq !== frameSeq || shown.pending.missing.size === 0) return;
    const { f, pending } = shown;
    const doc = f.contentDocument;
    if (!doc) return;
    const started = performance.now();
    const ready = [];
    for (const [cid, url] of pending.missing) {
      const blob = images.get(cid);
      if (!blob) continue;
      ready.push([url, blob]);
      pending.missing.delete(cid);
    }
    if (ready.length === 0) return;
    const swap = (value) => {
      let out = value;
      for (const [url, blob] of ready) if (out.includes(url)) out = out.split(url).join(blob);
      return out;
    };
    const decoding = [];
    for (const node of doc.querySelectorAll('[src], [srcset], [style], [background]')) {
      for (const attr of ['src', 'srcset', 'style', 'background']) {
        const value = node.getAttribute(attr);
        if (!value || !value.includes('data:image/svg+xml,')) continue;
        const next = swap(value);
        if (next === value) continue;
        node.setAttribute(attr, next);
        if (node.tagName === 'IMG') decoding.push(node.decode().catch(() => undefined));
      }
    }
    for (const style of doc.querySelectorAll('style')) {
      const next = swap(style.textContent);
      if (next !== style.textContent) style.textContent = next;
    }
    const left = pending.missing.size;
    Promise.all(decoding).then(() => {
      if (shown === null || shown.pending !== pending || pending.seq !== frameSeq) return; // replaced meanwhile
      fitActiveFrame();
      report(f, pending, started, left);
    });
  }

  /** Reports what the frame shows: `started` and `imagesPending` default to the render's own (its first showing). */
  function report(f, pending, started = pending.started, imagesPending = pending.missing.size) {
    const doc = f.contentDocument;
    const imgs = doc ? Array.from(doc.images) : [];
    const fields = readFields();
    const r = {
      renderId: pending.msg.renderId,
      documentVersion: pending.msg.documentVersion,
      from: pending.msg.from,
      subject: fields.subject,
      to: splitAddresses(fields.to),
      cc: splitAddresses(fields.cc),
      bcc: splitAddresses(fields.bcc),
      imageCount: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
      imgElements: imgs.length,
      imageSizes: imgs.filter((i) => i.naturalWidth > 0).map((i) => [i.naturalWidth, i.naturalHeight]),
      remoteBlocked: doc ? doc.querySelectorAll('[data-sae-remote-src], [data-sae-remote-srcset], [data-sae-remote-background]').length : 0,
      scriptRan: scriptsRan(f, pending.title, f.saeSignal),
      imagesPending,
      renderMs: Math.round((performance.now() - started) * 10) / 10,
      scrollY: Math.round(window.scrollY),
    };
    vscode.postMessage({ type: 'rendered', report: r });
  }

  /** Splits an address list at commas outside quotes and angle brackets. */
  function splitAddresses(value) {
    const out = [];
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

  // ---- header form

  const inputs = {};
  for (const name of FIELDS) {
    const input = byId(name);
    inputs[name] = input;
    input.addEventListener('input', () => {
      edited[name] = input.value;
      clearTimeout(fieldTimer);
      fieldTimer = setTimeout(postHeaders, FIELD_DEBOUNCE_MS);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(fieldTimer);
        postHeaders();
      }
    });
  }
  byId('headers').addEventListener('submit', (e) => e.preventDefault());

  function postHeaders(token) {
    clearTimeout(fieldTimer);
    fieldTimer = 0;
    const msg = { type: 'headers', fields: Object.assign({}, edited) };
    if (token !== undefined) msg.token = token;
    vscode.postMessage(msg);
  }

  function readFields() {
    const out = {};
    for (const name of FIELDS) out[name] = inputs[name].value;
    return out;
  }

  function showFields(msg) {
    if (msg.documentKey !== documentKey) {
      // Another document: what was typed, sent or saved for the previous one no longer applies.
      documentKey = msg.documentKey;
      edited = {};
      if (!busy) hideStatus();
    }
    byId('from').textContent = msg.from;
    for (const name of FIELDS) {
      const input = inputs[name];
      if (msg.overridden.includes(name) && edited[name] === undefined) edited[name] = msg.fields[name];
      if (edited[name] === undefined) input.value = msg.fields[name];
      else if (document.activeElement !== input && input.value !== edited[name]) input.value = edited[name];
      const error = msg.fieldErrors[name] || '';
      byId(`${name}-error`).textContent = error;
      input.classList.toggle('invalid', !!error);
      input.setAttribute('aria-invalid', error ? 'true' : 'false');
    }
  }

  // ---- the rest of the panel

  function formatSize(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function el(tag, props, children) {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  }

  function lineButton(message, line, severity) {
    const text = line && !/\bline \d+/i.test(message) ? `Line ${line}: ${message}` : message;
    if (!line) return el('span', { className: `item ${severity}`, text });
    const b = el('button', { type: 'button', className: `item link ${severity}`, title: `Reveal line ${line} in the editor`, text });
    b.addEventListener('click', () => vscode.postMessage({ type: 'revealLine', line }));
    return b;
  }

  function showWarnings(list) {
    const ul = byId('warning-list');
    ul.textContent = '';
    for (const w of list) ul.appendChild(el('li', { className: w.severity }, [lineButton(w.message, w.line, w.severity)]));
    byId('warnings').hidden = list.length === 0;
  }

  function showSize(msg) {
    const limit = msg.sizeLimit ? ` of ${formatSize(msg.sizeLimit)} allowed` : '';
    const s = byId('size');
    s.textContent = `Message ${formatSize(msg.totalSize)}${limit}`;
    s.classList.toggle('over', !!msg.sizeLimit && msg.totalSize > msg.sizeLimit);
  }

  function showRemote(msg) {
    const n = msg.remoteImages;
    byId('remote').hidden = !(n > 0 && !msg.remoteAllowed);
    byId('remote-text').textContent =
      `${n} remote image${n === 1 ? ' is' : 's are'} not loaded: loading ${n === 1 ? 'it tells its' : 'them tells their'} server that the message was opened.`;
  }

  function showParts(msg) {
    const view = byId('view-parts');
    view.textContent = '';
    const table = (caption, rows, head) => {
      const t = el('table', null, [el('caption', { text: caption }), el('tr', null, head.map((h) => el('th', { text: h })))]);
      for (const r of rows) t.appendChild(el('tr', { className: 'part' }, r.map((c) => el('td', null, [c]))));
      return t;
    };
    const inline = msg.images.map((i) => [i.filename, i.contentType, formatSize(i.size), i.lines.length ? i.lines.join(', ') : '']);
    view.appendChild(msg.images.length ? table(`Inline images (${msg.images.length})`, inline, ['File', 'Type', 'Size', 'Lines']) : el('p', { text: 'No inline images.' }));
    const att = msg.attachments.map((a) => [a.filename, a.contentType, formatSize(a.size)]);
    view.appendChild(msg.attachments.length ? table(`Attachments (${msg.attachments.length})`, att, ['File', 'Type', 'Size']) : el('p', { text: 'No attachments.' }));
    view.appendChild(el('p', { className: 'total', text: `HTML part ${formatSize(msg.htmlSize)}; whole message ${formatSize(msg.totalSize)}.` }));
    const n = msg.attachments.length;
    byId('tab-parts').textContent = n ? `Attachments (${n})` : 'Attachments';
  }

  function updateButtons() {
    const ready = !!current;
    const subjectError = ready && !!current.fieldErrors.subject;
    byId('send').disabled = !!busy || !ready || !current.canSend;
    byId('send').title = !ready || current.canSend ? 'Send to every recipient' : 'Fix the fields marked in red and add a recipient first';
    byId('sendTest').disabled = !!busy || !ready || subjectError;
    byId('saveEml').disabled = !!busy || !ready;
  }

  function showStatus(kind, text, extra) {
    const s = byId('status');
    s.textContent = '';
    s.className = `status ${kind}`;
    s.appendChild(el('div', { className: 'message', text }));
    if (extra) s.appendChild(extra);
    s.hidden = false;
  }

  function hideStatus(kind) {
    const s = byId('status');
    if (!kind || s.classList.contains(kind)) s.hidden = true;
  }

  function keepImages(list) {
    for (const img of list) {
      const old = images.get(img.cid);
      if (old) URL.revokeObjectURL(old);
      images.set(img.cid, URL.createObjectURL(new Blob([img.bytes], { type: img.contentType })));
    }
  }

  /** Image bytes that follow a render: they take their placeholders' places in the email shown. */
  function onImages(msg) {
    keepImages(msg.imageData);
    fillImages();
  }

  function onRender(msg) {
    const started = performance.now();
    keepImages(msg.imageData);
    const lacking = msg.images.filter((img) => !images.has(img.cid) && !msg.expectImages.includes(img.cid)).map((img) => img.cid);
    if (lacking.length > 0) vscode.postMessage({ type: 'needImages', cids: lacking });
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

  function onComposeError(msg) {
    const list = el('ul', null, msg.problems.map((p) => el('li', null, [lineButton(p.message, p.line, 'error')])));
    showStatus('error compose-error', `The message cannot be composed: ${msg.message}`, msg.problems.length ? list : null);
    if (!current) {
      paper.textContent = '';
      paper.appendChild(el('p', { className: 'placeholder', text: 'Nothing to show until the error above is fixed.' }));
    }
  }

  const BUSY_TEXT = { send: 'Sending…', sendTest: 'Sending a test to you…', saveEml: 'Saving…' };

  function onBusy(action) {
    busy = action;
    updateButtons();
    showStatus('busy', BUSY_TEXT[action] || 'Working…');
  }

  function onResult(action, result) {
    busy = null;
    updateButtons();
    const kind = result.status === 'sent' || result.status === 'saved' ? 'ok' : result.status === 'partial' ? 'warning' : result.status === 'cancelled' ? 'info' : 'error';
    const list = result.recipients.length
      ? el('ul', { className: 'recipients' }, result.recipients.map((r) =>
          el('li', { className: r.accepted ? 'accepted' : 'rejected' }, [`${r.accepted ? '✓' : '✗'} ${r.address}${r.response ? ` — ${r.response}` : ''}`])))
      : null;
    const prefix = action === 'sendTest' && result.status === 'sent' ? 'Test message: ' : '';
    showStatus(`result ${kind}`, prefix + result.message, list);
  }

  // ---- tabs, width, buttons

  function selectTab(tab) {
    ui.tab = tab;
    for (const b of document.querySelectorAll('.tabs [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    byId('view-html').hidden = tab !== 'html';
    byId('view-text').hidden = tab !== 'text';
    byId('view-parts').hidden = tab !== 'parts';
    saveState();
    if (tab === 'html') requestAnimationFrame(fitActiveFrame);
  }

  function selectWidth(width) {
    ui.width = width;
    paper.classList.toggle('narrow', width === 'narrow');
    paper.classList.toggle('wide', width !== 'narrow');
    byId('wide').setAttribute('aria-pressed', String(width !== 'narrow'));
    byId('narrow').setAttribute('aria-pressed', String(width === 'narrow'));
    saveState();
    requestAnimationFrame(fitActiveFrame);
  }

  for (const b of document.querySelectorAll('.tabs [role=tab]')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  byId('wide').addEventListener('click', () => selectWidth('wide'));
  byId('narrow').addEventListener('click', () => selectWidth('narrow'));
  for (const action of ['send', 'sendTest', 'saveEml']) {
    byId(action).addEventListener('click', () => {
      if (busy || byId(action).disabled) return;
      if (fieldTimer) postHeaders(); // what the user just typed counts
      vscode.postMessage({ type: 'action', action });
    });
  }
  byId('loadRemote').addEventListener('click', () => vscode.postMessage({ type: 'loadRemoteImages' }));

  let scrollTimer = 0;
  window.addEventListener('scroll', () => {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => {
      ui.scrollY = Math.round(window.scrollY);
      saveState();
    }, 100);
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fitActiveFrame, 100);
  });

  // ---- script check probe (tests): any HTML (not only composed, sanitized HTML) in a frame built like the email
  // frames, or, as a control, in one where scripts may run (our nonce on its scripts), read by the same detection

  let probe = null;

  function probeScripts(token, html, allowScripts) {
    let source = html;
    const frame = bareFrame();
    if (allowScripts) {
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      for (const s of parsed.querySelectorAll('script')) s.setAttribute('nonce', nonce);
      source = `<!DOCTYPE html>${parsed.documentElement.outerHTML}`;
      frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    }
    frame.className = 'probe';
    probe = { frame, signal: false };
    const mine = probe;
    frame.addEventListener('load', () => {
      setTimeout(() => {
        const ran = scriptsRan(frame, titleOf(html), mine.signal);
        frame.remove();
        if (probe === mine) probe = null;
        vscode.postMessage({ type: 'probeResult', token, scriptRan: ran });
      }, 50);
    });
    frame.srcdoc = source;
    document.body.appendChild(frame);
  }

  function uiState() {
    const errors = {};
    for (const name of FIELDS) {
      const t = byId(`${name}-error`).textContent;
      if (t) errors[name] = t;
    }
    const f = frames[active];
    return {
      fields: readFields(),
      fieldErrors: errors,
      sendDisabled: byId('send').disabled,
      sending: !!busy,
      status: byId('status').hidden ? '' : byId('status').innerText,
      warnings: Array.from(document.querySelectorAll('#warning-list li')).map((li) => li.textContent),
      width: ui.width,
      frameWidth: f ? Math.round(f.getBoundingClientRect().width) : 0,
      tab: ui.tab,
      text: byId('view-text').textContent,
      parts: Array.from(document.querySelectorAll('#view-parts tr.part')).map((tr) => tr.textContent),
      totalSize: byId('size').textContent,
      scrollY: Math.round(window.scrollY),
    };
  }

  // ---- messages from the extension

  function onMessage(msg) {
    switch (msg.type) {
      case 'render':
        onRender(msg);
        break;
      case 'images':
        onImages(msg);
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
      case 'fill':
        for (const [name, value] of Object.entries(msg.fields)) {
          if (!inputs[name]) continue;
          inputs[name].value = value;
          inputs[name].dispatchEvent(new Event('input', { bubbles: true }));
        }
        postHeaders(msg.token);
        break;
      case 'click': {
        // `frame:<selector>` clicks inside the email shown now (a link, say), as a user would.
        const inFrame = msg.selector.startsWith('frame:');
        const root = inFrame ? (frames[active] && frames[active].contentDocument) : document;
        const target = root ? root.querySelector(inFrame ? msg.selector.slice(6) : msg.selector) : null;
        const ok = !!target && !target.disabled;
        if (ok) target.click();
        vscode.postMessage({ type: 'clicked', token: msg.token, ok });
        break;
      }
      case 'scroll':
        window.scrollTo(0, msg.y);
        requestAnimationFrame(() => vscode.postMessage({ type: 'scrolled', token: msg.token, y: Math.round(window.scrollY) }));
        break;
      case 'queryUi':
        vscode.postMessage({ type: 'ui', token: msg.token, state: uiState() });
        break;
      case 'probeScripts':
        probeScripts(msg.token, msg.html, !!msg.allowScripts);
        break;
    }
  }

  selectTab(ui.tab);
  selectWidth(ui.width);
  vscode.postMessage({ type: 'ready' });
})();
