// An IPv6 pinhole kept open by the mapping manager, in simulated time, on the virtual gateway at
// ::1: the manager knows no protocol, so UpdatePinhole renewals, PCP renewals and the recovery
// after a reboot must work through the same PortMapper and Mapping as IPv4 mappings.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { MappingManager, portMapperFinder, type FindPortMapperOptions, type ManagedPort, type VirtualGateway } from "../../src/index.js";
import { ipv6Gateway } from "./support/ipv6-gateway.js";
import { names, nextEvent, recordEvents } from "./support/managed-fixture.js";
import { ManualClock } from "./support/manual-clock.js";
import { unusedUdpPort } from "./support/udp-responder.js";

/** A manager on `clock` that finds its mapper with `find`, closed (moving the clock for the releases) when the test ends. */
function managerOn(t: TestContext, clock: ManualClock, find: FindPortMapperOptions): MappingManager {
  const manager = new MappingManager({ clock, random: () => 0.55, findMapper: portMapperFinder(find) });
  t.after(async () => {
    const closing = manager.close();
    await clock.advance(60_000);
    await closing;
  });
  return manager;
}

/**
 * Moves the clock 700 s in 10 s steps, the pinhole just granted for 300 s open under the same
 * UniqueID at every step, and checks it was renewed 3 times at least, each time long before its
 * lease ran out (between 90% and 100% of half of it). Returns the renewals' clock readings, a
 * list that goes on growing.
 */
async function keptOpenFor700s(clock: ManualClock, gateway: VirtualGateway, port: ManagedPort): Promise<number[]> {
  const uniqueId = gateway.pinholes[0]!.uniqueId;
  const renewals: number[] = [];
  port.on("renewed", () => renewals.push(clock.now()));
  let last = clock.now();
  for (let second = 0; second < 700; second += 10) {
    await clock.advance(10_000);
    assert.deepEqual(gateway.pinholes.map((pinhole) => pinhole.uniqueId), [uniqueId], `open at ${second} s`);
  }
  assert.ok(renewals.length >= 3, `${renewals.length} renewals`);
  for (const at of renewals) {
    assert.ok(at - last >= 135_000 && at - last <= 151_000, `renewed ${at - last} ms after the last grant`);
    last = at;
  }
  return renewals;
}

/** How many times the gateway received `action`. */
const received = (gateway: VirtualGateway, action: string): number => gateway.requests.filter((request) => request.action === action).length;

test("a pinhole managed through UPnP: renewed with UpdatePinhole before its lease ends, over and over, and opened again after reboot()", async (t) => {
  const clock = new ManualClock();
  const gateway = await ipv6Gateway(t, { now: clock.now });
  if (!gateway) return;
  const manager = managerOn(t, clock, { family: 6, protocol: "upnp", gatewayUrl: gateway.descriptionUrl, upnpPinhole: { internalAddress: "::1", now: clock.now } });
  const port = manager.openPort({ protocol: "UDP", internalPort: 7400, leaseSeconds: 300, checkIntervalMs: 30_000 });
  const events = recordEvents(port);
  const mapped = nextEvent(port, "mapped");
  await clock.advance(100);
  assert.deepEqual({ ...(await mapped) }, { protocol: "UDP", internalPort: 7400, externalPort: 7400, externalAddress: "::1", internalClient: "::1", method: "upnp-pinhole", lifetime: 300 });
  const renewals = await keptOpenFor700s(clock, gateway, port);
  assert.equal(received(gateway, "UpdatePinhole"), renewals.length);
  assert.equal(received(gateway, "AddPinhole"), 1);

  // Just after a renewal, so the next check comes first: it finds the pinhole missing (402 to
  // GetPinholePackets) and opens it again. (A renewal would too: UpdatePinhole's 402 makes the mapper add it.)
  const renewalsBefore = renewals.length;
  while (renewals.length === renewalsBefore) await clock.advance(10_000);
  const lost = nextEvent(port, "lost");
  const restored = nextEvent(port, "restored");
  await gateway.reboot();
  await clock.advance(31_000);
  assert.equal((await lost).reason, "missing");
  assert.equal((await restored).method, "upnp-pinhole");
  assert.equal(gateway.pinholes.length, 1);
  assert.equal(received(gateway, "AddPinhole"), 2);
  assert.deepEqual(names(events).filter((name) => name !== "renewed"), ["mapped", "lost", "restored"]);
});

test("a pinhole managed through PCP over ::1: renewed before its lifetime ends, over and over, and put back when the gateway announces a reboot", async (t) => {
  const clock = new ManualClock();
  const announcementPort = await unusedUdpPort("::1");
  const gateway = await ipv6Gateway(t, { now: clock.now, upnp: false, portControlAnnounceTo: [{ address: "::1", port: announcementPort }] });
  if (!gateway) return;
  const pcp = { gatewayPort: gateway.portControlAddress.port, now: clock.now, announcementAddress: "::1", announcementPort };
  const manager = managerOn(t, clock, { family: 6, protocol: "pcp", gatewayAddress: "::1", pcp });
  const port = manager.openPort({ protocol: "TCP", internalPort: 7410, leaseSeconds: 300, checkIntervalMs: 3_600_000 });
  const events = recordEvents(port);
  const mapped = nextEvent(port, "mapped");
  await clock.advance(100);
  const granted = await mapped;
  assert.deepEqual([granted.method, granted.internalClient, granted.externalPort, granted.lifetime], ["pcp", "::1", 7410, 300]);
  await keptOpenFor700s(clock, gateway, port);

  const lost = nextEvent(port, "lost");
  const restored = nextEvent(port, "restored");
  await gateway.reboot();
  assert.equal((await lost).reason, "gateway-restarted");
  assert.equal((await restored).method, "pcp");
  assert.deepEqual(gateway.pinholes.map((pinhole) => [pinhole.internalClient, pinhole.internalPort, pinhole.protocol]), [["::1", 7410, "TCP"]]);
  assert.deepEqual(names(events).filter((name) => name !== "renewed"), ["mapped", "lost", "restored"]);
});
