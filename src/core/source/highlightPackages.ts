/**
 * highlight.js (core plus the common languages) and the light themes offered by sendAsEmail.markdown.highlightTheme.
 * Built as a bundle of its own, dist/code-highlight.js (see esbuild.js): only a Markdown document with a fenced
 * block that names its language loads it, so neither activation nor any other compose parses it.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import atomOneLight from 'highlight.js/styles/atom-one-light.css' with { type: 'text' };
import github from 'highlight.js/styles/github.css' with { type: 'text' };
import stackoverflowLight from 'highlight.js/styles/stackoverflow-light.css' with { type: 'text' };
import vs from 'highlight.js/styles/vs.css' with { type: 'text' };
import xcode from 'highlight.js/styles/xcode.css' with { type: 'text' };

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, ini, java, javascript, json, markdown, php, powershell, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** The theme style sheets as highlight.js ships them, by the names of sendAsEmail.markdown.highlightTheme. */
export const THEME_CSS: Readonly<Record<string, string>> = {
  github,
  vs,
  xcode,
  'atom-one-light': atomOneLight,
  'stackoverflow-light': stackoverflowLight,
};

/** `code` as highlighted HTML (`<span class="hljs-…">`, escaped), or undefined when `language` is not one of ours. */
export function highlightCode(code: string, language: string): string | undefined {
  if (!hljs.getLanguage(language)) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
