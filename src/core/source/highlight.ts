/**
 * Code highlighting for fenced Markdown blocks: highlight.js classes plus a light theme that juice inlines, so every
 * coloured span carries its own `color` and survives clients that drop `<style>`.
 */
import type { HighlightTheme } from '../settings';

export interface Highlighter {
  /** Highlighted HTML for `code`, or undefined when the language is unknown (the block is left plain). */
  highlight(code: string, language: string): string | undefined;
  /** The rules the highlighted blocks need, appended to the email's style sheet. */
  stylesheet: string;
}

/** The class the highlighted `<pre>` carries: its theme background and wrapping hang on it. */
export const HIGHLIGHTED_PRE_CLASS = 'hljs-pre';

/**
 * Loads highlight.js (its own bundle, on the first document that needs it) with `theme`. The theme's padding rules for
 * `code.hljs` are dropped (the email's `pre` already pads), and its background moves to the `<pre>` with
 * `white-space: pre-wrap`: one light background that forced dark mode inverts as a whole, and long lines that wrap
 * on a phone instead of widening the message.
 */
export async function loadHighlighter(theme: HighlightTheme): Promise<Highlighter> {
  const { highlightCode, THEME_CSS } = await import('./highlightPackages');
  const css = THEME_CSS[theme] ?? THEME_CSS.github;
  return { highlight: highlightCode, stylesheet: themeStylesheet(css) };
}

/** The theme's rules for the email: its `.hljs` colours on the code, its background on the block. */
export function themeStylesheet(themeCss: string): string {
  const withoutComments = themeCss.replace(/\/\*[\s\S]*?\*\//g, '');
  // `pre code.hljs` / `code.hljs` only set padding and display, which the email's own `pre code` rules decide.
  const rules = withoutComments.replace(/(^|})\s*(?:pre\s+)?code\.hljs\s*\{[^}]*\}/g, '$1');
  const hljsRule = /(?:^|})\s*\.hljs\s*\{([^}]*)\}/.exec(rules)?.[1] ?? '';
  const background = /(?:^|;)\s*background(?:-color)?\s*:\s*([^;]+?)\s*(?:;|$)/.exec(hljsRule)?.[1] ?? '#ffffff';
  const color = /(?:^|;)\s*color\s*:\s*([^;]+?)\s*(?:;|$)/.exec(hljsRule)?.[1] ?? '#24292e';
  return (
    `${rules.trim()}\n` +
    `pre.${HIGHLIGHTED_PRE_CLASS} { background-color: ${background}; color: ${color}; white-space: pre-wrap; word-wrap: break-word; }\n` +
    `pre.${HIGHLIGHTED_PRE_CLASS} code.hljs { background-color: ${background}; }\n`
  );
}
