import { withDeadline } from "./deadline.js";

/**
 * Runs `task` under a deadline, with a signal that also aborts once `task` settles: requests it
 * started side by side and no longer waits for (the loser of a `Promise.all` that rejected) stop
 * with it and close their sockets, instead of running on until their own budget ends.
 */
export function withCallScope<T>(what: string, timeoutMs: number, callerSignal: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(what, timeoutMs, callerSignal, async (deadlineSignal) => {
    const settled = new AbortController();
    try {
      return await task(AbortSignal.any([deadlineSignal, settled.signal]));
    } finally {
      settled.abort(new Error(`${what} has ended`));
    }
  });
}
