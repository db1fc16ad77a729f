import { withDeadline } from "./deadline.js";

/**
 * Runs `task` under a deadline whose signal also aborts once `task` settles: requests it started
 * side by side and no longer waits for (the loser of a `Promise.all` that rejected) stop with it
 * and close their sockets, instead of running on until their own budget ends.
 */
export function withCallScope<T>(what: string, timeoutMs: number, callerSignal: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(what, timeoutMs, callerSignal, task, (deadline) => deadline.end(callEnded));
}

/**
 * The reason the leftovers of a settled call stop with. Nobody waits for them, so it is made once:
 * an error's stack, taken at every call's end, costs more than a PCP request's own work.
 */
export const callEnded = new Error("the call that made this request has ended");
