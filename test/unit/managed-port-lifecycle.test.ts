// A managed port on the virtual gateway, in simulated time: renewals, permanent leases, reboots
// with and without an announcement, a new external address, a port taken by another host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UpnpActionError, type VirtualGateway } from "../../src/index.js";
import { managedSetup, names, nextEvent, recordEvents } from "./support/managed-fixture.js";
import { mappingArgs, soapCall } from "./virtual-gateway-test-client.js";

const actions = (requests: ReadonlyArray<{ action: string }>, action: string): number => requests.filter((request) => request.action === action).length;

test("a finite lease is renewed about half-way through, over and over, and the mapping never lapses", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t);
  const port = manager.openPort({ protocol: "UDP", internalPort: 7100, leaseSeconds: 120, checkIntervalMs: 3_600_000 });
  const events = recordEvents(port);
  const mapped = nextEvent(port, "mapped");
  await clock.advance(100);
  assert.deepEqual({ ...(await mapped), internalClient: undefined }, {
    protocol: "UDP",
    internalPort: 7100,
    externalPort: 7100,
    externalAddress: "203.0.113.7",
    method: "upnp",
    internalClient: undefined,
    lifetime: 120,
  });
  const renewalTimes: number[] = [];
  port.on("renewed", () => renewalTimes.push(clock.now()));
  const start = clock.now();
  for (let second = 0; second < 250; second++) {
    await clock.advance(1000);
    assert.equal(gateway.mappings.filter((entry) => entry.externalPort === 7100).length, 1, `mapped at ${second} s`);
  }
  assert.ok(renewalTimes.length >= 4, `renewed ${renewalTimes.length} times`);
  // Each renewal between 90% and 100% of half the 120 s lease after the last grant.
  let last = start;
  for (const at of renewalTimes) {
    assert.ok(at - last >= 54_000 && at - last <= 61_000, `renewed ${at - last} ms after the last grant`);
    last = at;
  }
  assert.deepEqual(new Set(names(events)), new Set(["mapped", "renewed"]));
  assert.equal(actions(gateway.requests, "AddPortMapping"), 1 + renewalTimes.length);
});

test("a router that only grants permanent leases is checked, never renewed, and the mapping is removed on close", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t, { gateway: { igdVersion: 1, profiles: ["permanent-only"] } });
  const port = manager.openPort({ protocol: "TCP", internalPort: 7200, leaseSeconds: 600, checkIntervalMs: 600_000 });
  const mapped = nextEvent(port, "mapped");
  await clock.advance(100);
  assert.equal((await mapped).lifetime, 0);
  assert.equal(port.mapping?.renewAfter, undefined);
  await clock.advance(4 * 3_600_000);
  // 725 to the 600 s lease, then the permanent add: and never again.
  assert.equal(actions(gateway.requests, "AddPortMapping"), 2);
  const checks = actions(gateway.requests, "GetSpecificPortMappingEntry") - 1; // one is the add's read-back
  assert.ok(checks >= 22 && checks <= 24, `${checks} checks in 4 h at 10 min`);
  assert.equal(gateway.mappings.length, 1);
  const released = nextEvent(port, "released");
  await port.close();
  assert.equal((await released).removed, true);
  assert.equal(gateway.mappings.length, 0);
});

test("a reboot the gateway announces: lost at once, then restored with the mapping back, without waiting for a check", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t, { announcements: true });
  const port = manager.openPort({ protocol: "UDP", internalPort: 7300, checkIntervalMs: 3_600_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  await port.ready();
  const lost = nextEvent(port, "lost");
  const restored = nextEvent(port, "restored");
  await gateway.reboot();
  assert.equal((await lost).reason, "gateway-restarted");
  assert.match((await lost).message, /BOOTID\.UPNP\.ORG 2 \(was 1\)/);
  const back = await restored;
  assert.equal(back.externalPort, 7300);
  assert.equal(gateway.mappings.length, 1);
  assert.deepEqual(names(events), ["mapped", "lost", "restored"]);
});

