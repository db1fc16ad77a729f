// Closing a managed port: idempotent, bounded in time, by dispose or by signal; and failures of
// every kind end as events, never as unhandled rejections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MappingManager, PortClosedError, openPort, type ManagedPortOptions } from "../../src/index.js";
import { fakeManager } from "./support/fake-manager.js";
import { FakeMapper } from "./support/fake-mapper.js";
import { ManualClock } from "./support/manual-clock.js";
import { later } from "./support/scripted-router.js";
import { names, nextEvent, recordEvents } from "./support/managed-fixture.js";

const portOptions: ManagedPortOptions = { protocol: "UDP", internalPort: 9000, checkIntervalMs: 10_000 };

test("close() releases the mapping once, however often it is called, and released is the last event", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  const port = manager.openPort(portOptions);
  const events = recordEvents(port);
  await clock.advance(100);
  assert.equal(port.state, "mapped");
  const first = port.close();
  assert.equal(port.close(), first);
  await clock.advance(100);
  await first;
  await port.close();
  assert.deepEqual(names(events), ["mapped", "released"]);
  assert.deepEqual(events[1]![1], { protocol: "UDP", internalPort: 9000, externalPort: 9000, externalAddress: "198.51.100.10", method: "pcp", removed: true });
  assert.equal(port.state, "closed");
  assert.equal(mapper.table.size, 0);
  assert.equal(mapper.calls.filter((call) => call === "unmap").length, 1);
  await assert.rejects(port.ready(), PortClosedError);
});

test("close() ends within closeTimeoutMs even when the gateway never answers the release", async (t) => {
  const { clock, manager } = fakeManager(t, { release: () => new Promise(() => {}) });
  const port = manager.openPort({ ...portOptions, closeTimeoutMs: 200 });
  await clock.advance(100);
  const released = nextEvent(port, "released");
  const closing = port.close();
  await clock.advance(100);
  await closing;
  assert.equal((await released).removed, false);
  assert.equal(port.state, "closed");
});

test("close() while the first map is in flight lets it finish and releases what the gateway granted", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  const answered = later();
  const grant = mapper.map.bind(mapper);
  // The gateway makes the mapping at once; its answer is still on the way when the port closes.
  mapper.map = async (request, options) => {
    const mapping = await grant(request, options);
    await answered.promise;
    return mapping;
  };
  const port = manager.openPort(portOptions);
  const events = recordEvents(port);
  // The clock waits for the step it runs, the map, which waits for the gateway's answer.
  const advancing = clock.advance(100);
  while (mapper.table.size === 0) await new Promise((resolve) => setImmediate(resolve));
  const closing = port.close();
  answered.resolve();
  await advancing;
  await clock.advance(100);
  await closing;
  assert.deepEqual(mapper.table.size, 0, "left on the gateway");
  assert.deepEqual(names(events), ["released"]);
  assert.equal((events[0]![1] as { removed: boolean }).removed, true);
});

test("close() while a map is in flight that never ends: released within closeTimeoutMs, reported not removed", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  mapper.map = async (request) => {
    mapper.calls.push("map");
    return new Promise(() => mapper.table.set(request.internalPort, request));
  };
  const port = manager.openPort({ ...portOptions, closeTimeoutMs: 200 });
  void clock.advance(100); // waits for the map, which never ends
  while (mapper.table.size === 0) await new Promise((resolve) => setImmediate(resolve));
  const released = nextEvent(port, "released");
  await port.close();
  assert.equal((await released).removed, false);
  assert.equal(port.state, "closed");
});

test("close() while a renewal is in flight that outlasts closeTimeoutMs: it still ends, reported not removed", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  const port = manager.openPort({ ...portOptions, leaseSeconds: 120, closeTimeoutMs: 200 });
  await clock.advance(100);
  assert.equal(port.state, "mapped");
  mapper.map = async () => {
    mapper.calls.push("map");
    return new Promise(() => {});
  };
  void clock.advance(120_000); // reaches the renewal, which never ends
  while (mapper.calls.filter((call) => call === "map").length < 2) await new Promise((resolve) => setImmediate(resolve));
  const released = nextEvent(port, "released");
  await port.close();
  assert.equal((await released).removed, false);
  assert.equal(port.state, "closed");
});

