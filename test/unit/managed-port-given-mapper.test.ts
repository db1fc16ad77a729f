// A managed port on a mapper the caller gave (the same object comes back after every outage), in
// simulated time: a moment without an answer, a gateway that answers everything but the map, and
// ready() with a signal aborted already.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpError, TimeoutError } from "../../src/index.js";
import { fakeManager } from "./support/fake-manager.js";
import { names, recordEvents } from "./support/managed-fixture.js";

const count = (calls: readonly string[], name: string): number => calls.filter((call) => call === name).length;

for (const leaseSeconds of [0, 7200]) {
  test(`one check without an answer, the same mapper answering again: lost, then restored by the next step (lease ${leaseSeconds} s)`, async (t) => {
    let blip = false;
    const { clock, mapper, manager } = fakeManager(t, {
      check: async (mapping) => {
        if (blip) {
          blip = false;
          throw new TimeoutError("GetSpecificPortMappingEntry", 20_000);
        }
        return { state: mapper.table.has(mapping.externalPort) ? "present" : "missing", gatewayRestarted: false };
      },
    });
    const port = manager.openPort({ protocol: "UDP", internalPort: 9000, checkIntervalMs: 10_000, leaseSeconds });
    const events = recordEvents(port);
    await clock.advance(100);
    blip = true;
    // Without being made again it would stay lost: for good with a permanent lease.
    await clock.advanceUntil(() => names(events).includes("restored"), 100, 30_000);
    assert.equal(port.state, "mapped");
    assert.deepEqual(names(events), ["mapped", "lost", "restored"]);
    assert.equal(count(mapper.calls, "map"), 2);
  });
}

test("a gateway that answers discovery but fails every map without a protocol answer (HTTP 500): retried with back-off, told as errors, ready() rejects", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  mapper.map = async () => {
    mapper.calls.push("map");
    throw new HttpError("AddPortMapping answered HTTP 500", "http://192.0.2.1/ctl", 500);
  };
  const port = manager.openPort({ protocol: "TCP", internalPort: 8080 });
  const events = recordEvents(port);
  const ready = assert.rejects(port.ready({ timeoutMs: 60_000 }), HttpError);
  await clock.advance(100);
  await ready;
  // Once found again at once, then after back-offs of 1, 2, 4, 8, 16 s (each from its upper half):
  // at most 7 attempts in 30 s, where a loop without back-off makes thousands.
  await clock.advance(30_000);
  const attempts = count(mapper.calls, "map");
  assert.ok(attempts >= 4 && attempts <= 7, `${attempts} map attempts in 30 s`);
  assert.ok(names(events).includes("error"));
  assert.equal(port.lastError instanceof HttpError, true);
});

test("ready() with a signal aborted already rejects at once with its reason", async (t) => {
  const { manager, mapper } = fakeManager(t);
  mapper.map = () => new Promise(() => {});
  const port = manager.openPort({ protocol: "UDP", internalPort: 9000 });
  const reason = new Error("the caller gave up");
  await assert.rejects(port.ready({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
  await assert.rejects(port.ready({ signal: AbortSignal.abort(reason), timeoutMs: 500 }), (error) => error === reason);
});
