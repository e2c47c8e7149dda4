import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CommandId } from '../../src/commands/ids';
import { ContextKey } from '../../src/vscode/contextKeys';
import { SETTINGS, SETTINGS_SECTION } from '../../src/core/settings';
import { configurationSections, contributedSettings } from '../support/manifest';
import { readNls, resolveNls } from '../support/nls';
import { projectRoot } from '../support/root';

const root = projectRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** A manifest string as VS Code shows it in English: `%key%` looked up in package.nls.json. */
const english = (value: string): string => resolveNls(value, readNls(root));

interface ContributedCommand { command: string; title: string; category?: string }
interface MenuItem { command: string; when?: string }
interface SettingContribution {
  type: string;
  default: unknown;
  enum?: string[];
  markdownDescription?: string;
  markdownEnumDescriptions?: string[];
  scope?: string;
}

/**
 * The category the Settings editor shows before a setting's name ("Smtp" in "Smtp: Ca File"): the key without its
 * last part, less the longest leading (else trailing) part of the id of the section holding it, as VS Code trims it
 * (settingsTree.ts, settingKeyToDisplayFormat).
 */
function displayCategory(key: string, sectionId: string): string {
  const category = key.slice(0, key.lastIndexOf('.'));
  const trim = (forward: boolean): string | undefined => {
    const parts = sectionId.split('.');
    while (parts.length > 0) {
      const re = new RegExp(`^${parts.join('\\.')}(\\.|$)`, 'i');
      if (re.test(category)) return category.replace(re, '');
      if (forward) parts.pop();
      else parts.shift();
    }
    return undefined;
  };
  return trim(true) ?? trim(false) ?? category;
}

