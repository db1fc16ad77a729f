import { TimeoutError } from "../errors/errors.js";

/** Options every async call of porthole accepts. */
export interface CallOptions {
  /** Cancels the call; the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Time budget for the whole call, in milliseconds. Each call documents its default. */
  timeoutMs?: number | undefined;
}

/**
 * A time budget joined with the caller's signal. `signal` aborts with a `TimeoutError` when the
 * budget runs out, or with the caller's own reason when the caller aborts; `dispose()` must be
 * called when the step ends so that no timer outlives it. `end(reason)` disposes and aborts
 * `signal` too, which stops whatever work the step started and no longer waits for.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  dispose(): void;
  end(reason: unknown): void;
}

export function startDeadline(
  what: string,
  timeoutMs: number,
  callerSignal?: AbortSignal,
): Deadline {
  // One controller for the budget, the caller and the end: AbortSignal.any() and an abort
  // without a reason (a DOMException) each cost more than a PCP request's own work (docs/benchmarks.md).
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) {
    controller.abort(callerSignal.reason);
    return { signal: controller.signal, dispose: () => {}, end: () => {} };
  }
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs >= 0
      ? setTimeout(() => controller.abort(new TimeoutError(what, timeoutMs)), timeoutMs)
      : undefined;
  const dispose = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  };
  return {
    signal: controller.signal,
    dispose,
    end(reason) {
      dispose();
      controller.abort(reason);
    },
  };
}

/** Runs `task` under a deadline and always disposes it (`settle`: how, by default `dispose()`). */
export async function withDeadline<T>(
  what: string,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  task: (signal: AbortSignal) => Promise<T>,
  settle: (deadline: Deadline) => void = (deadline) => deadline.dispose(),
): Promise<T> {
  const deadline = startDeadline(what, timeoutMs, callerSignal);
  try {
    deadline.signal.throwIfAborted();
    return await task(deadline.signal);
  } finally {
    settle(deadline);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Settles as `work` does, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first: for work done by code that may not honour the signal (a `PortMapper` written by
 * someone else). A failure of `work` after that is ignored, not left unhandled.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** What one request of a call is given: the caller's signal and its share of the budget. */
export interface RequestOptions {
  signal: AbortSignal | undefined;
  timeoutMs: number;
}

/**
 * A call's budget for requests made one after another, without a deadline's controller and
 * timer: each request gets the caller's signal and what is left of the budget (the first gets all
 * of it) and keeps its own time. Only for calls that await every request they start; one that
 * leaves work running needs `withCallScope`. On a cold path each controller and timer shows
 * (docs/benchmarks.md).
 */
export class SequentialBudget {
  readonly #timeoutMs: number;
  /** The caller's signal, which every request gets. */
  readonly signal: AbortSignal | undefined;
  #firstAt: number | undefined;

  constructor(timeoutMs: number, signal: AbortSignal | undefined) {
    this.#timeoutMs = timeoutMs;
    this.signal = signal;
  }

  /** The options of the next request. */
  next(): RequestOptions {
    const now = performance.now();
    this.#firstAt ??= now;
    return { signal: this.signal, timeoutMs: Math.max(0, this.#timeoutMs - (now - this.#firstAt)) };
  }
}
