// Helpers for integration tests that run inside the real extension host.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import type { SendAsEmailApi } from '../../src/testing';
import type { PreviewTestApi, RenderReport } from '../../src/testing/preview';
import { createNonce } from '../../src/preview/html';
import type { RetryEvent } from '../../src/vscode/mailer';
import { windowPrompts, type Prompts } from '../../src/vscode/prompts';
import type { SecretTarget } from '../../src/vscode/secrets';
import { projectRoot as rootAboveBundle } from '../support/root';
import type { TestSmtpServer } from '../support/smtp';

/** publisher.name from package.json. */
export const EXTENSION_ID = 'send-as-email.send-as-email';

export function extension(): vscode.Extension<SendAsEmailApi> {
  const ext = vscode.extensions.getExtension<SendAsEmailApi>(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

/** Activates the extension (if needed) and returns what `activate()` returned. */
export async function getApi(): Promise<SendAsEmailApi> {
  const ext = extension();
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api) throw new Error(`Extension ${EXTENSION_ID} returned no API from activate()`);
  return api;
}

/** The project checkout: SAE_PROJECT_ROOT (both drivers set it), else the send-as-email package above this bundle. */
export function projectRoot(): string {
  return process.env.SAE_PROJECT_ROOT ?? rootAboveBundle();
}

/** The fixture workspace copy the host opened (tests may write into it): the first folder of the multi-root workspace. */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('No workspace folder is open in the extension host');
  return folder;
}

/** The second folder (test/fixtures/second): its own settings name another SMTP server. */
export function secondFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[1];
  if (!folder) throw new Error('The host did not open the second workspace folder');
  return folder;
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...segments);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** Milliseconds before giving up (default 10 000). */
  timeout?: number;
  /** Milliseconds between checks (default 50). */
  interval?: number;
  /** Says what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Polls `check` until it returns something other than `undefined`, `null` or `false`, and returns that value.
 * A check that throws is retried; the last error is part of the timeout message.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 10_000;
  const interval = options.interval ?? 50;
  const end = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= end) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeout} ms waiting for ${options.message ?? 'a condition'}${why}`);
    }
    await sleep(interval);
  }
}

/**
 * Answers for the notifications, the password box, quick picks and input boxes, in place of the workbench
 * (`api.prompts.use(...)`): records everything shown; clicks `answers.error` (`info`, `warn`) when a notification of
 * that kind offers that button; answers password prompts from `answers.password` and input boxes from
 * `answers.inputs` in turn (then cancels); picks the item labelled `answers.picks[i]` in turn (an answer no item
 * has, or none left: dismissed). Without answers, every prompt is dismissed.
 */
export class ScriptedPrompts implements Prompts {
  readonly shown: { kind: 'info' | 'warn' | 'error' | 'password' | 'pick' | 'input' | 'confirm'; message: string; buttons: string[]; detail?: string }[] = [];
  /** What each progress notification showed: its title and every text it reported, in order. */
  readonly progressShown: { title: string; reports: string[] }[] = [];
  /** Cancels the progress notifications shown until `cancelWhen` says so: `cancelWhen(report)` after each report. */
  cancelWhen: ((report: string) => boolean) | undefined;
  /** Error notifications still waiting for their answer (`holdErrors`), oldest first. */
  private readonly held: ((choice: string | undefined) => void)[] = [];
  /**
   * `holdErrors`: an error notification stays unanswered, like one the user has not looked at yet, until `answerHeld`.
   */
  constructor(
    private readonly answers: {
      error?: string;
      info?: string;
      warn?: string;
      password?: string[];
      holdErrors?: boolean;
      picks?: string[];
      inputs?: string[];
      confirm?: string[];
    } = {},
  ) {}

  /** Answers the oldest error notification still waiting, as a click on `choice` (undefined: dismissed). */
  answerHeld(choice?: string): void {
    const answer = this.held.shift();
    if (!answer) throw new Error('no error notification is waiting for an answer');
    answer(choice);
  }

