/**
 * Sending a merge: see types.ts for the contract. (First commit: the signature; the implementation follows.)
 */
import { ErrorCode, SendAsEmailError } from '../errors';
import type { MergeOutcome, MergePlan, RunMergeOptions } from './types';

export async function runMerge(plan: MergePlan, options: RunMergeOptions): Promise<MergeOutcome> {
  void options;
  throw new SendAsEmailError(ErrorCode.UNEXPECTED, `runMerge is not implemented yet (${plan.mergeId})`);
}
