/**
 * Strings unique to this process and call (temporary file names, the MIME writer's part markers): one random draw per
 * process, so no message or other process can guess them, then a counter (a random draw each time showed in a merge's
 * profile).
 */
import * as crypto from 'crypto';

let prefix: string | undefined;
let count = 0;

export function processUnique(): string {
  prefix ??= crypto.randomBytes(12).toString('hex');
  return `${prefix}${(count++).toString(36)}`;
}
