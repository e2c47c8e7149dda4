import type * as vscode from 'vscode';
import type { ReadCache } from './core/assets';
import type { ComposedMessage, HeaderOverrides, PreviewMessage, SendResult } from './core/types';

/** What a send ended with, for the preview panel to show (notifications are shown by the service itself). */
export type SendOutcome =
  | { status: 'sent'; result: SendResult }
  | { status: 'partial'; result: SendResult }
  | { status: 'failed'; code: string; message: string }
  | { status: 'cancelled'; message: string };

/**
 * The VS Code side of composing and sending, shared by the commands and the preview panel.
 * Implemented by `Mailer` (src/mailer.ts).
 */
export interface MailService {
  /** Composes the document's current (possibly unsaved) text. `lenient`: missing images become warnings (preview). */
  compose(document: vscode.TextDocument, overrides?: HeaderOverrides, options?: { lenient?: boolean }): Promise<ComposedMessage>;
  /**
   * Composes for the preview: lenient, the MIME bytes counted but not built, unchanged local images taken from
   * `readCache` (one per preview panel).
   */
  composePreview(document: vscode.TextDocument, overrides: HeaderOverrides | undefined, readCache: ReadCache): Promise<PreviewMessage>;
  /** Sends with a progress notification (Cancel), asking for the password when needed; shows the outcome. */
  send(composed: ComposedMessage, source?: vscode.Uri): Promise<SendOutcome>;
  /** Asks where (default: beside the source), writes the .eml, offers to reveal it. */
  saveEml(composed: ComposedMessage, source: vscode.Uri): Promise<vscode.Uri | undefined>;
  /** The server's SIZE limit in bytes when a connection test or send has learned it. */
  knownSizeLimit(): number | undefined;
}
