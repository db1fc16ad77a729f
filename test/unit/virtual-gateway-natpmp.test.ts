// The virtual gateway's NAT-PMP server (RFC 6886), modelled on miniupnpd 2.3.1, against porthole's
// own NatPmpPortMapper and NatPmpClient on loopback, with the gateway's clock in the test's hands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NatPmpClient, NatPmpError, NoExternalAddressError, PortUnavailableError } from "../../src/index.js";
import { portControlSetUp, publicAddress } from "./support/port-control-fixture.js";

test("NAT-PMP map: the mapping is in the gateway's one table under miniupnpd's description, with the external address and the lifetime as asked", async (t) => {
  const { gateway, natPmp, clock } = await portControlSetUp(t);
  const mapping = await natPmp().map({ protocol: "UDP", internalPort: 7000, leaseSeconds: 600 });
  assert.equal(mapping.method, "natpmp");
  assert.equal(mapping.externalAddress, publicAddress);
  assert.equal(mapping.externalPort, 7000);
  assert.equal(mapping.internalClient, "127.0.0.1");
  assert.equal(mapping.leaseSeconds, 600);
  assert.deepEqual(gateway.mappings, [
    { remoteHost: "", externalPort: 7000, protocol: "UDP", internalPort: 7000, internalClient: "127.0.0.1", enabled: true, description: "NAT-PMP 7000 udp", leaseSeconds: 600, expiresAt: clock.now + 600_000 },
  ]);
});

test("NAT-PMP renew keeps the port and restarts the lease on the gateway's clock; release deletes it", async (t) => {
  const { gateway, natPmp, clock } = await portControlSetUp(t);
  const mapping = await natPmp().map({ protocol: "TCP", internalPort: 7010, leaseSeconds: 120 });
  clock.now += 60_000;
  const renewed = await mapping.renew();
  assert.equal(renewed.externalPort, 7010);
  assert.deepEqual(gateway.mappings.map((m) => [m.externalPort, m.expiresAt]), [[7010, clock.now + 120_000]]);
  await renewed.release();
  assert.deepEqual(gateway.mappings, []);
});

test("NAT-PMP lifetimes are not clamped (miniupnpd): 3,600,000 s is granted as asked, and a short lease runs out on the gateway's clock", async (t) => {
  const { gateway, natPmp, clock } = await portControlSetUp(t);
  const mapper = natPmp();
  assert.equal((await mapper.map({ protocol: "TCP", internalPort: 7020, leaseSeconds: 3_600_000 })).leaseSeconds, 3_600_000);
  assert.equal((await mapper.map({ protocol: "TCP", internalPort: 7021, leaseSeconds: 60 })).leaseSeconds, 60);
  clock.now += 59_999;
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7020, 7021]);
  clock.now += 1;
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7020]);
});

test("NAT-PMP: a public port another host holds gets the next free one (RFC 6886 §3.3); anyPort false is PortUnavailableError with nothing left behind", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  const other = await natPmp({ localAddress: "127.0.0.2" }).map({ protocol: "UDP", internalPort: 7100 });
  assert.equal(other.internalClient, "127.0.0.2");
  const mapper = natPmp();
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7100 })).externalPort, 7101);
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7102, externalPort: 7100, anyPort: false }), (error: unknown) => {
    assert.ok(error instanceof PortUnavailableError);
    assert.equal(error.offeredPort, 7102);
    return true;
  });
  assert.deepEqual(gateway.mappings.map((m) => [m.internalClient, m.externalPort]), [["127.0.0.2", 7100], ["127.0.0.1", 7101]]);
});

