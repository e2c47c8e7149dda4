/**
 * Text contrast (WCAG 2 relative luminance) for colours written inline: hex, rgb()/rgba() and the common names.
 */

const NAMED: Record<string, string> = {
  black: '#000000', white: '#ffffff', red: '#ff0000', green: '#008000', blue: '#0000ff', yellow: '#ffff00',
  gray: '#808080', grey: '#808080', silver: '#c0c0c0', maroon: '#800000', navy: '#000080', orange: '#ffa500',
  purple: '#800080', teal: '#008080', olive: '#808000', lime: '#00ff00', aqua: '#00ffff', fuchsia: '#ff00ff',
  lightgray: '#d3d3d3', lightgrey: '#d3d3d3', darkgray: '#a9a9a9', darkgrey: '#a9a9a9', whitesmoke: '#f5f5f5',
};

/** [r, g, b] 0-255, or undefined for what is not an opaque colour this reads (transparent, var(), gradients). */
export function parseColor(value: string): [number, number, number] | undefined {
  const v = value.trim().toLowerCase().replace(/\s*!important$/, '');
  const hex = NAMED[v] ?? v;
  let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(hex);
  if (m) {
    const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/.exec(v);
  if (m && (m[4] === undefined || m[4] === '1' || m[4] === '100%')) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The value of one property in an inline style attribute (the last one written wins), lower-cased. */
export function styleValue(style: string, property: string): string | undefined {
  let found: string | undefined;
  for (const decl of style.split(';')) {
    const colon = decl.indexOf(':');
    if (colon > 0 && decl.slice(0, colon).trim().toLowerCase() === property) found = decl.slice(colon + 1).trim();
  }
  return found;
}