describe('package.json manifest', () => {
  const commands: ContributedCommand[] = pkg.contributes.commands;
  const properties = contributedSettings<SettingContribution>(pkg);

  it('contributes exactly the commands of the CommandId table, each in category "Email"', () => {
    assert.deepStrictEqual(commands.map((c) => c.command).sort(), Object.values(CommandId).sort());
    for (const c of commands) {
      assert.strictEqual(c.category && english(c.category), 'Email', `${c.command} has no "Email" category`);
      assert.match(english(c.title), /^[A-Z]/, `${c.command} title is not in title case`);
    }
  });

  it('gives every menu entry a when clause and points only at contributed commands', () => {
    const ids = new Set(commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, MenuItem[]>)) {
      for (const item of items) {
        assert.ok(ids.has(item.command), `${menu} names unknown command ${item.command}`);
        assert.ok(item.when && /markdown/.test(item.when) && /html/.test(item.when), `${menu} entry ${item.command} lacks a Markdown/HTML when clause`);
      }
    }
  });

  it('contributes exactly the settings of the SETTINGS table with matching types and defaults', () => {
    const expected = SETTINGS.map((s) => `${SETTINGS_SECTION}.${s.key}`).sort();
    assert.deepStrictEqual(Object.keys(properties).sort(), expected);
    for (const spec of SETTINGS) {
      const key = `${SETTINGS_SECTION}.${spec.key}`;
      const p = properties[key]!;
      assert.strictEqual(p.type, spec.type, `${key} type`);
      assert.deepStrictEqual(p.default, spec.default, `${key} default`);
      assert.deepStrictEqual(p.enum, spec.enum as string[] | undefined, `${key} enum`);
      if (p.enum) assert.strictEqual(p.markdownEnumDescriptions?.length, p.enum.length, `${key} enum descriptions`);
      for (const d of p.markdownEnumDescriptions ?? []) assert.ok(english(d).length > 20, `${key} has an empty enum description`);
      assert.ok(p.markdownDescription && english(p.markdownDescription).length > 20, `${key} has no markdownDescription`);
      assert.ok(p.scope, `${key} has no explicit scope`);
    }
  });

  it('groups the settings into titled sections whose ids the Settings editor trims from the labels ("Host", not "Smtp: Host")', () => {
    const sections = configurationSections(pkg);
    assert.deepStrictEqual(
      sections.map((s) => english(s.title)),
      ['SMTP Server', 'Sender and Recipients', 'Content and Images'],
    );
    assert.deepStrictEqual(
      sections.map((s) => s.order),
      [1, 2, 3],
    );
    const categories: Record<string, string> = {};
    for (const s of sections) {
      assert.ok(s.id && s.id.startsWith(`${SETTINGS_SECTION}.`), `section ${s.title} has no id below ${SETTINGS_SECTION}`);
      for (const key of Object.keys(s.properties)) categories[key.slice(SETTINGS_SECTION.length + 1)] = displayCategory(key, s.id);
    }
    // What the Settings editor shows before a setting's name: nothing for the SMTP and sender settings.
    assert.deepStrictEqual(categories, {
      'smtp.host': '',
      'smtp.port': '',
      'smtp.security': '',
      'smtp.user': '',
      'smtp.caFile': '',
      'smtp.rejectUnauthorized': '',
      'smtp.timeoutSeconds': '',
      from: '',
      to: '',
      cc: '',
      bcc: '',
      replyTo: '',
      'markdown.stylesheet': 'markdown',
      inlineCss: '',
      'images.allowOutsideWorkspace': 'images',
      'images.embedRemote': 'images',
    });
    assert.deepStrictEqual(
      Object.keys(sections[0]!.properties).map((k) => k.slice(SETTINGS_SECTION.length + 1)),
      SETTINGS.filter((x) => x.key.startsWith('smtp.')).map((x) => x.key),
    );
  });

  it('lets every setting come from User settings in local and remote windows alike, and each folder name its own server', () => {
    // In a remote window (Remote-SSH, WSL, Dev Containers, Codespaces, code-server) VS Code reads `machine` and
    // `machine-overridable` settings only from the Remote settings: a user's own settings.json would be ignored.
    // `application` settings cannot be set per workspace or folder. `resource` settings are read from all of them.
    for (const [key, p] of Object.entries(properties)) assert.strictEqual(p.scope, 'resource', `${key} scope`);
  });

  it('restricts the SMTP target settings under Workspace Trust', () => {
    const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    const expected = SETTINGS.filter((s) => s.restricted).map((s) => `${SETTINGS_SECTION}.${s.key}`).sort();
    assert.deepStrictEqual([...restricted].sort(), expected);
    for (const key of ['smtp.host', 'smtp.port', 'smtp.user', 'smtp.security', 'from']) {
      assert.ok(restricted.includes(`${SETTINGS_SECTION}.${key}`), `${key} must be restricted`);
    }
  });

  it('contributes the walkthrough "Send your first email": three steps that complete themselves, each with a text, a button and an image', () => {
    const walkthroughs = pkg.contributes.walkthroughs as {
      id: string;
      title: string;
      description: string;
      steps: { id: string; title: string; description: string; media: { svg?: string; altText: string }; completionEvents: string[] }[];
    }[];
    assert.strictEqual(walkthroughs.length, 1);
    const [w] = walkthroughs;
    assert.strictEqual(w!.id, 'sendFirstEmail');
    assert.strictEqual(english(w!.title), 'Send your first email');
    assert.ok(english(w!.description).length > 20);
    assert.deepStrictEqual(
      w!.steps.map((s) => [s.id, s.completionEvents]),
      [
        ['setUpAccount', [`onContext:${ContextKey.accountReady}`]],
        // Also when a preview command runs from VS Code's UI: a context key already set when the walkthrough registers
        // never ticks a step off in that session (VS Code counts it as seen).
        ['previewDocument', [`onContext:${ContextKey.previewOpened}`, `onCommand:${CommandId.openExample}`, `onCommand:${CommandId.preview}`, `onCommand:${CommandId.send}`]],
        ['sendTestToMe', [`onContext:${ContextKey.testSent}`]],
      ],
    );
    const commandIds = new Set(commands.map((c) => c.command));
    for (const step of w!.steps) {
      assert.ok(english(step.title).length > 5, `${step.id} has no title`);
      const text = english(step.description);
      const buttons = [...text.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      assert.strictEqual(buttons.length, 1, `${step.id}: one button, got ${buttons.join(', ')}`);
      assert.ok(commandIds.has(buttons[0]!), `${step.id} button runs ${buttons[0]}, which is not contributed`);
      assert.ok(step.media.svg && /^media\/walkthrough\/[\w-]+\.svg$/.test(step.media.svg), `${step.id} image`);
      assert.match(fs.readFileSync(path.join(root, step.media.svg), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(english(step.media.altText).length > 10, `${step.id} has no alt text`);
    }
  });

  it('activates only on its commands and targets VS Code 1.100 with matching @types/vscode', () => {
    assert.deepStrictEqual(pkg.activationEvents, []);
    assert.strictEqual(pkg.engines.vscode, '^1.100.0');
    const types = pkg.devDependencies['@types/vscode'] as string;
    const [major, minor] = types.replace(/^[~^]/, '').split('.').map(Number);
    assert.ok(major === 1 && minor! <= 100, `@types/vscode ${types} is newer than the engine`);
    assert.strictEqual(pkg.main, './dist/extension.js');
    assert.ok(pkg.bin['send-as-email']);
  });

  it('packages only what .vscodeignore allows: the bundle, media, the manifest and its translations, the READMEs, CHANGELOG, LICENSE', function () {
    this.timeout(60_000);
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();
    const allowed = [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'README.zh-CN.md',
      'dist/extension.js',
      'dist/lazy-data-urls.js',
      'l10n/bundle.l10n.json',
      'l10n/bundle.l10n.zh-cn.json',
      'media/icon.png',
      'media/preview-screenshot.png',
      'media/preview.css',
      'media/preview.js',
      'media/walkthrough/account.svg',
      'media/walkthrough/preview.svg',
      'media/walkthrough/test.svg',
      'package.json',
      'package.nls.json',
      'package.nls.zh-cn.json',
    ];
    assert.deepStrictEqual(listed, allowed);
  });
});
