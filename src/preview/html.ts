/**
 * The preview webview's HTML: the one place it is written. Only our chrome lives here; the email body
 * arrives later by postMessage and is shown in a sandboxed frame (see src/webview/preview.ts).
 * Plain Node: no `vscode` import, so it can be checked anywhere.
 */
import * as l10n from '@vscode/l10n';
import * as crypto from 'crypto';

export interface PreviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh per HTML (see `createNonce`). */
  nonce: string;
  /** `asWebviewUri` of the page's scripts, in the order they run (media/preview.js last), and of media/preview.css. */
  scriptUris: string[];
  styleUri: string;
  /** The user clicked "Load remote images": https: images may load. */
  allowRemoteImages: boolean;
  /** The page script's own texts in the interface's language (see pageStrings), keyed by their English. */
  strings?: Record<string, string>;
  /** The interface's language, for `<html lang>`. */
  lang?: string;
}

/** A fresh nonce from the crypto RNG (never Math.random). */
export function createNonce(): string {
  return crypto.randomBytes(18).toString('base64');
}

/**
 * The Content-Security-Policy. The email frame (srcdoc, same origin) inherits it, so it also governs the email:
 * no script at all there, images only from our bytes (blob:/data:) unless remote ones were allowed,
 * no base URL, no form submission.
 */
export function contentSecurityPolicy(o: Pick<PreviewHtmlOptions, 'cspSource' | 'nonce' | 'allowRemoteImages'>): string {
  const img = [o.cspSource, 'data:', 'blob:', ...(o.allowRemoteImages ? ['https:'] : [])].join(' ');
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'unsafe-inline'`,
    `img-src ${img}`,
    `font-src ${o.cspSource}`,
    "frame-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function previewHtml(o: PreviewHtmlOptions): string {
  const csp = escapeAttr(contentSecurityPolicy(o));
  const nonce = escapeAttr(o.nonce);
  const field = (id: string, label: string, placeholder: string): string => `
      <label for="${id}">${escapeAttr(label)}</label>
      <div class="field"><input id="${id}" name="${id}" type="text" spellcheck="false" autocomplete="off" placeholder="${escapeAttr(placeholder)}" aria-describedby="${id}-error"><div class="field-error" id="${id}-error" role="alert"></div></div>`;
  const e = (text: string): string => escapeAttr(text);
  return `<!DOCTYPE html>
<html lang="${e(o.lang ?? 'en')}">
<head>
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
  <title>${e(l10n.t('Email preview'))}</title>
</head>
<body data-strings="${e(JSON.stringify(o.strings ?? {}))}">
  <header class="toolbar">
    <button id="send" class="primary" type="button" disabled>${e(l10n.t('Send'))}</button>
    <button id="sendTest" type="button" disabled title="${e(l10n.t('Send only to the From address'))}">${e(l10n.t('Send Test to Me'))}</button>
    <button id="saveEml" type="button" disabled>${e(l10n.t('Save as .eml'))}</button>
    <span id="send-reason" class="send-reason" aria-live="polite"></span>
    <span class="spacer"></span>
    <span id="size" class="size" title="${e(l10n.t('Size of the message as sent'))}"></span>
  </header>
  <nav id="merge" class="merge" aria-label="${e(l10n.t('Mail merge rows'))}" hidden>
    <button id="merge-prev" type="button" title="${e(l10n.t('Previous row'))}" aria-label="${e(l10n.t('Previous row'))}">‹</button>
    <span id="merge-row" class="merge-row"></span>
    <button id="merge-next" type="button" title="${e(l10n.t('Next row'))}" aria-label="${e(l10n.t('Next row'))}">›</button>
    <span id="merge-recipient" class="merge-recipient"></span>
    <ul id="merge-errors" class="merge-errors" hidden></ul>
  </nav>
  <div id="status" class="status" role="status" aria-live="polite" hidden></div>
  <form id="headers" class="headers" autocomplete="off">
      <label>${e(l10n.t('From'))}</label>
      <div class="field from-row"><output id="from"></output><select id="account" hidden aria-label="${e(l10n.t('Account'))}" title="${e(l10n.t('The account this message is sent with'))}"></select></div>${field('to', l10n.t('To'), 'name@example.com, …')}${field('cc', l10n.t('Cc'), '')}${field('bcc', l10n.t('Bcc'), l10n.t('not shown to recipients'))}${field('subject', l10n.t('Subject'), '')}
  </form>
  <section id="warnings" class="warnings" aria-label="${e(l10n.t('Warnings'))}" hidden><ul id="warning-list"></ul></section>
  <div id="remote" class="remote" hidden><span id="remote-text"></span> <button id="loadRemote" type="button">${e(l10n.t('Load remote images'))}</button></div>
  <nav class="tabs" role="tablist">
    <button id="tab-html" type="button" role="tab" aria-selected="true" data-tab="html">HTML</button>
    <button id="tab-text" type="button" role="tab" aria-selected="false" data-tab="text">${e(l10n.t('Plain text'))}</button>
    <button id="tab-parts" type="button" role="tab" aria-selected="false" data-tab="parts">${e(l10n.t('Attachments'))}</button>
    <button id="tab-clients" type="button" role="tab" aria-selected="false" data-tab="clients">${e(l10n.t('Clients'))}</button>
  </nav>
  <main>
    <div id="view-html" class="view paper-wrap" role="tabpanel">${viewBar(e)}<div id="paper" class="paper wide"><p class="placeholder">${e(l10n.t('Composing…'))}</p></div></div>
    <pre id="view-text" class="view text" role="tabpanel" hidden></pre>
    <div id="view-parts" class="view parts" role="tabpanel" hidden></div>
    <div id="view-clients" class="view clients" role="tabpanel" hidden><p class="pending">${e(l10n.t('The check of recipients’ email clients runs once the email is shown.'))}</p></div>
  </main>
${o.scriptUris.map((uri) => `  <script nonce="${nonce}" src="${escapeAttr(uri)}"></script>`).join('\n')}
</body>
</html>
`;
}

/** The controls above the email: its width, and dark mode (both simulated, so labelled as approximations). */
function viewBar(e: (text: string) => string): string {
  const button = (id: string, label: string, title: string, pressed = false): string =>
    `<button id="${id}" type="button" aria-pressed="${pressed}" title="${e(title)}">${e(label)}</button>`;
  return `<div class="viewbar">
      <div class="segmented" role="group" aria-label="${e(l10n.t('Preview width'))}">
        ${button('wide', l10n.t('Desktop'), l10n.t('Desktop width'), true)}${button('w600', l10n.t('{0} px', 600), l10n.t('The usual email width (600 px)'))}${button('narrow', l10n.t('{0} px', 375), l10n.t('Phone width (375 px)'))}${button('w320', l10n.t('{0} px', 320), l10n.t('Small phone width (320 px)'))}
      </div>
      <div class="segmented" role="group" aria-label="${e(l10n.t('Dark mode (approximation)'))}">
        <span class="label">${e(l10n.t('Dark (approximation):'))}</span>
        ${button('dark-off', l10n.t('Off'), l10n.t('Light, as sent'), true)}${button('dark-invert', l10n.t('Forced'), l10n.t('Colours inverted, as the Gmail and Outlook apps force dark mode (an approximation: each app has its own rules)'))}${button('dark-scheme', l10n.t('Own styles'), l10n.t('The email’s own prefers-color-scheme: dark styles, as Apple Mail shows them (an approximation)'))}
      </div>
    </div>`;
}
