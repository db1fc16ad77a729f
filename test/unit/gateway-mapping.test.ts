import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { findGateway, WanConnection, InvalidArgumentError, PortholeError, UpnpActionError, UPNPResult } from "../../src/index.js";
import { searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";
import type { VirtualGatewayOptions } from "../../src/index.js";

async function gatewayFor(t: Parameters<typeof virtualGateway>[0], options: VirtualGatewayOptions = {}) {
  const vg = await virtualGateway(t, options);
  return { vg, gateway: await findGateway(searchOnly(vg)) };
}

test("addPortMapping maps to our address with a finite default lease and reads the entry back", async (t) => {
  const { vg, gateway } = await gatewayFor(t);
  const mapping = await gateway.addPortMapping({ internalPort: 7777, externalPort: 17777, protocol: "udp", description: "game" });
  assert.deepEqual(mapping, {
    protocol: "UDP",
    externalPort: 17777,
    internalPort: 7777,
    internalClient: "127.0.0.1",
    description: "game",
    leaseSeconds: 3600,
    remoteHost: "",
  });
  assert.equal(vg.mappings.length, 1);
  assert.equal(vg.mappings[0]?.internalClient, "127.0.0.1");
  const actions = vg.requests.map((r) => r.action);
  assert.deepEqual(actions.slice(-2), ["AddPortMapping", "GetSpecificPortMappingEntry"]);
});

test("IGDv2 turns a permanent lease into a week, and porthole reports what was granted", async (t) => {
  const { gateway } = await gatewayFor(t);
  const mapping = await gateway.addPortMapping({ internalPort: 4000, protocol: "TCP", leaseSeconds: 0 });
  assert.equal(mapping.leaseSeconds, 604800);
});

test("lease quirks: 725 and ARRIS's 402 fall back to a permanent lease; 402 on 0 falls back to a week", async (t) => {
  const cases: Array<[VirtualGatewayOptions["quirks"], number, number]> = [
    [{ onlyPermanentLeases: true }, 3600, 0],
    [{ rejectNonZeroLeaseWith402: true }, 3600, 0],
    [{ rejectZeroLeaseWith402: true }, 0, 604800],
  ];
  for (const [quirks, asked, granted] of cases) {
    const { gateway } = await gatewayFor(t, { igdVersion: 1, quirks });
    const mapping = await gateway.addPortMapping({ internalPort: 5000, protocol: "TCP", leaseSeconds: asked });
    assert.equal(mapping.leaseSeconds, granted, JSON.stringify(quirks));
  }
  const { gateway } = await gatewayFor(t, { quirks: { onlyPermanentLeases: true } });
  await assert.rejects(
    gateway.addPortMapping({ internalPort: 5001, protocol: "TCP", leaseFallback: false }),
    (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 725 && resultOf(e) === UPNPResult.ONLY_PERMANENT_LEASE_SUPPORTED,
  );
});

test("a conflict is a typed 718; anyPort lets an IGDv2 gateway pick another port", async (t) => {
  const { vg, gateway } = await gatewayFor(t);
  await gateway.addPortMapping({ internalPort: 6000, protocol: "UDP", internalClient: "127.0.0.2" });
  await assert.rejects(gateway.addPortMapping({ internalPort: 6000, protocol: "UDP" }), (e: unknown) => {
    assert.ok(e instanceof UpnpActionError);
    assert.equal(e.upnpCode, 718);
    assert.equal(resultOf(e), UPNPResult.CONFLICT_WITH_OTHER_MAPPING);
    assert.equal(e.action, "AddPortMapping");
    return true;
  });
  const moved = await gateway.addPortMapping({ internalPort: 6000, protocol: "UDP", anyPort: true });
  assert.notEqual(moved.externalPort, 6000);
  assert.ok(vg.mappings.some((m) => m.externalPort === moved.externalPort && m.internalClient === "127.0.0.1"));
  assert.ok(vg.requests.some((r) => r.action === "AddAnyPortMapping"));
});

test("anyPort on IGDv1 tries other ports itself", async (t) => {
  const { vg, gateway } = await gatewayFor(t, { igdVersion: 1 });
  await gateway.addPortMapping({ internalPort: 6001, protocol: "TCP", internalClient: "127.0.0.2" });
  const moved = await gateway.addPortMapping({ internalPort: 6001, protocol: "TCP", anyPort: true });
  assert.notEqual(moved.externalPort, 6001);
  assert.equal(vg.mappings.length, 2);
  assert.ok(!vg.requests.some((r) => r.action === "AddAnyPortMapping"));
});

test("a mapping the router accepts and drops is reported, not trusted (tailscale#18196)", async (t) => {
  const { gateway } = await gatewayFor(t, { quirks: { silentlyDropMappings: true } });
  await assert.rejects(
    gateway.addPortMapping({ internalPort: 7000, protocol: "UDP" }),
    (e: unknown) => e instanceof PortholeError && resultOf(e) === UPNPResult.ACTION_FAILED && /dropped/.test(e.message),
  );
});

test("delete, get and list: GetListOfPortMappings and the generic walk agree", async (t) => {
  const { vg, gateway } = await gatewayFor(t);
  for (let port = 20000; port < 20025; port++) {
    await gateway.addPortMapping({ internalPort: port, protocol: port % 2 ? "UDP" : "TCP", description: `m${port}`, verify: false });
  }
  const listed = (await gateway.listPortMappings({ method: "list" })).entries;
  const walked = (await gateway.listPortMappings({ method: "generic" })).entries;
  const key = (e: { protocol: string; externalPort: number }) => `${e.protocol}/${e.externalPort}`;
  assert.equal(listed.length, 25);
  assert.deepEqual(new Set(listed.map(key)), new Set(walked.map(key)));
  assert.ok(vg.requests.some((r) => r.action === "GetListOfPortMappings"));

  const entry = await gateway.getPortMapping(20001, "udp");
  assert.equal(entry?.description, "m20001");
  await gateway.deletePortMapping({ externalPort: 20001, protocol: "UDP" });
  assert.equal(await gateway.getPortMapping(20001, "UDP"), undefined);
  await assert.rejects(gateway.deletePortMapping({ externalPort: 20001, protocol: "UDP" }), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 714);
});

test("IGDv1 lists with the generic walk only", async (t) => {
  const { vg, gateway } = await gatewayFor(t, { igdVersion: 1 });
  await gateway.addPortMapping({ internalPort: 30000, protocol: "TCP" });
  const entries = (await gateway.listPortMappings()).entries;
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.internalClient, "127.0.0.1");
  assert.ok(!vg.requests.some((r) => r.action === "GetListOfPortMappings"));
});

test("bad arguments are refused before any traffic, with the engine's result codes", async (t) => {
  const vg = await virtualGateway(t);
  const gateway = new WanConnection({ controlUrl: `http://127.0.0.1:${vg.httpPort}/ctl/IPConn`, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", localAddress: "127.0.0.1" });
  const refused = async (options: Parameters<WanConnection["addPortMapping"]>[0], result: UPNPResult) =>
    assert.rejects(gateway.addPortMapping(options), (e: unknown) => e instanceof InvalidArgumentError && resultOf(e) === result);
  await refused({ internalPort: 0, protocol: "TCP" }, UPNPResult.INVALID_PORT);
  await refused({ internalPort: 65536, protocol: "TCP" }, UPNPResult.INVALID_PORT);
  await refused({ internalPort: 80, externalPort: 1.5, protocol: "TCP" }, UPNPResult.INVALID_PORT);
  await refused({ internalPort: 80, protocol: "SCTP" as "TCP" }, UPNPResult.INVALID_PROTOCOL);
  await refused({ internalPort: 80, protocol: "TCP", leaseSeconds: -1 }, UPNPResult.INVALID_DURATION);
  assert.equal(vg.requests.length, 0);
});

test("a gateway built by hand from a control URL works without discovery", async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.7" });
  const gateway = new WanConnection({ controlUrl: `http://127.0.0.1:${vg.httpPort}/ctl/IPConn`, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2" });
  assert.equal(await gateway.getExternalAddress(), "11.0.0.7");
  const mapping = await gateway.addPortMapping({ internalPort: 9000, protocol: "TCP" });
  assert.equal(mapping.internalClient, "127.0.0.1", "our address is found from the routing table");
});
