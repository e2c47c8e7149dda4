/** The page's one handle on VS Code (`acquireVsCodeApi` may be called once per page). */
import type { FromWebview } from '../preview/messages';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  return (api ??= acquireVsCodeApi());
}

export function post(message: FromWebview): void {
  vscodeApi().postMessage(message);
}
