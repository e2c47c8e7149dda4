/**
 * CSS inlining: the `<style>` rules of a document written into its style attributes (juice), as email clients need.
 */
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { forEachElement } from '../source/dom';

/** Inlines the `<style>` rules into style attributes (juice); media queries, pseudo-classes and font faces stay in `<style>`. */
export async function inlineCss($: CheerioAPI): Promise<void> {
  const { default: juice } = await import('juice');
  juice.juiceDocument(indexedSelect($), {
    applyStyleTags: true,
    removeStyleTags: true,
    preserveMediaQueries: true,
    preserveFontFaces: true,
    preserveKeyFrames: true,
    preservePseudos: true,
    preserveImportant: true,
    insertPreservedExtraCss: true,
    applyWidthAttributes: true,
    applyHeightAttributes: false,
    applyAttributesTableElements: true,
  });
}

/**
 * juice queries the document once per CSS rule (`$(selector)`), each a walk over the whole tree. This `$` answers
 * the simple selectors (`p`, `.email-container`) from an index built in one walk and hands everything else to
 * cheerio; on a large document it halves the inlining time. juice adds no elements while inlining (pseudo-element
 * inlining is off) and `style` elements, which it removes, are always looked up afresh.
 */
function indexedSelect($: CheerioAPI): CheerioAPI {
  const byTag = new Map<string, Element[]>();
  const byClass = new Map<string, Element[]>();
  const add = (map: Map<string, Element[]>, key: string, el: Element): void => {
    const list = map.get(key);
    if (list) list.push(el);
    else map.set(key, [el]);
  };
  forEachElement($.root()[0], (el) => {
    add(byTag, el.tagName.toLowerCase(), el);
    for (const c of (el.attribs.class ?? '').split(/\s+/)) if (c) add(byClass, c, el);
  });
  const select = (selector: unknown, ...rest: unknown[]): unknown => {
    if (typeof selector === 'string' && rest.length === 0) {
      const s = selector.trim();
      if (/^[a-z][a-z0-9]*$/i.test(s) && s.toLowerCase() !== 'style') return $(byTag.get(s.toLowerCase()) ?? []);
      if (/^\.[A-Za-z_][\w-]*$/.test(s)) return $(byClass.get(s.slice(1)) ?? []);
    }
    return ($ as unknown as (...args: unknown[]) => unknown)(selector, ...rest);
  };
  Object.setPrototypeOf(select, $);
  return select as unknown as CheerioAPI;
}
