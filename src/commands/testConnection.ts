import type * as vscode from 'vscode';
import type { VerifyResult } from '../core/types';
import type { Mailer } from '../vscode/mailer';
import { settingsScope } from './scope';

/** Email: Test SMTP Connection — connects, negotiates TLS, logs in and reports what the server offers, sending nothing. */
export function testConnectionCommand(mailer: Mailer) {
  return async (uri?: vscode.Uri): Promise<VerifyResult | undefined> => {
    const picked = await settingsScope(uri);
    return picked ? mailer.testConnection(picked.scope) : undefined;
  };
}