test("closing before anything was mapped: nothing to release, ready() rejects with PortClosedError", async (t) => {
  const { manager, mapper } = fakeManager(t);
  const port = manager.openPort(portOptions);
  const ready = assert.rejects(port.ready(), PortClosedError);
  const released = nextEvent(port, "released");
  await port.close();
  await ready;
  assert.equal((await released).removed, false);
  assert.deepEqual(mapper.calls, []);
});

test("await using releases the mapping at the end of the block; aborting the port's signal closes it", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  {
    await using port = manager.openPort(portOptions);
    await clock.advance(100);
    assert.equal(port.state, "mapped");
    void clock.advance(100);
  }
  assert.equal(mapper.table.size, 0);

  const stop = new AbortController();
  const port = manager.openPort({ ...portOptions, internalPort: 9001, signal: stop.signal });
  await clock.advance(100);
  assert.equal(mapper.table.size, 1);
  const released = nextEvent(port, "released");
  stop.abort();
  await clock.advance(100);
  assert.equal((await released).removed, true);
  assert.equal(mapper.table.size, 0);
});

test("MappingManager.close() closes every port; opening a port on a closed manager throws PortClosedError", async (t) => {
  const { clock, mapper, manager } = fakeManager(t);
  const ports = [9100, 9101, 9102].map((internalPort) => manager.openPort({ ...portOptions, internalPort }));
  await clock.advance(100);
  assert.equal(mapper.table.size, 3);
  const closing = manager.close();
  await clock.advance(100);
  await closing;
  assert.deepEqual(ports.map((port) => port.state), ["closed", "closed", "closed"]);
  assert.equal(mapper.table.size, 0);
  assert.throws(() => manager.openPort(portOptions), PortClosedError);
});

test("failures of every kind become error events or lastError, never unhandled rejections or crashes", async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));

  // A mapper whose watch fails, whose checks throw a TypeError, found by a function that throws a string first.
  let finds = 0;
  const clock = new ManualClock();
  const mapper = new FakeMapper(clock.now, {
    watch: () => Promise.reject(new Error("cannot listen")),
    check: () => Promise.reject(new TypeError("bug in a third-party mapper")),
  });
  const manager = new MappingManager({
    clock,
    findMapper: async () => {
      if (finds++ === 0) throw "not an Error";
      return mapper;
    },
  });
  t.after(() => manager.close());
  const quiet = manager.openPort(portOptions); // no error listener at all
  const heard = manager.openPort({ ...portOptions, internalPort: 9201 });
  const errors: Error[] = [];
  heard.on("error", (error) => void errors.push(error));
  await clock.advance(60_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    [...new Set(errors.map((error) => error.message))].sort(),
    ["bug in a third-party mapper", "cannot listen", "not an Error"],
  );
  assert.ok(quiet.lastError instanceof Error);
  assert.deepEqual(unhandled, []);
  const closing = manager.close();
  await clock.advance(100);
  await closing;
});

test("openPort shares one manager (one discovery) between ports of the same finder, and starts afresh once they are all closed", async () => {
  const clock = new ManualClock();
  const mapper = new FakeMapper(clock.now);
  let finds = 0;
  const findMapper = async (): Promise<FakeMapper> => {
    finds++;
    return mapper;
  };
  const first = openPort({ ...portOptions, findMapper, clock });
  const second = openPort({ ...portOptions, internalPort: 9301, findMapper, clock });
  await clock.advance(100);
  assert.equal(finds, 1);
  assert.deepEqual([first.state, second.state], ["mapped", "mapped"]);
  const closing = Promise.all([first.close(), second.close()]);
  await clock.advance(100);
  await closing;
  const third = openPort({ ...portOptions, findMapper, clock });
  await clock.advance(100);
  assert.equal(finds, 2);
  const last = third.close();
  await clock.advance(100);
  await last;
});