test("NAT-PMP: a renewal is found only at the port it suggests, as on miniupnpd: suggesting the internal port again walks past the other host to its own mapping", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  await natPmp({ localAddress: "127.0.0.2" }).map({ protocol: "UDP", internalPort: 7200 });
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  const first = await client.map({ protocol: "UDP", internalPort: 7200, suggestedExternalPort: 0, lifetimeSeconds: 300 });
  const again = await client.map({ protocol: "UDP", internalPort: 7200, suggestedExternalPort: 0, lifetimeSeconds: 300 });
  assert.deepEqual([first.externalPort, again.externalPort], [7201, 7201]);
  assert.equal(gateway.mappings.length, 2);
});

test("NAT-PMP epoch: seconds since the gateway started, on its clock", async (t) => {
  const { gateway, clock } = await portControlSetUp(t);
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  assert.equal((await client.getExternalAddress()).epochSeconds, 0);
  clock.now += 42_999;
  assert.equal((await client.getExternalAddress()).epochSeconds, 42);
  assert.equal(gateway.epochSeconds, 42);
});

test("NAT-PMP delete removes only the sender's NAT-PMP mappings of that port (miniupnpd); internal port 0 removes all of them, both protocols; nothing to delete is success", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  const mine = natPmp();
  await mine.map({ protocol: "UDP", internalPort: 7300 });
  await mine.map({ protocol: "TCP", internalPort: 7300 });
  await mine.map({ protocol: "UDP", internalPort: 7301 });
  await natPmp({ localAddress: "127.0.0.2" }).map({ protocol: "UDP", internalPort: 7302 });
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  const deleted = await client.map({ protocol: "UDP", internalPort: 7300, suggestedExternalPort: 0, lifetimeSeconds: 0 });
  assert.deepEqual([deleted.externalPort, deleted.lifetimeSeconds], [0, 0]);
  assert.deepEqual(gateway.mappings.map((m) => `${m.protocol} ${m.externalPort}`), ["TCP 7300", "UDP 7301", "UDP 7302"]);
  await client.map({ protocol: "UDP", internalPort: 0, suggestedExternalPort: 0, lifetimeSeconds: 0 });
  assert.deepEqual(gateway.mappings.map((m) => `${m.protocol} ${m.externalPort} ${m.internalClient}`), ["UDP 7302 127.0.0.2"]);
  await client.map({ protocol: "UDP", internalPort: 7300, suggestedExternalPort: 0, lifetimeSeconds: 0 });
});

test("NAT-PMP refusals: internal port 0 with a lifetime is NOT_AUTHORIZED (2); a full table is Out of resources (4)", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t, { quirks: { tableLimit: 1 } });
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  await assert.rejects(client.map({ protocol: "TCP", internalPort: 0, suggestedExternalPort: 7400, lifetimeSeconds: 60 }), (error: unknown) => error instanceof NatPmpError && error.resultName === "NOT_AUTHORIZED");
  await natPmp().map({ protocol: "TCP", internalPort: 7400 });
  await assert.rejects(natPmp().map({ protocol: "TCP", internalPort: 7401 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 4);
  assert.equal(gateway.mappings.length, 1);
});

test("NAT-PMP and the permission rules (rejectPortsBelow1024): a refused port is walked past to 1024, as miniupnpd walks", async (t) => {
  const { natPmp } = await portControlSetUp(t, { quirks: { rejectPortsBelow1024: true } });
  const mapping = await natPmp().map({ protocol: "TCP", internalPort: 80 });
  assert.deepEqual([mapping.internalPort, mapping.externalPort], [80, 1024]);
});

test("NAT-PMP address: what setExternalAddress sets; text that is no IPv4 address comes as 0.0.0.0, NoExternalAddressError", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  const mapper = natPmp();
  assert.equal(await mapper.getExternalAddress(), publicAddress);
  await gateway.setExternalAddress("198.51.100.20");
  assert.equal(await mapper.getExternalAddress(), "198.51.100.20");
  await gateway.setExternalAddress("not an address");
  await assert.rejects(mapper.getExternalAddress(), (error: unknown) => error instanceof NoExternalAddressError && error.reported === "0.0.0.0");
});