  info(message: string, ...buttons: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'info', message, buttons });
    return Promise.resolve(this.answers.info && buttons.includes(this.answers.info) ? this.answers.info : undefined);
  }
  warn(message: string, ...buttons: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'warn', message, buttons });
    return Promise.resolve(this.answers.warn && buttons.includes(this.answers.warn) ? this.answers.warn : undefined);
  }
  error(message: string, ...buttons: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'error', message, buttons });
    if (this.answers.holdErrors) return new Promise((resolve) => this.held.push(resolve));
    return Promise.resolve(this.answers.error && buttons.includes(this.answers.error) ? this.answers.error : undefined);
  }
  password(prompt: string): Thenable<string | undefined> {
    this.shown.push({ kind: 'password', message: prompt, buttons: [] });
    return Promise.resolve(this.answers.password?.shift());
  }
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: { title: string; placeHolder?: string }): Thenable<T | undefined> {
    const labels = items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator).map((i) => i.label);
    this.shown.push({ kind: 'pick', message: options.title, buttons: labels });
    const want = this.answers.picks?.shift();
    return Promise.resolve(items.find((i) => i.label === want && i.kind !== vscode.QuickPickItemKind.Separator));
  }
  input(options: { title: string; prompt: string; validate?: (value: string) => string | undefined }): Thenable<string | undefined> {
    this.shown.push({ kind: 'input', message: `${options.title}: ${options.prompt}`, buttons: [] });
    const value = this.answers.inputs?.shift();
    const invalid = value !== undefined ? options.validate?.(value) : undefined;
    if (invalid) throw new Error(`the scripted input ${JSON.stringify(value)} for "${options.prompt}" is refused: ${invalid}`);
    return Promise.resolve(value);
  }
  /** Answers modal questions from `answers.confirm` in turn (a button that is not offered, or none left: dismissed). */
  confirm(message: string, detail: string, ...buttons: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'confirm', message, buttons, detail });
    const answer = this.answers.confirm?.shift();
    return Promise.resolve(answer !== undefined && buttons.includes(answer) ? answer : undefined);
  }
  /** The workbench's own progress notification, with the reports recorded and a Cancel the test can press (`cancelWhen`). */
  progress<T>(title: string, work: (report: (message: string, increment?: number) => void, token: vscode.CancellationToken) => Thenable<T>): Thenable<T> {
    const shown = { title, reports: [] as string[] };
    this.progressShown.push(shown);
    return windowPrompts.progress(title, (report, token) => {
      const cancel = new vscode.CancellationTokenSource();
      const sub = token.onCancellationRequested(() => cancel.cancel());
      const recorded = (message: string, increment?: number): void => {
        shown.reports.push(message);
        report(message, increment);
        if (this.cancelWhen?.(message)) cancel.cancel();
      };
      return Promise.resolve(work(recorded, cancel.token)).finally(() => {
        sub.dispose();
        cancel.dispose();
      });
    });
  }
}

export async function closePreview(preview: PreviewTestApi): Promise<void> {
  const current = preview.current();
  if (!current) return;
  current.panel.dispose();
  await waitFor(() => preview.current() === undefined, { message: 'the preview to close' });
}

/** Reverts every changed document, then closes all editors (no save prompt can block the host). */
export async function revertAndCloseAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file')) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function openPreview(api: SendAsEmailApi, relative: string): Promise<{ doc: vscode.TextDocument; report: RenderReport }> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(...relative.split('/')));
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  await vscode.commands.executeCommand('sendAsEmail.preview', doc.uri);
  const current = api.preview.current();
  assert.ok(current, 'the preview command opened no panel');
  assert.strictEqual(current.document.uri.toString(), doc.uri.toString());
  const report = await api.preview.waitForRender(doc.version - 1, 30_000);
  return { doc, report };
}

/**
 * What a test leaves behind, undone by `clear()` in afterEach: the scripted prompts, the SMTP server it started
 * (`server`), the SecretStorage entries it wrote (`target`), and the folder settings `restoreSettings` puts back.
 */
export class Leftovers {
  server: TestSmtpServer | undefined;
  private readonly targets: SecretTarget[] = [];

  constructor(
    private readonly api: SendAsEmailApi,
    private readonly restoreSettings: () => Promise<void>,
  ) {}

  /** Where `user`'s password for `server` is kept; deleted from SecretStorage by `clear()`. */
  target(server: TestSmtpServer, user: string): SecretTarget {
    const target = { user, host: server.host, port: server.port };
    this.targets.push(target);
    return target;
  }

  async clear(): Promise<void> {
    this.api.prompts.use(undefined);
    try {
      for (const target of this.targets.splice(0)) await this.api.secrets.delete(target);
      await this.server?.close();
      this.server = undefined;
    } finally {
      await this.restoreSettings();
    }
  }
}

/** The next retry of an outbox entry the mailer finishes (Open Outbox, "Re-enter Password"). */
export function nextRetry(api: SendAsEmailApi): Promise<RetryEvent> {
  return new Promise((resolve) => {
    const sub = api.mail.onDidRetry((e) => {
      sub.dispose();
      resolve(e);
    });
  });
}

/** The extension's settings as a workspace folder sees them (the fixture folder unless named). */
export function settings(folder: vscode.WorkspaceFolder = workspaceFolder()): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('sendAsEmail', folder.uri);
}

/** The settings `pointAt` changes (below `sendAsEmail.`). */
export const SMTP_SETTINGS = ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.user', 'smtp.caFile'] as const;

/**
 * Records the folder values of `keys` (below `sendAsEmail.`) now; the function it returns puts them back, removing
 * a key that had no value there. Record in `before()`, restore in `afterEach()`.
 */
