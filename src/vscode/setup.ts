/**
 * Whether sending is set up, and where the user sets it up. An account needs a server (`smtp.host`) and a sender
 * (`from`, from the settings or the document); port and security have defaults, and a server may need no login. Until
 * then the preview still shows the message (with a stand-in sender) and offers Set Up Sending in place of an error.
 */
import type { EmailSettings } from '../core/settings';
import { openSettings } from './settings';

/** The sender the preview composes with while `from` is not set (the reserved .invalid domain: never a real one). */
export const STAND_IN_FROM = 'you@sender.invalid';

/** The settings still to fill in (below `sendAsEmail.`), in the order a user fills them; `composedFrom`: the From the message got. */
export function missingSetup(settings: EmailSettings, composedFrom?: string): string[] {
  const missing: string[] = [];
  if (!settings.smtp.host.trim()) missing.push('smtp.host');
  if (composedFrom === undefined ? !settings.from.trim() : composedFrom.includes(STAND_IN_FROM)) missing.push('from');
  return missing;
}

/** True when a document in this scope can be sent once written: a server and a sender are set. */
export function accountReady(settings: EmailSettings): boolean {
  return missingSetup(settings).length === 0;
}

/**
 * Opens the settings to fill in: the missing ones, with the server's port, security and user beside a missing host
 * (they are asked for together); nothing missing, the whole account. The guided Add Account flow takes this place
 * once it exists.
 */
export function openSetup(missing: readonly string[]): Thenable<unknown> {
  const keys = (missing.length > 0 ? missing : ['smtp.host', 'from']).flatMap((k) =>
    k === 'smtp.host' ? ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.user'] : [k],
  );
  return openSettings(keys);
}

