// A managed port whose gateway goes away: rediscovery with back-off, the gateway coming back on
// another HTTP port, with and without its announcements.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NoGatewayError } from "../../src/index.js";
import { backoffDelayMs, defaultRetryPolicy } from "../../src/manager/retry-policy.js";
import { fixedRandom, managedSetup, names, nextEvent, recordEvents } from "./support/managed-fixture.js";

test("the gateway gone: lost once rediscovery fails, looked for again with doubling back-off, restored when it is back on another HTTP port", async (t) => {
  const setup = await managedSetup(t);
  const { clock, manager } = setup;
  const port = manager.openPort({ protocol: "UDP", internalPort: 7800, checkIntervalMs: 30_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  await port.ready();
  const firstHttpPort = setup.gateway.httpPort;
  await setup.stopGateway();

  await clock.advance(30_500); // the check (30 s and its jitter) finds nobody, and the first rediscovery fails
  assert.deepEqual(names(events), ["mapped", "lost", "error"]);
  assert.equal((events[1]![1] as { reason: string }).reason, "gateway-unreachable");
  assert.ok(events[2]![1] instanceof NoGatewayError);
  await clock.advance(10_000);

  const gateway = await setup.restartGateway();
  assert.notEqual(gateway.httpPort, firstHttpPort);
  const restored = nextEvent(port, "restored");
  await clock.advanceUntil(() => port.state === "mapped", 1000, 120_000);
  assert.equal((await restored).externalPort, 7800);
  assert.deepEqual(gateway.mappings.map((entry) => entry.externalPort), [7800]);

  // One discovery at the start, then the retries, each gap the back-off of that many failures.
  const gaps = setup.discoveries.slice(2).map((at, index) => at - setup.discoveries[index + 1]!);
  assert.deepEqual(gaps, gaps.map((_, index) => backoffDelayMs(index + 1, defaultRetryPolicy, fixedRandom)));
  assert.ok(gaps.length >= 4, `${gaps.length} retries`);
  assert.deepEqual(names(events).filter((name) => name !== "error"), ["mapped", "lost", "restored"]);
});

test("a gateway that says byebye and comes back on another HTTP port is followed there at once", async (t) => {
  const setup = await managedSetup(t, { announcements: true });
  const { clock, manager } = setup;
  const port = manager.openPort({ protocol: "TCP", internalPort: 7900, checkIntervalMs: 3_600_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  await port.ready();
  const lost = nextEvent(port, "lost");
  const gateway = await setup.restartGateway();
  assert.equal((await lost).reason, "gateway-restarted");
  const since = clock.now();
  await clock.advanceUntil(() => port.state === "mapped", 10, 10_000);
  assert.ok(clock.now() - since < 1000, `back ${clock.now() - since} ms (simulated) after the announcement`);
  assert.deepEqual(gateway.mappings.map((entry) => entry.externalPort), [7900]);
  assert.deepEqual(names(events), ["mapped", "lost", "restored"]);
});

test("a gateway that reboots silently while checked (unreachable, then found again at once) is reported lost and restored, never as a quiet renewal", async (t) => {
  const setup = await managedSetup(t);
  const { clock, manager } = setup;
  const port = manager.openPort({ protocol: "UDP", internalPort: 7950, checkIntervalMs: 30_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  await port.ready();
  // Back before the check: the check reaches the old HTTP port (nobody), the rediscovery the new one.
  const gateway = await setup.restartGateway();
  await clock.advanceUntil(() => names(events).includes("restored"), 1000, 60_000);
  assert.deepEqual(names(events), ["mapped", "lost", "restored"]);
  assert.equal((events[1]![1] as { reason: string }).reason, "gateway-unreachable");
  assert.deepEqual(gateway.mappings.map((entry) => entry.externalPort), [7950]);
});

test("no gateway at all: the port keeps trying with back-off, ready() rejects with NoGatewayError, nothing crashes", async (t) => {
  const setup = await managedSetup(t);
  const { clock, manager } = setup;
  await setup.stopGateway();
  const port = manager.openPort({ protocol: "UDP", internalPort: 8000 });
  const rejected = assert.rejects(port.ready(), NoGatewayError);
  await clock.advance(100);
  await rejected;
  await clock.advance(30_000);
  assert.equal(port.state, "starting");
  assert.ok(port.lastError instanceof NoGatewayError, "the error is kept although nobody listened");
  assert.ok(setup.discoveries.length >= 5, `${setup.discoveries.length} attempts`);
});
