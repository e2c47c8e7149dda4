/**
 * The page's texts in the interface's language: the panel puts them on `<body data-strings>` (see
 * src/preview/pageStrings.ts, which lists every template used here), keyed by their English.
 */
let strings: Record<string, string> | undefined;

function load(): Record<string, string> {
  try {
    return JSON.parse(document.body.dataset.strings ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** The template in the interface's language (English when it has none), `{0}`, `{1}`... filled in. */
export function t(template: string, ...args: (string | number)[]): string {
  strings ??= load();
  const text = strings[template] ?? template;
  return text.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
}
