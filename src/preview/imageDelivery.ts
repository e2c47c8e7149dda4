/**
 * Which inline image bytes the webview holds, and how new ones travel to it. Images go while the page loads (the
 * host queues messages until the page is up); a render whose new bytes are large goes first with placeholders and
 * the bytes follow it; a page that lacks some asks for them again (`needImages`).
 */
import type { InlineImage } from '../core/types';
import type { ImageData, ToWebview } from './messages';

/** New image bytes up to this many travel with the render; more follow it. */
export const INLINE_IMAGE_BYTES = 512 * 1024;
/** Bytes per `images` message (one image may be larger). */
const BATCH_BYTES = 8 * 1024 * 1024;

export function imageData(images: readonly InlineImage[]): ImageData[] {
  return images.map((img) => ({ cid: img.cid, contentType: img.contentType, bytes: new Uint8Array(img.content) }));
}

export class ImageDelivery {
  /** Inline images (by cid) whose bytes the current page already holds. */
  private readonly held = new Set<string>();
  /** Images posted while the page was still loading; the page asks for any that did not reach it. */
  private readonly preSent = new Set<string>();
  /** The page set by the last HTML has said `ready` at least once. */
  private readySinceHtml = false;

  constructor(private readonly post: (message: ToWebview) => boolean) {}

  /** A new page: it holds nothing. */
  newPage(): void {
    this.readySinceHtml = false;
    this.held.clear();
    this.preSent.clear();
  }

  /** The page said `ready`: a page that reloaded (hidden, then shown again) holds nothing; the first holds what was pre-sent. */
  ready(): void {
    this.held.clear();
    if (!this.readySinceHtml) for (const cid of this.preSent) this.held.add(cid);
    this.readySinceHtml = true;
    this.preSent.clear();
  }

  /** While the first page of this HTML loads: its images go now, the render once it is ready. */
  preSend(images: readonly InlineImage[]): void {
    if (this.readySinceHtml) return;
    const fresh = images.filter((img) => !this.preSent.has(img.cid));
    for (const img of fresh) this.preSent.add(img.cid);
    this.postImages(imageData(fresh));
  }

  /**
   * The bytes a render must bring: with the render when they are few (`withRender`), else after it (`after`), so the
   * text shows while they travel.
   */
  forRender(images: readonly InlineImage[]): { withRender: ImageData[]; after: ImageData[] } {
    const fresh = imageData(images.filter((img) => !this.held.has(img.cid)));
    const bytes = fresh.reduce((n, d) => n + d.bytes.length, 0);
    return bytes > INLINE_IMAGE_BYTES ? { withRender: [], after: fresh } : { withRender: fresh, after: [] };
  }

  /** The render went out: what it carried and what follows it are (or will be) held. */
  rendered(sent: { withRender: ImageData[]; after: ImageData[] }): void {
    for (const img of [...sent.withRender, ...sent.after]) this.held.add(img.cid);
    this.postImages(sent.after);
  }

  /** The page asked again for images it lacks; returns how many of them exist. */
  resend(cids: readonly string[], images: readonly InlineImage[]): number {
    const wanted = new Set(cids);
    const missing = images.filter((img) => wanted.has(img.cid));
    this.postImages(imageData(missing));
    for (const img of missing) this.held.add(img.cid);
    return missing.length;
  }

  private postImages(list: ImageData[]): void {
    for (let i = 0; i < list.length; ) {
      const batch: ImageData[] = [];
      for (let bytes = 0; i < list.length && (batch.length === 0 || bytes + list[i]!.bytes.length <= BATCH_BYTES); i++) {
        bytes += list[i]!.bytes.length;
        batch.push(list[i]!);
      }
      this.post({ type: 'images', imageData: batch });
    }
  }
}
