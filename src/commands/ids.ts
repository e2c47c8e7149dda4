/** Every command the extension contributes; `package.json` must list exactly these (checked by a unit test). */
export const CommandId = {
  send: 'sendAsEmail.send',
  preview: 'sendAsEmail.preview',
  saveEml: 'sendAsEmail.saveEml',
  testConnection: 'sendAsEmail.testConnection',
  setPassword: 'sendAsEmail.setPassword',
  clearPassword: 'sendAsEmail.clearPassword',
  openOutbox: 'sendAsEmail.openOutbox',
  showLog: 'sendAsEmail.showLog',
  setUp: 'sendAsEmail.setUp',
  openExample: 'sendAsEmail.openExample',
  addAccount: 'sendAsEmail.addAccount',
  switchAccount: 'sendAsEmail.switchAccount',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
