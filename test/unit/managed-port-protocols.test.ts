// A managed port over NAT-PMP and PCP, found by the same search that tries all three protocols:
// the manager knows no protocol, so renewals and reboot recovery must work through either.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MappingManager, portMapperFinder, type MappingMethod } from "../../src/index.js";
import { names, nextEvent, recordEvents } from "./support/managed-fixture.js";
import { ManualClock } from "./support/manual-clock.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

for (const protocol of ["pcp", "natpmp"] as const satisfies readonly MappingMethod[]) {
  test(`managed over ${protocol}: found by the protocol search, renewed, and put back when the gateway announces a reboot`, async (t) => {
    const clock = new ManualClock();
    const announcementPort = await unusedUdpPort();
    const gateway = await virtualGateway(t, {
      externalAddress: "11.22.33.44",
      now: clock.now,
      upnp: false,
      // miniupnpd announces a restart with a PCP ANNOUNCE; a NAT-PMP gateway with its address.
      portControlAnnounceTo: [{ address: "127.0.0.1", port: announcementPort }],
      ...(protocol === "natpmp" ? { pcp: false } : {}),
    });
    const client = { gatewayPort: gateway.portControlAddress.port, now: clock.now, announcementAddress: "127.0.0.1", announcementPort };
    const manager = new MappingManager({
      clock,
      random: () => 0.55,
      findMapper: portMapperFinder({ gatewayAddress: "127.0.0.1", natPmp: client, pcp: client, protocol: "auto" }),
    });
    t.after(async () => {
      const closing = manager.close();
      await clock.advance(60_000);
      await closing;
    });
    const port = manager.openPort({ protocol: "UDP", internalPort: 7400, leaseSeconds: 300, checkIntervalMs: 3_600_000 });
    const events = recordEvents(port);
    const mapped = nextEvent(port, "mapped");
    await clock.advance(100);
    assert.equal((await mapped).method, protocol);
    assert.equal(gateway.mappings.length, 1);

    // Renewed half-way through the lease, over and over, never missing.
    const renewals: number[] = [];
    port.on("renewed", () => renewals.push(clock.now()));
    for (let second = 0; second < 700; second += 10) {
      await clock.advance(10_000);
      assert.equal(gateway.mappings.length, 1, `mapped at ${second} s`);
    }
    assert.ok(renewals.length >= 3, `${renewals.length} renewals`);

    const lost = nextEvent(port, "lost");
    const restored = nextEvent(port, "restored");
    await gateway.reboot();
    assert.equal((await lost).reason, "gateway-restarted");
    assert.equal((await restored).method, protocol);
    assert.equal(gateway.mappings.length, 1);
    assert.deepEqual(names(events).filter((name) => name !== "renewed"), ["mapped", "lost", "restored"]);
  });
}
