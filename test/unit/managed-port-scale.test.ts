// A thousand managed mappings on one virtual gateway, in simulated time: one timer, one discovery,
// and requests spread out instead of a burst of a thousand at the same instant.
import { test } from "node:test";
import assert from "node:assert/strict";
import { busiestWindow, managedSetup } from "./support/managed-fixture.js";

const portCount = 1000;

test("1,000 managed mappings share one discovery and one timer, never lapse, and reach the gateway at a steady pace", async (t) => {
  const { clock, gateway, manager, discoveries, controlRequests } = await managedSetup(t);
  const ports = Array.from({ length: portCount }, (_, index) =>
    manager.openPort({ protocol: index % 2 === 0 ? "UDP" : "TCP", internalPort: 20_000 + index, leaseSeconds: 120, checkIntervalMs: 120_000 }),
  );
  let renewals = 0;
  for (const port of ports) port.on("renewed", () => renewals++);
  let mostTimers = 0;
  // The first 1,000 maps take 10 ms each; after that every second must find them all, through
  // each port's first renewal (the long run is in the benchmark: 10 minutes).
  await clock.advance(10_100);
  for (let second = 0; second < 70; second++) {
    await clock.advance(1000);
    mostTimers = Math.max(mostTimers, clock.pendingTimers);
    assert.equal(gateway.mappings.length, portCount, `all mapped at ${second} s`);
  }
  assert.deepEqual(new Set(ports.map((port) => port.state)), new Set(["mapped"]));
  assert.equal(discoveries.length, 1);
  assert.equal(mostTimers, 1);
  assert.equal(renewals, portCount);
  // Each request of a map, renewal or check (at most 3) comes from a task started 10 ms after the last.
  const busiest = busiestWindow(controlRequests.map((request) => request.at), 100);
  assert.ok(busiest <= 30, `${busiest} requests in the busiest 100 ms`);
});
