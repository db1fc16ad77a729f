import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

/** Milliseconds `task` took. */
export async function timeIt(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return performance.now() - start;
}

export interface RepeatOptions {
  /** Untimed runs first: module loading and JIT would otherwise land in the first samples. @default 2 */
  warmup?: number;
  /**
   * Untimed pause before each run. Discovery needs one: miniupnpd answers each M-SEARCH 50 ms
   * late, and a client that always searches from port 1900 would otherwise catch the late
   * answer to its previous run's search. @default 0
   */
  pauseMs?: number;
}

/**
 * Runs `task` `repetitions` times, timed, after the warm-up runs. `task` gets the run number, so
 * each run can use its own port (warm-up runs get the numbers after the timed ones).
 */
export async function repeat(repetitions: number, task: (index: number) => Promise<unknown>, options: RepeatOptions = {}): Promise<number[]> {
  const { warmup = 2, pauseMs = 0 } = options;
  const settle = (): Promise<unknown> => (pauseMs > 0 ? sleep(pauseMs) : Promise.resolve());
  for (let index = 0; index < warmup; index++) {
    await settle();
    await task(repetitions + index);
  }
  const samples: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    await settle();
    samples.push(await timeIt(() => task(index)));
  }
  return samples;
}

/** The pause between two discoveries (see `RepeatOptions.pauseMs`). */
export const discoveryPause: RepeatOptions = { pauseMs: 150 };

/** One row measured in turns: `timed` is timed, `after` (a cleanup) is not. */
export interface TurnTask<T = unknown> {
  timed(round: number): Promise<T>;
  after?(value: T, round: number): Promise<unknown>;
}

/**
 * Runs every task once per round, in turn, `rounds` times after `warmup` untimed rounds, and
 * returns each task's samples: a change in the machine's load then touches every row alike, which
 * matters where rows are compared with each other (a floor and its clients).
 */
export async function inTurns(rounds: number, tasks: readonly TurnTask<any>[], warmup = 2): Promise<number[][]> {
  const samples = tasks.map((): number[] => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [index, task] of tasks.entries()) {
      const start = performance.now();
      const value: unknown = await task.timed(round);
      const elapsed = performance.now() - start;
      if (round >= warmup) samples[index]!.push(elapsed);
      await task.after?.(value, round);
    }
  }
  return samples;
}
