import { test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../src/manager/clock.js";
import { TaskScheduler } from "../../src/manager/task-scheduler.js";
import { ManualClock } from "./support/manual-clock.js";

test("tasks start in due order, ties in the order queued, and never closer together than spacingMs", async () => {
  const clock = new ManualClock(0);
  const scheduler = new TaskScheduler({ clock, spacingMs: 10, concurrency: 4 });
  const started: Array<[string, number]> = [];
  const task = (name: string) => async (): Promise<void> => void started.push([name, clock.now()]);
  scheduler.schedule(50, task("late"));
  scheduler.schedule(0, task("a"));
  scheduler.schedule(0, task("b"));
  scheduler.schedule(5, task("c"));
  scheduler.schedule(0, task("d"));
  await clock.advance(1000);
  assert.deepEqual(started, [["a", 0], ["b", 10], ["d", 20], ["c", 30], ["late", 50]]);
});

test("a thousand tasks due at once use one timer and start one spacing apart", async () => {
  const clock = new ManualClock(0);
  const scheduler = new TaskScheduler({ clock, spacingMs: 10, concurrency: 4 });
  const starts: number[] = [];
  for (let i = 0; i < 1000; i++) scheduler.schedule(0, async () => void starts.push(clock.now()));
  assert.equal(clock.pendingTimers, 1);
  await clock.advance(5000);
  assert.equal(starts.length, 501);
  assert.equal(clock.pendingTimers, 1);
  await clock.advance(5000);
  assert.deepEqual(starts, starts.map((_, index) => index * 10));
  assert.equal(clock.pendingTimers, 0);
});

test("at most `concurrency` tasks run at once; a rejecting task does not stop the others", async () => {
  const scheduler = new TaskScheduler({ clock: systemClock, spacingMs: 0, concurrency: 2 });
  let running = 0;
  let most = 0;
  let finished = 0;
  const waiting: Array<() => void> = [];
  for (let i = 0; i < 6; i++) {
    scheduler.schedule(Date.now(), async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((release) => waiting.push(release));
      running--;
      finished++;
      if (i === 0) throw new Error("a task that rejects");
    });
  }
  while (finished < 6) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    waiting.shift()?.();
  }
  assert.equal(most, 2);
});

test("cancel() takes a task out; close() drops every waiting task and the timer", async () => {
  const clock = new ManualClock(0);
  const scheduler = new TaskScheduler({ clock, spacingMs: 0, concurrency: 1 });
  const ran: string[] = [];
  const cancelled = scheduler.schedule(10, async () => void ran.push("cancelled"));
  scheduler.schedule(20, async () => void ran.push("kept"));
  cancelled.cancel();
  cancelled.cancel();
  await clock.advance(100);
  assert.deepEqual(ran, ["kept"]);
  scheduler.schedule(200, async () => void ran.push("dropped"));
  scheduler.close();
  scheduler.schedule(150, async () => void ran.push("after close"));
  assert.equal(scheduler.pending, 0);
  assert.equal(clock.pendingTimers, 0);
  await clock.advance(1000);
  assert.deepEqual(ran, ["kept"]);
});
