/**
 * Email: Add Account — the guided flow: the provider (international, Chinese, or another SMTP server), the address,
 * the server from the provider's preset, the provider's rule in one sentence with its help page, Microsoft sign-in
 * or the password (app password, 授权码), a connection test, then where to keep the account. The account goes into
 * `sendAsEmail.accounts`; the password into SecretStorage only (stored once the server accepted it).
 */
import * as vscode from 'vscode';
import { namedAccounts, type Account } from '../core/accounts/accounts';
import { providerPresets, findProvider, type ProviderPreset } from '../core/accounts/providers';
import type { AccountSetting, SmtpSecurity } from '../core/settings';
import type { Accounts } from '../vscode/accounts';
import type { Mailer } from '../vscode/mailer';
import type { AddAccountRequest, Notifications } from '../vscode/notifications';
import type { Prompts } from '../vscode/prompts';
import { saveAccount, type AccountLevel } from '../vscode/saveAccount';
import type { SmtpLogin } from '../vscode/smtpLogin';

export interface AddAccountDeps {
  accounts: Accounts;
  mailer: Mailer;
  login: SmtpLogin;
  prompts: Prompts;
  notifications: Notifications;
  openExternal(uri: vscode.Uri): Thenable<boolean>;
}

interface Choice<T> extends vscode.QuickPickItem {
  value?: T;
}

const OTHER = 'other';
const ADDRESS_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The flow; resolves with the name of the account saved, undefined when the user stopped. */
export function addAccountCommand(deps: AddAccountDeps) {
  return async (request?: AddAccountRequest): Promise<string | undefined> => {
    const flow = new AddAccountFlow(deps);
    return flow.run(isRequest(request) ? request : {});
  };
}

function isRequest(v: unknown): v is AddAccountRequest {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri);
}

class AddAccountFlow {
  private readonly title = vscode.l10n.t('Add Account');

  constructor(private readonly deps: AddAccountDeps) {}

  async run(request: AddAccountRequest): Promise<string | undefined> {
    const again = request.switchToOAuth;
    const preset = again ? (findProvider(again.provider ?? '') ?? findProvider('microsoft365')) : await this.pickProvider();
    if (preset === undefined) return undefined;
    const address = await this.input(vscode.l10n.t('Your email address'), again?.user || again?.from, (v) =>
      ADDRESS_RE.test(v.trim()) ? undefined : vscode.l10n.t('Enter an address such as ada@example.com.'),
    );
    if (address === undefined) return undefined;
    const entry: AccountSetting & { name: string } = { name: '', user: address.trim(), from: address.trim() };
    if (preset === OTHER) {
      if (!(await this.askServer(entry))) return undefined;
    } else {
      Object.assign(entry, { provider: preset.id, host: preset.host, port: preset.port, security: preset.security });
    }
    const auth = preset === OTHER ? 'password' : await this.explainRule(preset, again !== undefined);
    if (auth === undefined) return undefined;
    entry.auth = auth;
    let password: string | undefined;
    if (auth === 'oauth2') {
      const oauth2 = await this.askMicrosoftApp(preset === OTHER ? undefined : preset);
      if (!oauth2) return undefined;
      entry.oauth2 = oauth2;
    } else {
      password = await this.deps.prompts.password(
        preset !== OTHER && preset.auth === 'authorization-code'
          ? vscode.l10n.t('Authorization code (授权码) for {0}', address)
          : preset !== OTHER && preset.auth === 'app-password'
            ? vscode.l10n.t('App password for {0}', address)
            : vscode.l10n.t('Password for {0} at {1}:{2}', address, String(entry.host), String(entry.port)),
      );
      if (password === undefined) return undefined;
    }
    const name = await this.input(vscode.l10n.t('A name for the account (documents pick it with account: NAME)'), again?.name || suggestName(preset, address), (v) =>
      v.trim() ? undefined : vscode.l10n.t('Enter a name, such as work or personal.'),
    );
    if (name === undefined) return undefined;
    entry.name = name.trim();
    const account = this.checked(entry);
    if (!account) return undefined;
    if (!(await this.test(account, password))) return undefined;
    const level = await this.pickLevel();
    if (!level) return undefined;
    await saveAccount(entry, level.level, level.scope);
    if (password && account.user) await this.deps.login.store(account, password);
    this.deps.notifications.info(
      vscode.l10n.t('Added account "{0}" ({1} at {2}:{3}). A document sends with it when it says account: {0}.', account.name, account.user, account.host, account.port),
    );
    return account.name;
  }

