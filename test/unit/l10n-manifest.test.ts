// The manifest in English and Simplified Chinese: every user-facing string of package.json is a %key% of
// package.nls.json, and package.nls.zh-cn.json translates every key, keeping what must stay as written.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NLS_KEY, readNls } from '../support/nls';
import { projectRoot } from '../support/root';

const root = projectRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

/** Fields of a contribution that VS Code shows to the user. */
const USER_FACING = new Set([
  'title',
  'category',
  'description',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'markdownDeprecationMessage',
]);

/** Every string in `value`, with where it is (`contributes.commands[0].title`). */
function strings(value: unknown, at: string): { at: string; text: string }[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/** The user-facing strings of `contributes`: the values of USER_FACING fields, at any depth (setting ids are not fields). */
function userFacing(value: unknown, at: string): { at: string; text: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => userFacing(v, `${at}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${at}.${k}`;
    if (!USER_FACING.has(k)) return userFacing(v, here);
    return Array.isArray(v) ? v.map((text, i) => ({ at: `${here}[${i}]`, text })) : [{ at: here, text: v }];
  });
}

/**
 * What a translation keeps exactly as written, in order: `{0}` arguments, backticked code spans (a
 * `#sendAsEmail.x#` link inside one counts as part of it), and #sendAsEmail.x# setting links outside code.
 */
function placeholders(text: string): string[] {
  return text.match(/`[^`\n]*`|#sendAsEmail\.[\w.]+#|\{\d+\}/g) ?? [];
}

/** Whether `text` has words to translate once its placeholders are taken out. */
function hasWords(text: string): boolean {
  return /\p{L}/u.test(text.replace(/`[^`\n]*`|#sendAsEmail\.[\w.]+#|\{\d+\}/g, ''));
}

describe('manifest localisation (package.nls.json, package.nls.zh-cn.json)', () => {
  const en = readNls(root);
  const zh = readNls(root, 'zh-cn');
  const used = strings(pkg, '').flatMap((s) => {
    const m = NLS_KEY.exec(s.text);
    return m ? [{ at: s.at, key: m[1]! }] : [];
  });

  it('finds every %key% of package.json in package.nls.json, and every key there is used', () => {
    assert.ok(used.length >= 30, `only ${used.length} %key% references in package.json`);
    const missing = used.filter((u) => typeof en[u.key] !== 'string').map((u) => `${u.at}: %${u.key}%`);
    assert.deepStrictEqual(missing, [], 'package.json names keys package.nls.json lacks');
    const unused = Object.keys(en).filter((k) => !used.some((u) => u.key === k));
    assert.deepStrictEqual(unused, [], 'package.nls.json has keys package.json never uses');
  });

  it('leaves no user-facing string of the manifest as a literal', () => {
    const fields = [
      ...userFacing(pkg.contributes, 'contributes'),
      { at: 'displayName', text: pkg.displayName },
      { at: 'description', text: pkg.description },
      { at: 'capabilities.untrustedWorkspaces.description', text: (pkg.capabilities as { untrustedWorkspaces: { description: unknown } }).untrustedWorkspaces.description },
    ];
    assert.ok(fields.length >= 30, `only ${fields.length} user-facing strings found`);
    const literal = fields.filter((f) => typeof f.text !== 'string' || !NLS_KEY.test(f.text)).map((f) => `${f.at}: ${JSON.stringify(f.text)}`);
    assert.deepStrictEqual(literal, [], 'user-facing strings that are not %key% references');
  });

  it('has a zh-cn message for every key of package.nls.json and none it lacks', () => {
    const missing = Object.keys(en).filter((k) => !(k in zh));
    const extra = Object.keys(zh).filter((k) => !(k in en));
    assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] });
    const notText = Object.entries(zh).filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    assert.deepStrictEqual(notText, [], 'zh-cn messages that are empty or not strings');
  });

  it('keeps {n} arguments, setting links and code spans, in count and order, in every translation', () => {
    const differ = Object.keys(en)
      .filter((k) => typeof zh[k] === 'string')
      .filter((k) => JSON.stringify(placeholders(en[k]!)) !== JSON.stringify(placeholders(zh[k]!)))
      .map((k) => `${k}: ${JSON.stringify(placeholders(en[k]!))} became ${JSON.stringify(placeholders(zh[k]!))}`);
    assert.deepStrictEqual(differ, []);
    // The check has something to check: the settings' descriptions carry links and code.
    assert.ok(placeholders(en['config.smtp.port.description']!).includes('`#sendAsEmail.smtp.security#`'));
  });

  it('translates every message that has words: none equals its English text, each has Chinese in it', () => {
    const keys = Object.keys(en).filter((k) => typeof zh[k] === 'string' && hasWords(en[k]!));
    const untranslated = keys.filter((k) => zh[k] === en[k]);
    assert.deepStrictEqual(untranslated, [], 'zh-cn messages identical to the English');
    const noChinese = keys.filter((k) => !/\p{Script=Han}/u.test(zh[k]!.replace(/`[^`\n]*`/g, '')));
    assert.deepStrictEqual(noChinese, [], 'zh-cn messages without a Chinese word outside code');
  });

  it('files the commands under 邮件 and names the password command with 授权码, the word QQ and 163 Mail use', () => {
    assert.strictEqual(zh['command.category'], '邮件');
    assert.strictEqual(zh['command.send.title'], '作为邮件发送');
    assert.strictEqual(zh['command.setPassword.title'], '设置 SMTP 密码（授权码）');
    assert.strictEqual(zh['command.openOutbox.title'], '打开发件箱');
  });
});