export function recordWorkspaceSettings(keys: readonly string[], folder: vscode.WorkspaceFolder = workspaceFolder()): () => Promise<void> {
  const recorded = keys.map((key) => ({ key, value: settings(folder).inspect(key)?.workspaceFolderValue }));
  return async () => {
    for (const { key, value } of recorded) await settings(folder).update(key, value, vscode.ConfigurationTarget.WorkspaceFolder);
  };
}

/** Points a folder's SMTP settings at `server`: its host, port and security, the test CA, and `user` ('' for no login). */
export async function pointAt(server: TestSmtpServer, user = '', folder: vscode.WorkspaceFolder = workspaceFolder()): Promise<void> {
  const values: Record<(typeof SMTP_SETTINGS)[number], string | number> = {
    'smtp.host': server.host,
    'smtp.port': server.port,
    'smtp.security': server.security,
    'smtp.user': user,
    'smtp.caFile': server.caFile,
  };
  for (const key of SMTP_SETTINGS) await settings(folder).update(key, values[key], vscode.ConfigurationTarget.WorkspaceFolder);
}

/** True when a driver that can take screenshots runs this host (code-server + Chromium, not test-electron). */
export function canScreenshot(): boolean {
  return !!process.env.SAE_DRIVER_PORT;
}

/**
 * Asks the driver (loopback HTTP) to screenshot the whole workbench page now.
 * `file` is relative to the project root (e.g. `.test-results/preview.png`); without it the picture goes to
 * `.test-results/host/<name>.png`. Resolves with the absolute path written, or `undefined` when no driver
 * is attached (test-electron); rejects when the driver could not take it.
 */
export function requestScreenshot(name: string, file?: string): Promise<string | undefined> {
  const port = process.env.SAE_DRIVER_PORT;
  if (!port) return Promise.resolve(undefined);
  const query = new URLSearchParams({ name });
  if (file) query.set('path', file);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: `/screenshot?${query.toString()}`, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(path.resolve(projectRoot(), body.trim()));
        else reject(new Error(`Screenshot "${name}" failed: ${res.statusCode} ${body.trim()}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Screenshot "${name}" timed out`)));
    req.on('error', reject);
  });
}

/** Asks the driver (loopback HTTP) for `what` with `query`; resolves with its JSON answer, rejects when it fails. */
function askDriver<T>(what: string, query: Record<string, string>): Promise<T> {
  const port = process.env.SAE_DRIVER_PORT;
  if (!port) return Promise.reject(new Error('no driver attached to this host'));
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: `/${what}?${new URLSearchParams(query).toString()}`, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`driver /${what}: ${res.statusCode} ${body.trim()}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`driver /${what} timed out`)));
    req.on('error', reject);
  });
}

export interface DomElement {
  text: string;
  visible: boolean;
  attrs: Record<string, string | null>;
}

/** The workbench's elements that `selector` matches, read by the driver (code-server + Chromium only: `canScreenshot()`). */
export function workbenchDom(selector: string, attrs: string[] = []): Promise<DomElement[]> {
  return askDriver('dom', { selector, attrs: attrs.join(',') });
}

/** Clicks `selector` (in any frame: a webview's page too) and types `steps` with the real keyboard, through the driver. */
export async function realKeys(selector: string, steps: ({ press: string } | { type: string })[]): Promise<void> {
  await askDriver('keys', { selector, steps: JSON.stringify(steps) });
}

/**
 * The floor of a preview's first render in this host: a bare webview panel (no resources, one inline script that
 * says it is ready), from `createWebviewPanel` to its first message, ms. The preview test and the benchmark set
 * our first render beside it.
 */
export async function bareWebviewReadyMs(timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  const nonce = createNonce();
  const panel = vscode.window.createWebviewPanel(
    'sendAsEmail.bareWebview',
    'Bare webview',
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, localResourceRoots: [] },
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The bare webview did not report within ${timeoutMs} ms.`)), timeoutMs);
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if ((m as { type?: unknown } | undefined)?.type !== 'ready') return;
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      panel.webview.html =
        `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'">` +
        `</head><body><script nonce="${nonce}">acquireVsCodeApi().postMessage({ type: 'ready' });</script></body></html>`;
    });
  } finally {
    panel.dispose();
  }
}

/** The zh-cn text of an English template, placeholders filled in, as the bundle has it. */
export function zh(template: string, ...args: (string | number)[]): string {
  const bundle = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  const text = bundle[template];
  assert.ok(text, `the zh-cn bundle has no "${template}"`);
  return text.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}

/** The bytes the outbox kept in sent/ for the message with `messageId` (what the server was given). */
export function sentBytes(outboxDir: string, messageId: string): Buffer {
  const sentDir = path.join(outboxDir, 'sent');
  const kept = fs
    .readdirSync(sentDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(sentDir, f), 'utf8')) as { id: string; messageId: string })
    .find((e) => e.messageId === messageId);
  if (!kept) throw new Error(`no sent/ record for ${messageId} in ${sentDir}`);
  return fs.readFileSync(path.join(sentDir, `${kept.id}.eml`));
}