const disturbances = [
  { what: "a silent reboot is found at the next check (uptime)", reason: "gateway-restarted", disturb: (gateway: VirtualGateway) => gateway.reboot({ announce: false }) },
  { what: "a mapping gone from the table (router purge) is found missing", reason: "missing", disturb: async (gateway: VirtualGateway) => gateway.clearMappings() },
];

for (const { what, reason, disturb } of disturbances) {
  test(`${what}, and the mapping put back`, async (t) => {
    const { clock, gateway, manager } = await managedSetup(t);
    const port = manager.openPort({ protocol: "UDP", internalPort: 7400, checkIntervalMs: 30_000 });
    const events = recordEvents(port);
    await clock.advance(10_000);
    await disturb(gateway);
    assert.equal(gateway.mappings.length, 0);
    await clock.advance(30_000);
    assert.deepEqual(names(events), ["mapped", "lost", "restored"]);
    assert.equal((events[1]![1] as { reason: string }).reason, reason);
    assert.equal(gateway.mappings.length, 1);
  });
}

test("a new external address is told with the old one, by every port of the gateway", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t);
  const ports = [7500, 7501].map((internalPort) => manager.openPort({ protocol: "UDP", internalPort, checkIntervalMs: 30_000 }));
  await clock.advance(100);
  const changes = ports.map((port) => nextEvent(port, "external-address-changed"));
  gateway.setExternalAddress("198.51.100.77");
  await clock.advance(40_000);
  for (const change of await Promise.all(changes)) {
    assert.equal(change.externalAddress, "198.51.100.77");
    assert.equal(change.previousExternalAddress, "203.0.113.7");
  }
  assert.equal(ports[0]!.externalAddress, "198.51.100.77");
});

test("the port taken by another host meanwhile: with anyPort another port, told with port-changed", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t);
  const port = manager.openPort({ protocol: "UDP", internalPort: 7600, anyPort: true, checkIntervalMs: 30_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  gateway.clearMappings();
  await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7600, protocol: "UDP", internalClient: "192.0.2.9" }));
  const changed = nextEvent(port, "port-changed");
  await clock.advance(40_000);
  const moved = await changed;
  assert.equal(moved.previousExternalPort, 7600);
  assert.notEqual(moved.externalPort, 7600);
  assert.equal(port.externalPort, moved.externalPort);
  assert.deepEqual(names(events), ["mapped", "lost", "port-changed"]);
  assert.deepEqual(
    gateway.mappings.map((entry) => [entry.externalPort, entry.internalClient]).sort(),
    [[7600, "192.0.2.9"], [moved.externalPort, port.mapping!.internalClient]].sort(),
  );
});

test("the port taken by another host without anyPort: an error, retried with back-off until the port is free again", async (t) => {
  const { clock, gateway, manager } = await managedSetup(t);
  const port = manager.openPort({ protocol: "UDP", internalPort: 7700, checkIntervalMs: 30_000 });
  const events = recordEvents(port);
  await clock.advance(100);
  gateway.clearMappings();
  await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 7700, protocol: "UDP", internalClient: "192.0.2.9", lease: 100 }));
  // Just past the check (30 s and its jitter), before the first retry (half a second or more later).
  await clock.advance(30_600);
  assert.deepEqual(names(events), ["mapped", "lost", "error"]);
  assert.ok(events[2]![1] instanceof UpnpActionError && events[2]![1].upnpCode === 718);
  const restored = nextEvent(port, "restored");
  // The other host's 100 s lease runs out; a retry then gets the port back.
  await clock.advance(200_000);
  assert.equal((await restored).externalPort, 7700);
  const retries = names(events).filter((name) => name === "error").length;
  assert.ok(retries >= 4 && retries <= 8, `${retries} refused attempts in 100 s with doubling back-off`);
});
