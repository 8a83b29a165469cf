/**
 * What the benches that drive child processes share: a question to a child over its IPC channel,
 * answered by the first message of the expected type, and the median of repeated rounds.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Sends `message` (if any) and resolves with the child's first message of type `type`; rejects
 * after `timeoutMs` so a stuck child fails the bench instead of hanging it.
 */
export function ask<T extends { type: string }>(
  proc: ChildProcess,
  message: object | undefined,
  type: T['type'],
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('message', onMessage);
      reject(new Error(`no ${type} from child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply: T): void => {
      if (reply.type !== type) return;
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(reply);
    };
    proc.on('message', onMessage);
    if (message) proc.send(message);
  });
}

/** The median (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
