// One mapping table for UPnP, NAT-PMP and PCP, as miniupnpd keeps: each protocol lists, holds,
// takes over and deletes the others' mappings as the daemon does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gatewayFromUrl, NatPmpClient, PcpError, UpnpActionError } from "../../src/index.js";
import { portControlSetUp } from "./support/port-control-fixture.js";

test("NAT-PMP and PCP mappings are listed by GetGenericPortMappingEntry, with miniupnpd's descriptions and the lease left", async (t) => {
  const { gateway, natPmp, pcp, clock } = await portControlSetUp(t);
  await natPmp().map({ protocol: "UDP", internalPort: 8000, leaseSeconds: 600 });
  await pcp().map({ protocol: "TCP", internalPort: 8001, leaseSeconds: 600 });
  clock.now += 100_000;
  const { entries } = await (await gatewayFromUrl(gateway.descriptionUrl)).listPortMappings();
  assert.deepEqual(
    entries.map((e) => [e.protocol, e.externalPort, e.internalClient, e.internalPort, e.description.replace(/[0-9a-f]{24}$/, "<nonce>"), e.leaseSeconds]),
    [
      ["UDP", 8000, "127.0.0.1", 8000, "NAT-PMP 8000 udp", 500],
      ["TCP", 8001, "127.0.0.1", 8001, "PCP MAP <nonce>", 500],
    ],
  );
});

test("a UPnP mapping for another host holds its port: NAT-PMP and PCP get the next one", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t);
  const upnp = await gatewayFromUrl(gateway.descriptionUrl);
  await upnp.addPortMapping({ internalPort: 8100, protocol: "UDP", internalClient: "127.0.0.9" });
  await upnp.addPortMapping({ internalPort: 8200, protocol: "TCP", internalClient: "127.0.0.9" });
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 8100 })).externalPort, 8101);
  assert.equal((await pcp().map({ protocol: "TCP", internalPort: 8200 })).externalPort, 8201);
});

test("UPnP AddPortMapping for another host on a port NAT-PMP holds: 718 ConflictInMappingEntry", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  await natPmp().map({ protocol: "TCP", internalPort: 8300 });
  const upnp = await gatewayFromUrl(gateway.descriptionUrl);
  await assert.rejects(upnp.addPortMapping({ internalPort: 8300, protocol: "TCP", internalClient: "127.0.0.9" }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 718);
  assert.deepEqual(gateway.mappings.map((m) => m.internalClient), ["127.0.0.1"]);
});

test("UPnP AddPortMapping by the same host over a PCP mapping takes it over (miniupnpd updates it): the PCP nonce can no longer delete it", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t);
  const mapping = await pcp().map({ protocol: "UDP", internalPort: 8400 });
  const upnp = await gatewayFromUrl(gateway.descriptionUrl);
  await upnp.addPortMapping({ internalPort: 8400, protocol: "UDP", internalClient: "127.0.0.1", description: "game" });
  assert.deepEqual(gateway.mappings.map((m) => m.description), ["game"]);
  await assert.rejects(mapping.release(), (error: unknown) => error instanceof PcpError && error.resultName === "NOT_AUTHORIZED");
  assert.equal(gateway.mappings.length, 1);
});

test("a PCP delete of a mapping NAT-PMP made is NOT_AUTHORIZED; a NAT-PMP delete leaves PCP's and UPnP's mappings alone", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t);
  const byNatPmp = await natPmp().map({ protocol: "UDP", internalPort: 8500 });
  await assert.rejects(pcp().unmap(byNatPmp), (error: unknown) => error instanceof PcpError && error.resultName === "NOT_AUTHORIZED");
  await pcp().map({ protocol: "UDP", internalPort: 8501 });
  await (await gatewayFromUrl(gateway.descriptionUrl)).addPortMapping({ internalPort: 8502, protocol: "UDP", internalClient: "127.0.0.1" });
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  await client.map({ protocol: "UDP", internalPort: 0, suggestedExternalPort: 0, lifetimeSeconds: 0 });
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [8501, 8502]);
});

test("UPnP DeletePortMapping removes a NAT-PMP or PCP mapping like any other", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t);
  await natPmp().map({ protocol: "TCP", internalPort: 8600 });
  await pcp().map({ protocol: "TCP", internalPort: 8601 });
  const upnp = await gatewayFromUrl(gateway.descriptionUrl);
  await upnp.deletePortMapping({ externalPort: 8600, protocol: "TCP" });
  await upnp.deletePortMapping({ externalPort: 8601, protocol: "TCP" });
  assert.deepEqual(gateway.mappings, []);
});

test("a NAT-PMP request for the port of this host's PCP mapping renews it as NAT-PMP's: then NAT-PMP's delete removes it", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t);
  await pcp().map({ protocol: "UDP", internalPort: 8700 });
  const mapping = await natPmp().map({ protocol: "UDP", internalPort: 8700 });
  assert.equal(mapping.externalPort, 8700);
  assert.deepEqual(gateway.mappings.map((m) => m.description), ["NAT-PMP 8700 udp"]);
  await mapping.release();
  assert.deepEqual(gateway.mappings, []);
});
