/** Owns the (single) preview panel: the commands call `show`; observers learn of each panel through `onDidShow`. */
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { PreviewPanel, type PreviewDeps } from './previewPanel';

export interface ShowEvent {
  panel: PreviewPanel;
  /** A new panel (true) or the open one switched to the document (false). */
  created: boolean;
  /** `performance.now()` when `show` was called. */
  started: number;
}

export class PreviewManager implements vscode.Disposable {
  private panel: PreviewPanel | undefined;
  private readonly showEmitter = new vscode.EventEmitter<ShowEvent>();
  readonly onDidShow = this.showEmitter.event;

  constructor(private readonly deps: PreviewDeps) {}

  get current(): PreviewPanel | undefined {
    return this.panel && !this.panel.isDisposed ? this.panel : undefined;
  }

  show(document: vscode.TextDocument): PreviewPanel {
    const started = performance.now();
    const open = this.current;
    if (open) {
      open.show(document);
      this.showEmitter.fire({ panel: open, created: false, started });
      return open;
    }
    const panel = PreviewPanel.create(this.deps, document);
    this.panel = panel;
    const sub = panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
      sub.dispose();
    });
    this.showEmitter.fire({ panel, created: true, started });
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
    this.showEmitter.dispose();
  }
}
