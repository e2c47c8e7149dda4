/**
 * The context keys the extension sets, which the walkthrough "Send your first email" completes its steps on
 * (package.json `contributes.walkthroughs`, `onContext:` events; a unit test keeps the two in step). Plain: no `vscode`.
 */
export const ContextKey = {
  /** A server and a sender are set, in the User or workspace settings or a folder's. */
  accountReady: 'sendAsEmail.accountReady',
  /** A preview opened in this session. */
  previewOpened: 'sendAsEmail.previewOpened',
  /** Send Test to Me was accepted by the server in this session. */
  testSent: 'sendAsEmail.testSent',
} as const;
