/**
 * The preview webview's HTML: the one place it is written. Only our chrome lives here; the email body
 * arrives later by postMessage and is shown in a sandboxed frame (see src/webview/preview.ts).
 * Plain Node: no `vscode` import, so it can be checked anywhere.
 */
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
      <label for="${id}">${label}</label>
      <div class="field"><input id="${id}" name="${id}" type="text" spellcheck="false" autocomplete="off" placeholder="${placeholder}" aria-describedby="${id}-error"><div class="field-error" id="${id}-error" role="alert"></div></div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
  <title>Email preview</title>
</head>
<body>
  <header class="toolbar">
    <button id="send" class="primary" type="button" disabled>Send</button>
    <button id="sendTest" type="button" disabled title="Send only to the From address">Send Test to Me</button>
    <button id="saveEml" type="button" disabled>Save as .eml</button>
    <span class="spacer"></span>
    <span id="size" class="size" title="Size of the message as sent"></span>
    <div class="segmented" role="group" aria-label="Preview width">
      <button id="wide" type="button" aria-pressed="true" title="Desktop width">Desktop</button>
      <button id="narrow" type="button" aria-pressed="false" title="Phone width (375 px)">Phone</button>
    </div>
  </header>
  <div id="status" class="status" role="status" aria-live="polite" hidden></div>
  <form id="headers" class="headers" autocomplete="off">
      <label>From</label>
      <div class="field"><output id="from"></output></div>${field('to', 'To', 'name@example.com, …')}${field('cc', 'Cc', '')}${field('bcc', 'Bcc', 'not shown to recipients')}${field('subject', 'Subject', '')}
  </form>
  <section id="warnings" class="warnings" aria-label="Warnings" hidden><ul id="warning-list"></ul></section>
  <div id="remote" class="remote" hidden><span id="remote-text"></span> <button id="loadRemote" type="button">Load remote images</button></div>
  <nav class="tabs" role="tablist">
    <button id="tab-html" type="button" role="tab" aria-selected="true" data-tab="html">HTML</button>
    <button id="tab-text" type="button" role="tab" aria-selected="false" data-tab="text">Text</button>
    <button id="tab-parts" type="button" role="tab" aria-selected="false" data-tab="parts">Attachments</button>
  </nav>
  <main>
    <div id="view-html" class="view paper-wrap" role="tabpanel"><div id="paper" class="paper wide"><p class="placeholder">Composing…</p></div></div>
    <pre id="view-text" class="view text" role="tabpanel" hidden></pre>
    <div id="view-parts" class="view parts" role="tabpanel" hidden></div>
  </main>
${o.scriptUris.map((uri) => `  <script nonce="${nonce}" src="${escapeAttr(uri)}"></script>`).join('\n')}
</body>
</html>
`;
}
