import type { Logger } from '../../src/core/types';

/** A Logger that keeps every line (all levels alike) in `lines`, for checking what was logged. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => void lines.push(m);
  return { lines, info: push, warn: push, error: push, debug: push };
}
