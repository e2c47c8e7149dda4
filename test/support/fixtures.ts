import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SendAsEmailError, type ErrorCode } from '../../src/core/errors';
import { projectRoot } from './root';

/** The compose fixture workspace (images of every type, a Chinese file name, an attachment). */
export const COMPOSE_FIXTURE = path.join(projectRoot(), 'test', 'fixtures', 'compose', 'ws');

/**
 * A copy of the compose fixture workspace in a temp folder, with a folder outside it (holding a "secret"
 * image and a fake private key) and a symlink `ws/link` escaping into that folder. Remove `root` afterwards.
 */
export function makeWorkspace(prefix: string): { root: string; ws: string; outside: string } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const ws = path.join(root, 'ws');
  fs.cpSync(COMPOSE_FIXTURE, ws, { recursive: true });
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.copyFileSync(path.join(ws, 'img', 'bg.png'), path.join(outside, 'secret.png'));
  fs.writeFileSync(path.join(outside, 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n');
  fs.symlinkSync(outside, path.join(ws, 'link'));
  return { root, ws, outside };
}

export const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** Awaits `p` and asserts it rejected with a SendAsEmailError of `code`; returns that error. */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<SendAsEmailError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SendAsEmailError, String(e));
    assert.strictEqual(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}