  private async pickProvider(): Promise<ProviderPreset | typeof OTHER | undefined> {
    const presets = providerPresets();
    const separator = (label: string): Choice<ProviderPreset | typeof OTHER> => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const item = (p: ProviderPreset): Choice<ProviderPreset> => ({ label: p.label, description: `${p.host}:${p.port}`, value: p });
    const items: Choice<ProviderPreset | typeof OTHER>[] = [
      separator(vscode.l10n.t('International')),
      ...presets.filter((p) => p.region === 'international').map(item),
      separator(vscode.l10n.t('China')),
      ...presets.filter((p) => p.region === 'chinese').map(item),
      separator(''),
      { label: vscode.l10n.t('Other SMTP server'), description: vscode.l10n.t('enter the host and port yourself'), value: OTHER },
    ];
    const pick = await this.deps.prompts.pick(items, { title: this.title, placeHolder: vscode.l10n.t('Which provider is the account with?') });
    return pick?.value;
  }

  private input(prompt: string, value?: string, validate?: (v: string) => string | undefined): Thenable<string | undefined> {
    return this.deps.prompts.input({ title: this.title, prompt, value, validate });
  }

  /** Other SMTP server: host, port and security. */
  private async askServer(entry: AccountSetting): Promise<boolean> {
    const host = await this.input(vscode.l10n.t('SMTP server host name'), undefined, (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : vscode.l10n.t('Enter a host name such as smtp.example.com.')));
    if (host === undefined) return false;
    const securities: Choice<{ security: SmtpSecurity; port: number }>[] = [
      { label: vscode.l10n.t('STARTTLS on port 587'), description: vscode.l10n.t('encryption required before logging in'), value: { security: 'starttls', port: 587 } },
      { label: vscode.l10n.t('TLS on port 465'), description: vscode.l10n.t('encrypted from the start'), value: { security: 'tls', port: 465 } },
      { label: vscode.l10n.t('None'), description: vscode.l10n.t('no encryption (a server on this machine only)'), value: { security: 'none', port: 25 } },
    ];
    const security = (await this.deps.prompts.pick(securities, { title: this.title, placeHolder: vscode.l10n.t('How is the connection secured?') }))?.value;
    if (!security) return false;
    const port = await this.input(vscode.l10n.t('SMTP port'), String(security.port), (v) =>
      /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : vscode.l10n.t('Enter a port from 1 to 65535.'),
    );
    if (port === undefined) return false;
    Object.assign(entry, { host: host.trim(), port: Number(port), security: security.security });
    return true;
  }

  /**
   * The provider's rule in one sentence (the pick's title), with its help page one item away: the page opens and the
   * rule stays on screen. Microsoft offers sign-in first; a password remains possible where the admin allows it.
   */
  private async explainRule(preset: ProviderPreset, switching: boolean): Promise<'password' | 'oauth2' | undefined> {
    const microsoft = preset.auth === 'oauth2-microsoft';
    for (;;) {
      const items: Choice<'password' | 'oauth2' | 'help'>[] = microsoft
        ? [
            { label: vscode.l10n.t('Sign in with Microsoft'), detail: vscode.l10n.t('OAuth 2.0: no password is stored'), value: 'oauth2' },
            ...(switching ? [] : [{ label: vscode.l10n.t('Use a password'), detail: vscode.l10n.t('only where the admin allows basic authentication'), value: 'password' as const }]),
          ]
        : [
            {
              label:
                preset.auth === 'authorization-code'
                  ? vscode.l10n.t('I have the authorization code (授权码)')
                  : preset.auth === 'app-password'
                    ? vscode.l10n.t('I have the app password')
                    : vscode.l10n.t('Enter the password'),
              value: 'password',
            },
          ];
      items.push({ label: vscode.l10n.t('Open the help page'), detail: preset.helpUrl, value: 'help' });
      const pick = await this.deps.prompts.pick(items, { title: preset.rule, placeHolder: preset.rule });
      if (!pick?.value) return undefined;
      if (pick.value !== 'help') return pick.value;
      await this.deps.openExternal(vscode.Uri.parse(preset.helpUrl));
    }
  }

