// The controls above the email (part of the page script, src/webview/preview.ts): the width it is shown at, and a
// simulated dark mode. Neither changes the message; both only change how the frame shows it.
//
// Dark mode, two approximations of what recipients' apps do:
// - `invert`: the Gmail and Outlook apps force dark mode on an email by inverting its colours. The frame is filtered
//   (invert, then hue-rotate so hues keep their meaning) and its images are inverted back, as those apps leave photos
//   alone. Each app has its own rules; this shows the idea, not any one app.
// - `scheme`: Apple Mail lets the email's own `@media (prefers-color-scheme: dark)` styles apply. The frame's style
//   sheets are rewritten in place: those media queries are made to match (and the light ones not to), whatever the
//   panel's own theme says; the original conditions are put back when the mode is left. An email that declares dark
//   support (`<meta name="color-scheme" content="light dark">`, as every sent message does) also gets the browser's
//   dark defaults (light text on a dark canvas), as Apple Mail gives it.
import { eachFrameDocument, fitActiveFrame, onFrameLoaded } from './emailFrames';

export const WIDTHS = ['wide', 'w600', 'narrow', 'w320'] as const;
export type Width = (typeof WIDTHS)[number];
export const DARK_MODES = ['off', 'invert', 'scheme'] as const;
export type DarkMode = (typeof DARK_MODES)[number];

export interface ViewState {
  width: Width;
  dark: DarkMode;
}

/** Phone widths: the Clients tab points out the issues that matter there. */
export const isPhoneWidth = (w: Width): boolean => w === 'narrow' || w === 'w320';

const paper = document.getElementById('paper') as HTMLElement;
const REINVERT_ID = 'sae-dark-reinvert';
/** Inverted back inside an inverted frame: what the apps leave as it is (photos, background images). */
const REINVERT_CSS = 'img, picture, video, svg, [background], [style*="url("] { filter: invert(1) hue-rotate(180deg) !important; }';

/** The state saved with the page (anything unknown falls back to the default). */
export function viewStateOf(saved: { width?: unknown; dark?: unknown }): ViewState {
  return {
    width: (WIDTHS as readonly unknown[]).includes(saved.width) ? (saved.width as Width) : 'wide',
    dark: (DARK_MODES as readonly unknown[]).includes(saved.dark) ? (saved.dark as DarkMode) : 'off',
  };
}

/** The conditions of the media rules rewritten for the `scheme` mode, as the email wrote them. */
const originalMedia = new WeakMap<CSSMediaRule, string>();
/** Documents whose rules were rewritten: a frame never shown in that mode is not walked (the first render stays as fast). */
const rewritten = new WeakSet<Document>();
const SCHEME_QUERY = /\(\s*prefers-color-scheme\s*:\s*(dark|light)\s*\)/gi;

/** Every media rule of the frame's style sheets (nested ones too). The frame's rules are not this window's classes. */
function mediaRules(doc: Document): CSSMediaRule[] {
  const out: CSSMediaRule[] = [];
  const walk = (rules: CSSRuleList): void => {
    for (const rule of Array.from(rules)) {
      if ('media' in rule && 'cssRules' in rule) out.push(rule as CSSMediaRule);
      if ('cssRules' in rule) walk((rule as CSSGroupingRule).cssRules);
    }
  };
  for (const sheet of Array.from(doc.styleSheets)) {
    try {
      walk(sheet.cssRules);
    } catch {
      // a sheet that cannot be read (none in a srcdoc frame) keeps its own conditions
    }
  }
  return out;
}

/** The `style` attribute of each email's <html> before the dark defaults were set on it (null: it had none). */
const originalRootStyle = new WeakMap<Document, string | null>();

function declaresDark(doc: Document): boolean {
  const meta = Array.from(doc.querySelectorAll('meta[name="color-scheme" i], meta[name="supported-color-schemes" i]'));
  return meta.some((m) => /\bdark\b/i.test(m.getAttribute('content') ?? ''));
}

/** Light text on a dark canvas for an email that says it supports dark, or its <html> as it was. */
function darkDefaults(doc: Document, on: boolean): void {
  const root = doc.documentElement;
  if (!root) return;
  if (on && declaresDark(doc)) {
    if (!originalRootStyle.has(doc)) originalRootStyle.set(doc, root.getAttribute('style'));
    root.style.colorScheme = 'dark';
  } else if (!on && originalRootStyle.has(doc)) {
    const style = originalRootStyle.get(doc);
    if (style === null || style === undefined) root.removeAttribute('style');
    else root.setAttribute('style', style);
    originalRootStyle.delete(doc);
  }
}

/** Makes the email's `prefers-color-scheme: dark` rules apply (and its light ones not), or puts them back. */
function preferDark(doc: Document, on: boolean): void {
  if (!on && !rewritten.has(doc)) return;
  if (on) rewritten.add(doc);
  else rewritten.delete(doc);
  darkDefaults(doc, on);
  for (const rule of mediaRules(doc)) {
    const original = originalMedia.get(rule);
    if (!on) {
      if (original !== undefined) rule.media.mediaText = original;
      continue;
    }
    const text = original ?? rule.media.mediaText;
    if (!/prefers-color-scheme/i.test(text)) continue;
    originalMedia.set(rule, text);
    rule.media.mediaText = text.replace(SCHEME_QUERY, (_, scheme: string) => (scheme.toLowerCase() === 'dark' ? '(min-width: 0px)' : '(max-width: 0px)'));
  }
}

function styleFrame(doc: Document, dark: DarkMode): void {
  preferDark(doc, dark === 'scheme');
  const present = doc.getElementById(REINVERT_ID);
  if (dark !== 'invert') {
    present?.remove();
    return;
  }
  if (present || !doc.documentElement) return;
  const style = doc.createElement('style');
  style.id = REINVERT_ID;
  style.textContent = REINVERT_CSS;
  (doc.head ?? doc.documentElement).appendChild(style);
}

function press(ids: readonly string[], on: string): void {
  for (const id of ids) document.getElementById(id)?.setAttribute('aria-pressed', String(id === on));
}

/**
 * Wires the width and dark buttons to `state`, applies it, and calls `changed` after each change (the page saves
 * its state and tells the Clients tab the width).
 */
export function setupViewControls(state: ViewState, changed: () => void): void {
  const applyWidth = (): void => {
    for (const w of WIDTHS) paper.classList.toggle(w, w === state.width);
    press(WIDTHS, state.width);
    requestAnimationFrame(fitActiveFrame);
  };
  const applyDark = (): void => {
    paper.classList.toggle('dark-invert', state.dark === 'invert');
    paper.classList.toggle('dark-scheme', state.dark === 'scheme');
    paper.dataset.dark = state.dark;
    press(DARK_MODES.map((d) => `dark-${d}`), `dark-${state.dark}`);
    eachFrameDocument((doc) => styleFrame(doc, state.dark));
    // The email's own dark styles may change its height.
    requestAnimationFrame(fitActiveFrame);
  };
  onFrameLoaded((doc) => styleFrame(doc, state.dark));
  for (const w of WIDTHS) {
    document.getElementById(w)?.addEventListener('click', () => {
      state.width = w;
      applyWidth();
      changed();
    });
  }
  for (const d of DARK_MODES) {
    document.getElementById(`dark-${d}`)?.addEventListener('click', () => {
      state.dark = d;
      applyDark();
      changed();
    });
  }
  applyWidth();
  applyDark();
}
