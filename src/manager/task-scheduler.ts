import type { Clock } from "./clock.js";

/** A task waiting in a `TaskScheduler`. */
export interface ScheduledTask {
  /** Takes it out of the queue; a task already started runs on. */
  cancel(): void;
}

export interface TaskSchedulerOptions {
  clock: Clock;
  /** Least time between the starts of two tasks, in ms: the pace the gateway is asked at. */
  spacingMs: number;
  /** Most tasks running at once. */
  concurrency: number;
}

interface Entry {
  readonly at: number;
  readonly order: number;
  readonly run: () => Promise<void>;
  /** Position in the heap; -1 once out of it. */
  index: number;
}

/** setTimeout's longest delay; a later task gets a timer that wakes up early and sets the next one. */
const maxTimerDelayMs = 0x7fffffff;

/**
 * Runs tasks when they are due, in due order, at most `concurrency` at once and never two starts
 * closer than `spacingMs`: a thousand renewals due at the same moment reach the gateway as a
 * steady trickle, not a burst. One timer, whatever the number of tasks.
 */
export class TaskScheduler {
  readonly #clock: Clock;
  readonly #spacingMs: number;
  readonly #concurrency: number;
  /** A binary min-heap on (at, order). */
  readonly #heap: Entry[] = [];
  #order = 0;
  #running = 0;
  #lastStart = -Infinity;
  #timer: unknown;
  #timerAt: number | undefined;
  #closed = false;

  constructor(options: TaskSchedulerOptions) {
    this.#clock = options.clock;
    this.#spacingMs = options.spacingMs;
    this.#concurrency = options.concurrency;
  }

  /** Tasks waiting (not yet started). */
  get pending(): number {
    return this.#heap.length;
  }

  /** Queues `run` for `at` (ms on the clock). `run` reports its own failures; a rejection is ignored. */
  schedule(at: number, run: () => Promise<void>): ScheduledTask {
    const entry: Entry = { at, order: this.#order++, run, index: -1 };
    if (!this.#closed) {
      this.#push(entry);
      this.#arm();
    }
    return {
      cancel: () => {
        if (entry.index < 0) return;
        this.#remove(entry);
        this.#arm();
      },
    };
  }

  /** Drops every waiting task and the timer; running tasks finish on their own. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#heap) entry.index = -1;
    this.#heap.length = 0;
    this.#disarm();
  }

  /** Sets the one timer for the earliest moment the next task may start, if one may. */
  #arm(): void {
    const next = this.#heap[0];
    if (this.#closed || next === undefined || this.#running >= this.#concurrency) return this.#disarm();
    const at = Math.max(next.at, this.#lastStart + this.#spacingMs);
    if (this.#timerAt === at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.min(maxTimerDelayMs, Math.max(0, at - this.#clock.now())));
  }

  #disarm(): void {
    if (this.#timerAt === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  /** Starts what may start now; resolves when those tasks have finished. */
  #fire(): Promise<void> {
    this.#timer = undefined;
    this.#timerAt = undefined;
    const started: Array<Promise<void>> = [];
    const now = this.#clock.now();
    for (let next = this.#heap[0]; next !== undefined && this.#mayStart(next, now); next = this.#heap[0]) {
      this.#remove(next);
      this.#running++;
      this.#lastStart = now;
      const { run } = next;
      started.push(
        Promise.resolve()
          .then(run)
          // A task reports its own failures; one that rejects anyway must not stop the others.
          .catch(() => {})
          .finally(() => {
            this.#running--;
            this.#arm();
          }),
      );
    }
    this.#arm();
    return Promise.all(started).then(() => undefined);
  }

  #mayStart(entry: Entry, now: number): boolean {
    return !this.#closed && this.#running < this.#concurrency && entry.at <= now && now >= this.#lastStart + this.#spacingMs;
  }

  #push(entry: Entry): void {
    entry.index = this.#heap.length;
    this.#heap.push(entry);
    this.#siftUp(entry.index);
  }

  #remove(entry: Entry): void {
    const last = this.#heap.pop()!;
    if (last !== entry) {
      this.#heap[entry.index] = last;
      last.index = entry.index;
      this.#siftUp(last.index);
      this.#siftDown(last.index);
    }
    entry.index = -1;
  }

  #before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  #swap(i: number, j: number): void {
    const a = this.#heap[i]!;
    const b = this.#heap[j]!;
    this.#heap[i] = b;
    this.#heap[j] = a;
    b.index = i;
    a.index = j;
  }

  #siftUp(index: number): void {
    for (let i = index; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#before(this.#heap[i]!, this.#heap[parent]!)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number): void {
    for (let i = index; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < this.#heap.length && this.#before(this.#heap[left]!, this.#heap[first]!)) first = left;
      if (right < this.#heap.length && this.#before(this.#heap[right]!, this.#heap[first]!)) first = right;
      if (first === i) return;
      this.#swap(i, first);
      i = first;
    }
  }
}
