import type { Clock } from "../../../src/manager/clock.js";

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => unknown;
}

/**
 * A clock that moves only when told. `advance` fires the timers due on the way in time order and
 * waits for the work each one starts (the promise its callback returns, then the I/O callbacks it
 * set off), so a lease of an hour is renewed in milliseconds of real time. A timer set for now
 * or earlier fires without waiting for `advance`, as a real clock would fire it at once.
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Map<number, Timer>();
  /** The run of timers in progress: advances happen one after the other. */
  #running: Promise<void> = Promise.resolve();
  #autoRunQueued = false;

  /**
   * @param mirror where to also write the time whenever it moves, e.g. a `Float64Array` on a
   *   `SharedArrayBuffer` that a worker thread reads as its clock
   */
  constructor(
    start = 1_700_000_000_000,
    private readonly mirror?: Float64Array,
  ) {
    this.#now = start;
    this.#mirrorTime();
  }

  #mirrorTime(): void {
    if (this.mirror !== undefined) this.mirror[0] = this.#now;
  }

  /** An arrow function, so it can be handed on as `now` (to a virtual gateway, a mapper) as it is. */
  readonly now = (): number => this.#now;

  setTimeout(callback: () => unknown, delayMs: number): unknown {
    const id = this.#order++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), order: id, callback });
    if (delayMs <= 0 && !this.#autoRunQueued) {
      this.#autoRunQueued = true;
      setImmediate(() => {
        this.#autoRunQueued = false;
        void this.advance(0);
      });
    }
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** Timers waiting. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves the time `ms` forward, firing and awaiting every timer due by then. */
  advance(ms: number): Promise<void> {
    const run = this.#running.then(() => this.#advanceTo(this.#now + ms));
    this.#running = run;
    return run;
  }

  /** Moves the time forward in `stepMs` steps until `predicate` holds; rejects after `limitMs` of simulated time. */
  async advanceUntil(predicate: () => boolean, stepMs: number, limitMs: number): Promise<void> {
    for (let spent = 0; !predicate(); spent += stepMs) {
      if (spent >= limitMs) throw new Error(`still not there after ${limitMs} ms of simulated time`);
      await this.advance(stepMs);
    }
  }

  async #advanceTo(target: number): Promise<void> {
    for (let next = this.#earliestBy(target); next !== undefined; next = this.#earliestBy(target)) {
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      this.#mirrorTime();
      await next[1].callback();
      // Lets the sockets deliver what the work set off before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#now = Math.max(this.#now, target);
    this.#mirrorTime();
  }

  #earliestBy(target: number): [number, Timer] | undefined {
    let earliest: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      const timer = entry[1];
      if (timer.at > target) continue;
      if (earliest === undefined || timer.at < earliest[1].at || (timer.at === earliest[1].at && timer.order < earliest[1].order)) earliest = entry;
    }
    return earliest;
  }
}
