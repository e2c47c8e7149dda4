/**
 * What the asset stage is told about one document: where it is, the workspace policy, the remote image settings and
 * the Content-ID domain.
 */
import type { LocalFileCache } from '../types';

export interface AssetContext {
  /** Absolute path of the document: relative references resolve against its folder. */
  docPath: string;
  /** The source text, to find each reference's line. */
  sourceText: string;
  /** Workspace folders; when empty, the document's own folder is the only allowed place. */
  workspaceFolders: string[];
  allowOutsideWorkspace: boolean;
  embedRemote: boolean;
  /** SVG images become PNG parts (Gmail and Outlook do not show SVG). Default false. */
  convertSvg?: boolean;
  remote?: { maxBytes?: number; timeoutMs?: number };
  signal?: AbortSignal;
  /** Domain part of the Content-IDs. */
  cidDomain: string;
  /**
   * false: local images are hashed while read from disk and not kept in memory (mimeBuild.ts reads them again
   * when the message is built); `InlineImage.content` is then empty and `file` is set. Default true.
   */
  keepContent?: boolean;
  /**
   * Local files kept from earlier composes of the same document (the preview): a file whose size and modification
   * time are unchanged is not read or hashed again. Never given by a send.
   */
  readCache?: LocalFileCache;
}
