/**
 * The recipients check of the preview: runs once the page has shown a render (never before: the check and the
 * loading of its data must not delay the email on screen), and posts what the Clients tab shows. The checker itself
 * is loaded on the first check. Plain Node: no `vscode`.
 */
import * as l10n from '@vscode/l10n';
import { performance } from 'perf_hooks';
import type { CheckInput, CheckMessage } from '../core/check/types';
import type { Logger, PreviewMessage } from '../core/types';
import { clientsView, failedClientsView } from './clientReport';
import type { ClientsView, ToWebview } from './messages';

export interface ClientCheckDeps {
  /** Loads the checker (its data and rules); called on the first check only. */
  load(): Promise<CheckMessage>;
  post(message: ToWebview): void;
  log: Logger;
  disposed(): boolean;
}

/** A render posted to the page, with what its check needs. */
export interface CheckRequest {
  renderId: number;
  documentKey: string;
  input: CheckInput;
}

/** Every event a check ends with (the tests and the log see its cost). */
export interface CheckEvent {
  renderId: number;
  documentKey: string;
  ms: number;
  view: ClientsView;
}

/** What the check of a composed message reads: the HTML as sent, its source, its images, the check settings. */
export function checkInputOf(
  composed: PreviewMessage,
  source: { text: string; kind: 'markdown' | 'html' },
  settings: { clients?: readonly string[]; disable?: readonly string[] },
): CheckInput {
  return {
    html: composed.html,
    sourceText: source.text,
    sourceKind: source.kind,
    ...(settings.clients && settings.clients.length > 0 ? { clients: settings.clients } : {}),
    ...(settings.disable && settings.disable.length > 0 ? { disable: settings.disable } : {}),
    inlineImages: composed.inlineImages.map((img) => ({ name: img.filename, size: img.size, ...(img.refs[0] ? { sourceLine: img.refs[0].line } : {}) })),
  };
}

/**
 * How long a shown render must stay the latest before it is checked. The check is CPU work in the extension host
 * (a few hundred ms on a large newsletter): while the user types, each render is replaced before its check starts,
 * so the check never stands between an edit and its render.
 */
export const CHECK_QUIET_MS = 400;

export class ClientCheck {
  private checker: Promise<CheckMessage> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The render last posted, until the page says it is shown. */
  private waiting: CheckRequest | undefined;
  /** The last check's input and view: a render that changed only the form is not checked again. */
  private last: { key: string; view: ClientsView } | undefined;

  constructor(
    private readonly deps: ClientCheckDeps,
    private readonly onDidCheck: (e: CheckEvent) => void = () => undefined,
  ) {}

  /** A render went to the page: its check waits until the page has shown it. */
  rendered(request: CheckRequest): void {
    this.waiting = request;
  }

  /** The page has shown render `renderId` with all of its images: checked unless another render comes first. */
  shown(renderId: number): void {
    const request = this.waiting;
    if (!request || request.renderId !== renderId) return;
    this.waiting = undefined;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run(request);
    }, CHECK_QUIET_MS);
  }

  /** Another render is on its way (an edit, the form): the one waiting is not worth checking. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = undefined;
  }

  private async run(request: CheckRequest): Promise<void> {
    const started = performance.now();
    const { input } = request;
    const key = JSON.stringify([request.documentKey, input.clients ?? null, input.disable ?? null, input.sourceText ?? '', input.html]);
    let view: ClientsView;
    if (this.last?.key === key) {
      view = this.last.view;
    } else {
      try {
        this.checker ??= this.deps.load();
        const report = await (await this.checker)(input);
        view = clientsView(report);
        this.last = { key, view };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.deps.log.warn(l10n.t('Preview: the check of recipients\' clients failed: {0}', message));
        view = failedClientsView(message);
        this.checker = undefined;
      }
    }
    if (this.deps.disposed()) return;
    const ms = performance.now() - started;
    this.deps.post({ type: 'clients', documentKey: request.documentKey, renderId: request.renderId, report: view });
    this.deps.log.debug(`Preview check of render ${request.renderId}: ${view.issues.length} client issue(s), ${view.other.length} other, ${ms.toFixed(1)} ms`);
    this.onDidCheck({ renderId: request.renderId, documentKey: request.documentKey, ms, view });
  }
}
