import { test } from "node:test";
import assert from "node:assert/strict";
import { mappingArgs, soapCall, wanIpConnection, withGateway } from "./virtual-gateway-test-client.js";


/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advanceSeconds(seconds: number): void } {
  let time = 1_700_000_000_000;
  return { now: () => time, advanceSeconds: (seconds) => void (time += seconds * 1000) };
}

const specific = (port: number): Array<[string, string]> => [
  ["NewRemoteHost", ""],
  ["NewExternalPort", String(port)],
  ["NewProtocol", "TCP"],
];

test("IGD:2 turns lease 0 into a week and clamps longer leases to a week (miniupnpd)", () =>
  withGateway({ igdVersion: 2 }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4000, lease: 0 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4001, lease: 10_000_000 }));
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4002, lease: 120 }));
    assert.deepEqual(gateway.mappings.map((mapping) => mapping.leaseSeconds), [604800, 604800, 120]);
    assert.equal((await soapCall(gateway, "GetSpecificPortMappingEntry", specific(4000))).values.NewLeaseDuration, "604800");
  }));

test("IGD:1 keeps lease 0 as a permanent mapping that never expires", () => {
  const clock = fakeClock();
  return withGateway({ igdVersion: 1, now: clock.now }, async (gateway) => {
    const options = { serviceType: wanIpConnection(1) };
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4100, lease: 0 }), options);
    clock.advanceSeconds(10 * 365 * 86400);
    assert.equal(gateway.mappings[0]?.leaseSeconds, 0);
    assert.equal(gateway.mappings[0]?.expiresAt, undefined);
    const entry = await soapCall(gateway, "GetSpecificPortMappingEntry", specific(4100), options);
    assert.equal(entry.values.NewLeaseDuration, "0");
  });
});

test("leases count down on the injected clock and expired mappings disappear", () => {
  const clock = fakeClock();
  return withGateway({ now: clock.now }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4200, lease: 60 }));
    clock.advanceSeconds(20);
    assert.equal((await soapCall(gateway, "GetSpecificPortMappingEntry", specific(4200))).values.NewLeaseDuration, "40");
    clock.advanceSeconds(40);
    assert.equal((await soapCall(gateway, "GetSpecificPortMappingEntry", specific(4200))).fault?.code, 714);
    assert.equal(gateway.mappings.length, 0);
    // The freed port can be taken by another client now.
    const other = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4200, internalClient: "192.0.2.9" }));
    assert.equal(other.status, 200);
  });
});

test("renewing a mapping restarts its lease", () => {
  const clock = fakeClock();
  return withGateway({ now: clock.now }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4300, lease: 60 }));
    clock.advanceSeconds(50);
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4300, lease: 60 }));
    clock.advanceSeconds(50);
    assert.equal(gateway.mappings.length, 1);
  });
});

test("onlyPermanentLeases answers 725 for any finite lease (tailscale#9343)", () =>
  withGateway({ igdVersion: 1, quirks: { onlyPermanentLeases: true } }, async (gateway) => {
    const options = { serviceType: wanIpConnection(1) };
    const finite = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4400, lease: 3600 }), options);
    assert.deepEqual(finite.fault, { code: 725, description: "OnlyPermanentLeasesSupported" });
    const permanent = await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4400, lease: 0 }), options);
    assert.equal(permanent.status, 200);
  }));

test("rejectNonZeroLeaseWith402 (tailscale#15223) and rejectZeroLeaseWith402 (net-tools#52)", async () => {
  await withGateway({ quirks: { rejectNonZeroLeaseWith402: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4500, lease: 3600 }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4500, lease: 0 }))).status, 200);
  });
  await withGateway({ quirks: { rejectZeroLeaseWith402: true } }, async (gateway) => {
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4500, lease: 0 }))).fault?.code, 402);
    assert.equal((await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4500, lease: 3600 }))).status, 200);
  });
});

test("clearMappings empties the table like a reboot", () =>
  withGateway({}, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4600 }));
    gateway.clearMappings();
    assert.equal(gateway.mappings.length, 0);
    assert.equal((await soapCall(gateway, "GetGenericPortMappingEntry", [["NewPortMappingIndex", "0"]])).fault?.code, 713);
  }));
