// The NAT-PMP and PCP quirks and profiles of the virtual gateway, each as a named test through
// porthole's own clients, and the switches that turn each protocol on and off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gatewayFromUrl, InvalidArgumentError, NatPmpClient, NatPmpError, PcpClient, PcpError, randomNonce, SocketError, startVirtualGateway, UpnpActionError } from "../../src/index.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { portControlSetUp, rawClient } from "./support/port-control-fixture.js";

test("upnp-only profile: nothing listens for NAT-PMP or PCP, and asking where it would is an InvalidArgumentError", async (t) => {
  const upnpOnly = await startVirtualGateway({ profiles: ["upnp-only"] });
  t.after(() => upnpOnly.close());
  assert.deepEqual(upnpOnly.protocols, { upnp: true, natPmp: false, pcp: false });
  assert.throws(() => upnpOnly.portControlAddress, InvalidArgumentError);
  assert.equal(await (await gatewayFromUrl(upnpOnly.descriptionUrl)).getExternalAddress(), "203.0.113.7");
});

test("pmp-only profile (Apple AirPort): NAT-PMP maps; a PCP request gets NAT-PMP's unsupported version, so PCP clients step down; no UPnP", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t, { profiles: ["pmp-only"] });
  assert.deepEqual(gateway.protocols, { upnp: false, natPmp: true, pcp: false });
  assert.throws(() => gateway.descriptionUrl, InvalidArgumentError);
  assert.throws(() => gateway.ssdpAddress, InvalidArgumentError);
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 9100 })).externalPort, 9100);
  await assert.rejects(pcp().map({ protocol: "UDP", internalPort: 9101 }), (error: unknown) => error instanceof PcpError && error.natPmpFallback && error.serverVersion === 0);
  const client = await rawClient(t, gateway);
  const request = encodePcpRequest({ kind: "map", lifetimeSeconds: 300, clientAddress: "127.0.0.1", map: { nonce: randomNonce(), protocol: 17, internalPort: 9102, externalPort: 9102, externalAddress: "0.0.0.0" }, options: [] });
  assert.deepEqual([...(await client.ask(request))], [0, 129, 0, 1, 0, 0, 0, 0], "version 0, opcode 128 + 1, result 1: 8 bytes");
});

test("pcp-only profile: PCP maps; a NAT-PMP request gets UNSUPP_VERSION with version 2 (RFC 6887 §9), which NatPmpClient reads as PCP only", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t, { profiles: ["pcp-only"] });
  assert.deepEqual(gateway.protocols, { upnp: false, natPmp: false, pcp: true });
  assert.equal((await pcp().map({ protocol: "TCP", internalPort: 9110 })).externalPort, 9110);
  await assert.rejects(natPmp().map({ protocol: "TCP", internalPort: 9111 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 1 && /speaks PCP only/.test(error.message));
  const client = await rawClient(t, gateway);
  const reply = await client.ask(Uint8Array.of(0, 0));
  assert.deepEqual([reply.length, reply[0], reply[1], reply[3]], [24, 2, 128, 1]);
});

test("pmp-without-pcp profile (miniupnpd before PCP): UPnP and NAT-PMP; PCP steps down to NAT-PMP", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t, { profiles: ["pmp-without-pcp"] });
  assert.deepEqual(gateway.protocols, { upnp: true, natPmp: true, pcp: false });
  await assert.rejects(pcp().getExternalAddress(), (error: unknown) => error instanceof PcpError && error.natPmpFallback);
  assert.equal(await natPmp().getExternalAddress(), await (await gatewayFromUrl(gateway.descriptionUrl)).getExternalAddress());
});

test("short-lifetimes profile: at most 3600 s through NAT-PMP and PCP; PCP's shortest stays 120 s", async (t) => {
  const { natPmp, pcp } = await portControlSetUp(t, { profiles: ["short-lifetimes"] });
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 9120, leaseSeconds: 7200 })).leaseSeconds, 3600);
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 9121, leaseSeconds: 60 })).leaseSeconds, 60);
  const mapping = await pcp().map({ protocol: "UDP", internalPort: 9122, leaseSeconds: 7200 });
  assert.equal(mapping.leaseSeconds, 3600);
  assert.equal(mapping.renewAfter! - mapping.grantedAt, 1_800_000, "renewed at half the lifetime granted, not asked");
  assert.equal((await pcp().map({ protocol: "UDP", internalPort: 9123, leaseSeconds: 10 })).leaseSeconds, 120);
});

