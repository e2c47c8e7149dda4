import type { Log } from './log';
import type { SmtpSecrets } from './secrets';
import type { Mailer } from './mailer';
import type { PreviewTestApi } from './preview/testApi';
import type { SwitchablePrompts } from './ui';

/** What `activate()` returns: used by the integration tests (and by nothing else). */
export interface SendAsEmailApi {
  readonly secrets: SmtpSecrets;
  readonly log: Log;
  readonly mail: Mailer;
  /** Folder holding `outbox/` and `sent/` (extension global storage). */
  readonly outboxDir: string;
  readonly preview: PreviewTestApi;
  /** Notification and password prompts; tests put scripted answers in place with `prompts.use(...)`. */
  readonly prompts: SwitchablePrompts;
}