  /** The organisation's app registration: its client id, and the tenant. */
  private async askMicrosoftApp(preset: ProviderPreset | undefined): Promise<{ clientId?: string; tenant: string } | undefined> {
    const personal = preset?.id === 'outlook';
    const clientId = await this.input(
      personal
        ? vscode.l10n.t('Application (client) ID of an app registration allowed to send mail (empty: VS Code\'s own)')
        : vscode.l10n.t('Application (client) ID of your organisation\'s app registration with the SMTP.Send permission'),
      undefined,
      (v) => (personal || /^[0-9a-f-]{36}$/i.test(v.trim()) ? undefined : vscode.l10n.t('Enter the ID (a GUID) from the app registration in Microsoft Entra.')),
    );
    if (clientId === undefined) return undefined;
    const tenant = await this.input(vscode.l10n.t('Directory (tenant) ID or domain'), personal ? 'consumers' : 'organizations', (v) =>
      v.trim() ? undefined : vscode.l10n.t('Enter a tenant, or organizations.'),
    );
    if (tenant === undefined) return undefined;
    return { ...(clientId.trim() ? { clientId: clientId.trim() } : {}), tenant: tenant.trim() };
  }

  /** The entry as the settings will read it (the preset's server filled in); undefined after reporting a bad field. */
  private checked(entry: AccountSetting): Account | undefined {
    try {
      const settings = this.deps.accounts.settings();
      return namedAccounts({ ...settings, accounts: [entry] })[0];
    } catch (e) {
      void this.deps.notifications.failed(e);
      return undefined;
    }
  }

  /** The connection test, with the password typed (stored once the server accepts it); a failure asks whether to save anyway. */
  private async test(account: Account, password: string | undefined): Promise<boolean> {
    if (password) this.deps.login.offer(account, password);
    const settings = this.deps.accounts.settings();
    const result = await this.deps.mailer.testAccount(account, settings);
    if (result) return true;
    const items: Choice<boolean>[] = [
      { label: vscode.l10n.t('Save the account anyway'), detail: vscode.l10n.t('the connection can be tested later with Email: Test SMTP Connection'), value: true },
      { label: vscode.l10n.t('Cancel'), value: false },
    ];
    const pick = await this.deps.prompts.pick(items, { title: this.title, placeHolder: vscode.l10n.t('The connection test failed (see the message). Save the account anyway?') });
    return pick?.value === true;
  }

  /** Where the account is kept: the user's settings (every workspace), this workspace, or one folder. */
  private async pickLevel(): Promise<{ level: AccountLevel; scope?: vscode.Uri } | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const items: Choice<{ level: AccountLevel; scope?: vscode.Uri }>[] = [
      { label: vscode.l10n.t('User settings'), detail: vscode.l10n.t('every workspace on this computer'), value: { level: 'user' } },
    ];
    // An untrusted workspace's own settings would be ignored for accounts: only the user's are offered there.
    if (this.deps.accounts.isTrusted() && folders.length > 0) {
      items.push({ label: vscode.l10n.t('Workspace settings'), detail: vscode.l10n.t('this workspace only'), value: { level: 'workspace' } });
      if (folders.length > 1) {
        for (const f of folders) items.push({ label: vscode.l10n.t('Folder settings: {0}', f.name), detail: f.uri.fsPath, value: { level: 'folder', scope: f.uri } });
      }
    }
    const pick = await this.deps.prompts.pick(items, { title: this.title, placeHolder: vscode.l10n.t('Where should the account be kept?') });
    return pick?.value;
  }
}

/** A first name for the account: the provider's id, or the address's domain. */
function suggestName(preset: ProviderPreset | typeof OTHER, address: string): string {
  if (preset !== OTHER) return preset.id;
  return address.split('@')[1]?.split('.')[0] ?? 'mail';
}
