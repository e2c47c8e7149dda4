/**
 * Walking and reading a parsed (cheerio) document: every element in order, the serialized document, its first heading.
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

/**
 * Calls `fn` for every element below `root` in document order (pre-order), children after `fn` has run (so `fn`
 * may remove or add them). A plain walk over the parsed tree: on a large document it is several times faster
 * than `$('*').each`. `fn` returning `false` stops the walk.
 */
export function forEachElement(root: AnyNode, fn: (el: Element) => void | boolean): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if ('attribs' in node && fn(node) === false) return;
    if ('children' in node) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
}

/** Every node below `root` (elements, text, comments) in document order; children after `fn` has run. */
export function forEachNode(root: AnyNode, fn: (node: AnyNode) => void): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    fn(node);
    if ('children' in node) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
}

/** `<!DOCTYPE html>` plus the serialized document (the doctype is added when the source had none). */
export function serializeDocument($: CheerioAPI): string {
  const root = $.root()[0];
  const hasDoctype = root.children.some((n) => n.type === 'directive');
  const html = $.html();
  return hasDoctype ? html : `<!DOCTYPE html>\n${html}`;
}

/** Text of the first `<h1>`, whitespace collapsed; '' when there is none. */
export function firstHeading($: CheerioAPI): string {
  let h1: Element | undefined;
  forEachElement($.root()[0], (el) => {
    if (el.tagName.toLowerCase() !== 'h1') return true;
    h1 = el;
    return false;
  });
  return h1 ? collapse($(h1).text()) : '';
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
