/**
 * Prepares the composed HTML for the preview frame. The frame already cannot run scripts (sandbox) and inherits
 * the panel's CSP; this adds what those do not cover: `<meta http-equiv>` (refresh, CSP, cookies) and `<base>`
 * are dropped, and remote images are held back (their address kept in a data- attribute) until the user
 * asks for them, so a tracking pixel is not fetched by merely looking at the preview.
 * Plain Node (cheerio): no `vscode` import.
 */
import { load } from 'cheerio';

// Loaded with the first render, like cheerio: the placeholders' sizes while image bytes are on their way.
export { imageDimensions } from '../core/assets/mimeType';

export interface PreparedBody {
  html: string;
  /** Addresses of the remote images held back (in document order, repeated ones once). */
  remoteImages: string[];
}

const REMOTE = /^\s*(?:https?:)?\/\//i;

/** True when a `srcset` value names a remote image. */
function srcsetIsRemote(srcset: string): boolean {
  return REMOTE.test(firstRemote(srcset));
}

function firstRemote(srcset: string): string {
  const urls = srcset.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '');
  return urls.find((u) => REMOTE.test(u)) ?? srcset.trim();
}

export function prepareBody(html: string, options: { allowRemoteImages: boolean }): PreparedBody {
  const $ = load(html);
  $('meta[http-equiv], base').remove();
  const remote = new Set<string>();
  if (!options.allowRemoteImages) {
    const holdBack = (selector: string, attr: string, isRemote: (v: string) => boolean): void => {
      $(selector).each((_, el) => {
        const node = $(el);
        const value = node.attr(attr);
        if (value === undefined || !isRemote(value)) return;
        remote.add(attr === 'srcset' ? firstRemote(value) : value.trim());
        node.attr(`data-sae-remote-${attr}`, value);
        node.removeAttr(attr);
        if ('tagName' in el && el.tagName === 'img') node.attr('data-sae-remote', '');
      });
    };
    holdBack('img[src], input[src]', 'src', (v) => REMOTE.test(v));
    holdBack('img[srcset], source[srcset]', 'srcset', srcsetIsRemote);
    holdBack('[background]', 'background', (v) => REMOTE.test(v));
    holdBack('video[poster]', 'poster', (v) => REMOTE.test(v));
  }
  return { html: $.html(), remoteImages: [...remote] };
}
