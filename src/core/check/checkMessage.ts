/**
 * The recipients check's entry: what the preview's Clients tab and `send-as-email check` call.
 */
import type { CheckInput, CheckReport } from './types';

export async function checkMessage(input: CheckInput): Promise<CheckReport> {
  void input;
  return { issues: [], clients: [], families: [], untested: ['QQ Mail', 'NetEase 163', 'Foxmail'], dataDate: '' };
}
