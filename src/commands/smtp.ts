import type { Mailer } from '../mailer';

/** Email: Test SMTP Connection. */
export function testConnectionCommand(mailer: Mailer) {
  return () => mailer.testConnection();
}

/** Email: Set SMTP Password. */
export function setPasswordCommand(mailer: Mailer) {
  return () => mailer.setPassword();
}

/** Email: Clear SMTP Password. */
export function clearPasswordCommand(mailer: Mailer) {
  return () => mailer.clearPassword();
}
