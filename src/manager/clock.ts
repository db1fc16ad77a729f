/**
 * Where managed mappings read the time and set their timers. Tests pass a clock of their own, so
 * leases, checks, back-off and reboots run in simulated time instead of being slept through.
 */
export interface Clock {
  /** The time in milliseconds, as `Date.now`. */
  now(): number;
  /**
   * Calls `callback` after `delayMs`. The callback may return the promise of the work it started:
   * the system clock ignores it, a test clock may wait for it before moving time on.
   */
  setTimeout(callback: () => unknown, delayMs: number): unknown;
  /** Cancels a timer `setTimeout` returned; a timer already fired or cancelled is ignored. */
  clearTimeout(timer: unknown): void;
}

/**
 * Date.now and the process's timers. A timer keeps the process alive, as a listening server does:
 * a program holding a port open runs until it closes it.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
