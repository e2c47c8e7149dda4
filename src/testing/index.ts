/**
 * Test mode only. Built by `node esbuild.js` into out/testing/ (never by `--production`, never in the .vsix) and
 * loaded by activate() only when VS Code runs the extension in ExtensionMode.Test: the integration tests and the
 * benchmark reach the services through the API returned here, script the prompts, and drive the preview page through
 * a probe script bundled with it.
 */
import * as vscode from 'vscode';
import type { PreviewManager } from '../preview/previewManager';
import type { Accounts } from '../vscode/accounts';
import type { AccountStatus } from '../vscode/accountStatus';
import type { Log, LogLine } from '../vscode/log';
import type { Mailer } from '../vscode/mailer';
import type { MergeSender } from '../vscode/mergeSender';
import type { Prompts } from '../vscode/prompts';
import type { SmtpSecrets } from '../vscode/secrets';
import { PreviewProbe, type PreviewTestApi } from './preview';
import { SwitchablePrompts } from './prompts';

/** What the tests get from `activate()` in Test mode. */
export interface SendAsEmailApi {
  readonly secrets: SmtpSecrets;
  /** What the log channel got: `lines()` the texts, `entries()` each with its level. */
  readonly log: { lines(): readonly string[]; entries(): readonly LogLine[] };
  readonly mail: Mailer;
  /** Mail merges: `onDidRun` tells each run's outcome; `list()` the merges kept beside the outbox. */
  readonly merges: MergeSender;
  /** Folder holding `outbox/` and `sent/` (extension global storage). */
  readonly outboxDir: string;
  readonly preview: PreviewTestApi;
  /** Notification and password prompts; tests put scripted answers in place with `prompts.use(...)`. */
  readonly prompts: SwitchablePrompts;
  readonly accounts: Accounts;
  /** What the account status bar item shows now (`update()` first to wait for a change to reach it). */
  readonly accountStatus: { state(): { text: string; account: string | undefined }; update(): Promise<void>; command: string };
  /** Microsoft sign-in goes to the authentication provider with this id (a fake one the test registered); undefined: `microsoft`. */
  useAuthProvider(id: string | undefined): void;
  /** Plays an untrusted workspace (the test host runs with Workspace Trust off): false; undefined: VS Code's own answer. */
  playTrust(trusted: boolean | undefined): void;
}

export interface Services {
  secrets: SmtpSecrets;
  log: Log;
  mailer: Mailer;
  merges: MergeSender;
  outboxDir: string;
  previews: PreviewManager;
  accounts: Accounts;
  accountStatus: AccountStatus;
}

/** What the composition root takes from the test module in Test mode. */
export interface Testing {
  prompts: Prompts;
  openExternal(uri: vscode.Uri): Thenable<boolean>;
  /** The authentication provider Microsoft sign-in uses. */
  authProviderId(): string;
  /** Whether the workspace counts as trusted. */
  trusted(): boolean;
  /** The page script with the probe, in place of media/preview.js. */
  pageScript(): { script: vscode.Uri; root: vscode.Uri };
  api(services: Services, subscriptions: vscode.Disposable[]): SendAsEmailApi;
}

export function createTesting(context: vscode.ExtensionContext): Testing {
  const prompts = new SwitchablePrompts();
  const root = vscode.Uri.joinPath(context.extensionUri, 'out', 'testing');
  let probe: PreviewProbe | undefined;
  let authProvider: string | undefined;
  let trust: boolean | undefined;
  return {
    prompts,
    authProviderId: () => authProvider ?? 'microsoft',
    trusted: () => trust ?? vscode.workspace.isTrusted,
    openExternal: (uri) => (probe ? probe.openExternal(uri) : vscode.env.openExternal(uri)),
    pageScript: () => ({ script: vscode.Uri.joinPath(root, 'preview-page.js'), root }),
    api(services, subscriptions) {
      probe = new PreviewProbe(services.previews);
      const entries: LogLine[] = [];
      subscriptions.push(
        probe,
        services.log.onDidWrite((line) => {
          entries.push(line);
          if (entries.length > 2000) entries.splice(0, entries.length - 2000);
        }),
      );
      return {
        secrets: services.secrets,
        log: { lines: () => entries.map((e) => e.text), entries: () => [...entries] },
        mail: services.mailer,
        merges: services.merges,
        outboxDir: services.outboxDir,
        preview: probe.api(),
        prompts,
        accounts: services.accounts,
        accountStatus: { state: () => services.accountStatus.state(), update: () => services.accountStatus.update(), command: 'sendAsEmail.switchAccount' },
        useAuthProvider: (id) => (authProvider = id),
        playTrust: (trusted) => (trust = trusted),
      };
    },
  };
}