test("ignores-nonce profile (what Tailscale assumed, tailscale#1080): a delete with another nonce removes the PCP mapping", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t, { profiles: ["ignores-nonce"] });
  const mapping = await pcp().map({ protocol: "UDP", internalPort: 9130 });
  await pcp().unmap(mapping);
  assert.deepEqual(gateway.mappings, []);
});

test("routeros-pmp profile (tailscale#13785): a NAT-PMP mapping with suggested port 0 is refused with 4; NatPmpPortMapper never suggests 0 and maps", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t, { profiles: ["routeros-pmp"] });
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  await assert.rejects(client.map({ protocol: "UDP", internalPort: 9140, suggestedExternalPort: 0, lifetimeSeconds: 7200 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 4);
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 9140 })).externalPort, 9140);
});

test("private-wan profile (miniupnpd without ext_ip behind another NAT): UPnP reports no address and AddPortMapping 501, NAT-PMP answers 3, PCP 8 for 30 s; no NAT-PMP announcement", async (t) => {
  const { gateway, natPmp, pcp } = await portControlSetUp(t, { profiles: ["private-wan"], externalAddress: undefined });
  const upnp = await gatewayFromUrl(gateway.descriptionUrl);
  assert.equal(upnp.status?.externalAddress, undefined);
  await assert.rejects(upnp.addPortMapping({ internalPort: 9150, protocol: "UDP", internalClient: "127.0.0.1", leaseFallback: false }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 501);
  await assert.rejects(natPmp().getExternalAddress(), (error: unknown) => error instanceof NatPmpError && error.resultName === "NETWORK_FAILURE");
  await assert.rejects(natPmp().map({ protocol: "UDP", internalPort: 9150 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 3);
  const client = new PcpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  await assert.rejects(client.map({ nonce: randomNonce(), protocol: "UDP", internalPort: 9150, suggestedExternalPort: 9150, lifetimeSeconds: 300 }), (error: unknown) => {
    assert.ok(error instanceof PcpError && error.resultCode === 8, String(error));
    assert.equal(error.lifetimeSeconds, 30);
    return true;
  });
  await assert.rejects(pcp().map({ protocol: "UDP", internalPort: 9151 }), PcpError);
  assert.deepEqual(gateway.mappings, []);
});

test("slow profile: NAT-PMP and PCP replies wait responseDelayMs too", async (t) => {
  const { gateway } = await portControlSetUp(t, { quirks: { responseDelayMs: 150 } });
  const started = performance.now();
  await new PcpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port }).announce();
  assert.ok(performance.now() - started >= 149);
});

test("a PCP full table (tableLimit) is NO_RESOURCES", async (t) => {
  const { pcp } = await portControlSetUp(t, { quirks: { tableLimit: 1 } });
  await pcp().map({ protocol: "TCP", internalPort: 9160 });
  await assert.rejects(pcp().map({ protocol: "TCP", internalPort: 9161 }), (error: unknown) => error instanceof PcpError && error.resultName === "NO_RESOURCES");
});

test("protocol switches: the options win over the profiles; every protocol off, NAT-PMP on IPv6 and a lifetime range that is none are refused before anything opens", async (t) => {
  const pcpOnly = await startVirtualGateway({ upnp: false, natPmp: false });
  t.after(() => pcpOnly.close());
  assert.deepEqual(pcpOnly.protocols, { upnp: false, natPmp: false, pcp: true });
  assert.equal(pcpOnly.ssdpSearches, 0);
  const back = await startVirtualGateway({ profiles: ["pmp-only"], upnp: true });
  t.after(() => back.close());
  assert.deepEqual(back.protocols, { upnp: true, natPmp: true, pcp: false });
  for (const options of [{ upnp: false, natPmp: false, pcp: false }, { address: "::1", natPmp: true }, { quirks: { pcpMinLifetimeSeconds: 600, pcpMaxLifetimeSeconds: 60 } }, { quirks: { natPmpMaxLifetimeSeconds: 0 } }, { portControlPort: 65536 }]) {
    await assert.rejects(startVirtualGateway(options), InvalidArgumentError, JSON.stringify(options));
  }
});

test("a NAT-PMP/PCP port already taken rejects with SocketError and leaves nothing open", async (t) => {
  const first = await startVirtualGateway();
  t.after(() => first.close());
  // libuv releases closed handles in the close phase, after this turn's setImmediate callbacks.
  const handles = async (): Promise<number> => {
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    return process.getActiveResourcesInfo().filter((name) => name === "UDPWrap" || name === "TCPServerWrap").length;
  };
  const before = await handles();
  await assert.rejects(startVirtualGateway({ portControlPort: first.portControlAddress.port }), SocketError);
  assert.equal(await handles(), before);
});
