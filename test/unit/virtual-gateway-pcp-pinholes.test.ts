// PCP over IPv6 on the virtual gateway (::1): a MAP whose internal address is IPv6 opens a pinhole
// in the firewall WANIPv6FirewallControl uses too, as miniupnpd 2.3.1 does (external address and
// port = internal ones), with PCP's nonce rules, and miniupnpd's renewal bug as an opt-in quirk.
// Through porthole's own PcpPortMapper and PcpClient, and bytes for what they never send.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { derivedNonces, PcpClient, PcpError, PcpPortMapper, randomNonce, UpnpActionError, type VirtualGateway, type VirtualGatewayOptions } from "../../src/index.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { decodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { firewallCall, ipv6Gateway, pinholeMapper } from "./support/ipv6-gateway.js";

const isPcpError = (name: string) => (error: unknown) => error instanceof PcpError && error.resultName === name;
const hex = (nonce: Uint8Array): string => Buffer.from(nonce).toString("hex");

/** A gateway on ::1 whose clock the test moves, with porthole's PCP mapper and client pointed at it. */
async function pcpOverIpv6(t: TestContext, options: VirtualGatewayOptions = {}) {
  const clock = { now: 1_700_000_000_000 };
  const gateway = await ipv6Gateway(t, { now: () => clock.now, ...options });
  if (gateway === undefined) return undefined;
  const clientOptions = { gatewayPort: gateway.portControlAddress.port, initialRetransmitMs: 1000, now: () => clock.now };
  return {
    clock,
    gateway,
    mapper: (extra: ConstructorParameters<typeof PcpPortMapper>[1] = {}) => new PcpPortMapper("::1", { ...clientOptions, ...extra }),
    client: new PcpClient("::1", clientOptions),
  };
}

/** A MAP as bytes from ::1, for what porthole's client never sends; returns the answer's result code. */
async function rawMap(t: TestContext, gateway: VirtualGateway, fields: { protocol: number; internalPort: number; lifetimeSeconds?: number }): Promise<number> {
  const socket = dgram.createSocket("udp6");
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
  const bytes = encodePcpRequest({
    kind: "map",
    lifetimeSeconds: fields.lifetimeSeconds ?? 300,
    clientAddress: "::1",
    map: { nonce: randomNonce(), protocol: fields.protocol, internalPort: fields.internalPort, externalPort: fields.internalPort, externalAddress: "::" },
    options: [],
  });
  const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
  socket.send(bytes, gateway.portControlAddress.port, "::1");
  return decodePcpResponse(await answer).resultCode;
}

test("PCP over IPv6 (::1): ANNOUNCE answers with the epoch; NAT-PMP stays off, IPv4 only", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  assert.equal(setUp.gateway.protocols.natPmp, false);
  setUp.clock.now += 7_000;
  assert.equal((await setUp.client.announce()).epochSeconds, 7);
});

test("a MAP from ::1 opens a pinhole to its own address and internal port (external = internal, as miniupnpd), not a port mapping", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const { gateway, client, clock } = setUp;
  const nonce = randomNonce();
  const granted = await client.map({ nonce, protocol: "UDP", internalPort: 7100, suggestedExternalPort: 0, lifetimeSeconds: 600 });
  assert.deepEqual([granted.externalAddress, granted.externalPort, granted.lifetimeSeconds, granted.localAddress], ["::1", 7100, 600, "::1"]);
  assert.deepEqual(gateway.pinholes, [
    { remoteHost: "", remotePort: 0, internalClient: "::1", internalPort: 7100, protocol: "UDP", uniqueId: 1, leaseSeconds: 600, expiresAt: clock.now + 600_000, description: `PCP MAP ${hex(nonce)}`, packets: 0 },
  ]);
  assert.deepEqual(gateway.mappings, []);
  // porthole's mapper: the same pinhole shape as UPnP's; loopback is no address the internet reaches.
  const mapping = await setUp.mapper().map({ protocol: "TCP", internalPort: 7101, leaseSeconds: 600 });
  assert.deepEqual([mapping.method, mapping.internalClient, mapping.externalPort, mapping.externalAddress], ["pcp", "::1", 7101, undefined]);
  assert.equal(gateway.pinholes.length, 2);
});

test("pinhole lifetimes are clamped as PCP's (120..86400 s, miniupnpd) and run out on the gateway's clock", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const { gateway, clock } = setUp;
  const mapper = setUp.mapper();
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7110, leaseSeconds: 10 })).leaseSeconds, 120);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7111, leaseSeconds: 100_000 })).leaseSeconds, 86400);
  clock.now += 119_999;
  assert.equal(gateway.pinholes.length, 2);
  clock.now += 1;
  assert.deepEqual(gateway.pinholes.map((pinhole) => pinhole.internalPort), [7111]);
});

test("UPnP and PCP share the firewall: AddPinhole of the pinhole PCP opened returns its UniqueID, and UPnP's check sees it", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  await setUp.mapper().map({ protocol: "UDP", internalPort: 7120, leaseSeconds: 600 });
  const upnp = await pinholeMapper(setUp.gateway);
  const same = await upnp.map({ protocol: "UDP", internalPort: 7120, leaseSeconds: 600 });
  assert.equal(same.pinholeId, setUp.gateway.pinholes[0]!.uniqueId);
  assert.equal(setUp.gateway.pinholes.length, 1);
  assert.equal((await upnp.check(same)).state, "present");
});

test("a PCP renewal keeps the pinhole, its UniqueID and its nonce, with a new lifetime; a renewal with another nonce does not take it over (unlike a NAT mapping)", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const { gateway, client, clock } = setUp;
  const first = randomNonce();
  const second = randomNonce();
  const request = { protocol: "TCP", internalPort: 7130, suggestedExternalPort: 7130, lifetimeSeconds: 600 } as const;
  await client.map({ ...request, nonce: first });
  clock.now += 300_000;
  const renewed = await client.map({ ...request, nonce: second, lifetimeSeconds: 900 });
  assert.equal(renewed.externalPort, 7130);
  assert.deepEqual(gateway.pinholes.map((p) => [p.uniqueId, p.leaseSeconds, p.expiresAt, p.description]), [[1, 900, clock.now + 900_000, `PCP MAP ${hex(first)}`]]);
  await assert.rejects(client.map({ ...request, nonce: second, lifetimeSeconds: 0 }), isPcpError("NOT_AUTHORIZED"));
  await client.map({ ...request, nonce: first, lifetimeSeconds: 0 });
  assert.deepEqual(gateway.pinholes, []);
});

test("a PCP renewal answers the external port it suggested, as miniupnpd sets the port only for a new pinhole", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const request = { nonce: randomNonce(), protocol: "UDP", internalPort: 7135, lifetimeSeconds: 600 } as const;
  assert.equal((await setUp.client.map({ ...request, suggestedExternalPort: 0 })).externalPort, 7135);
  assert.equal((await setUp.client.map({ ...request, suggestedExternalPort: 9999 })).externalPort, 9999);
  assert.deepEqual(setUp.gateway.pinholes.map((pinhole) => pinhole.internalPort), [7135]);
});

test("a PCP delete of a pinhole: its nonce removes it (porthole's release), another nonce is NOT_AUTHORIZED, nothing to delete is a success (miniupnpd)", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const { gateway } = setUp;
  const mapping = await setUp.mapper().map({ protocol: "UDP", internalPort: 7140 });
  await assert.rejects(setUp.mapper().unmap(mapping), isPcpError("NOT_AUTHORIZED"));
  assert.equal(gateway.pinholes.length, 1);
  await mapping.release();
  assert.deepEqual(gateway.pinholes, []);
  await mapping.release();
  // A later process deletes with the same derived nonce, as the CLI's unmap does.
  const secret = derivedNonces("pinhole test secret");
  const derived = await setUp.mapper({ nonceFor: secret }).map({ protocol: "TCP", internalPort: 7141 });
  await setUp.mapper({ nonceFor: secret }).unmap(derived);
  assert.equal(gateway.pinholes.length, 0);
});

test("ignorePcpNonce (tailscale#1080) deletes a pinhole whatever the nonce", async (t) => {
  const setUp = await pcpOverIpv6(t, { profiles: ["ignores-nonce"] });
  if (!setUp) return;
  const mapping = await setUp.mapper().map({ protocol: "UDP", internalPort: 7145 });
  await setUp.mapper().unmap(mapping);
  assert.deepEqual(setUp.gateway.pinholes, []);
});

test("a pinhole UPnP opened is not PCP's to delete: its description is no nonce (NOT_AUTHORIZED); PCP renews it all the same", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const upnp = await (await pinholeMapper(setUp.gateway)).map({ protocol: "UDP", internalPort: 7150, leaseSeconds: 600 });
  const pcp = await setUp.mapper().map({ protocol: "UDP", internalPort: 7150, leaseSeconds: 900 });
  assert.deepEqual(setUp.gateway.pinholes.map((p) => [p.uniqueId, p.leaseSeconds, p.description]), [[upnp.pinholeId, 900, "IGD2 pinhole"]]);
  await assert.rejects(pcp.release(), isPcpError("NOT_AUTHORIZED"));
  await upnp.release();
  assert.deepEqual(setUp.gateway.pinholes, []);
});

test("a pinhole PCP opened below port 1024 (PCP checks no port) is not UPnP's to touch: 606 (miniupnpd's PinholeVerification)", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  await setUp.mapper().map({ protocol: "TCP", internalPort: 80 });
  const id = String(setUp.gateway.pinholes[0]!.uniqueId);
  assert.equal((await firewallCall(setUp.gateway, "GetPinholePackets", [["UniqueID", id]])).fault?.code, 606);
  assert.equal((await firewallCall(setUp.gateway, "UpdatePinhole", [["UniqueID", id], ["NewLeaseTime", "600"]])).fault?.code, 606);
  assert.equal((await firewallCall(setUp.gateway, "DeletePinhole", [["UniqueID", id]])).fault?.code, 606);
  assert.equal(setUp.gateway.pinholes.length, 1);
  await assert.rejects((await pinholeMapper(setUp.gateway)).map({ protocol: "TCP", internalPort: 80 }), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 606);
});

for (const renewal of ["a PCP renewal", "UpdatePinhole"] as const) {
  test(`miniupnpd 2.3.1's bug (pinholeRenewalLosesPcpNonce, the pinhole-renewal-bug profile): after ${renewal}, PCP can no longer delete the pinhole, even with its nonce`, async (t) => {
    const setUp = await pcpOverIpv6(t, { profiles: ["pinhole-renewal-bug"] });
    if (!setUp) return;
    const { gateway, client } = setUp;
    const nonce = randomNonce();
    const request = { nonce, protocol: "UDP", internalPort: 7160, suggestedExternalPort: 7160, lifetimeSeconds: 600 } as const;
    await client.map(request);
    if (renewal === "a PCP renewal") await client.map(request);
    else await (await pinholeMapper(gateway)).map({ protocol: "UDP", internalPort: 7160 });
    await assert.rejects(client.map({ ...request, lifetimeSeconds: 0 }), isPcpError("NOT_AUTHORIZED"));
    assert.equal(gateway.pinholes.length, 1);
    assert.equal(gateway.pinholes[0]!.description, "");
  });
}

test("without the bug (the default), a renewed pinhole is deleted by its nonce", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  const mapping = await setUp.mapper().map({ protocol: "UDP", internalPort: 7165 });
  await (await mapping.renew()).release();
  assert.deepEqual(setUp.gateway.pinholes, []);
});

test("pinholeLimit: a MAP beyond it is NO_RESOURCES, its renewal is not", async (t) => {
  const setUp = await pcpOverIpv6(t, { quirks: { pinholeLimit: 1 } });
  if (!setUp) return;
  const held = await setUp.mapper().map({ protocol: "UDP", internalPort: 7170 });
  await assert.rejects(setUp.mapper().map({ protocol: "UDP", internalPort: 7171 }), isPcpError("NO_RESOURCES"));
  await held.renew();
  assert.equal(setUp.gateway.pinholes.length, 1);
});

test("a pinhole MAP with internal port 0 is MALFORMED_REQUEST, with a protocol other than TCP or UDP UNSUPP_PROTOCOL (where the virtual gateway is stricter than miniupnpd)", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  assert.equal(await rawMap(t, setUp.gateway, { protocol: 17, internalPort: 0 }), 3);
  assert.equal(await rawMap(t, setUp.gateway, { protocol: 132, internalPort: 7180 }), 9);
  assert.equal(await rawMap(t, setUp.gateway, { protocol: 132, internalPort: 7180, lifetimeSeconds: 0 }), 0, "a delete of nothing is a success");
  assert.deepEqual(setUp.gateway.pinholes, []);
});

test("reboot() empties the pinholes PCP opened", async (t) => {
  const setUp = await pcpOverIpv6(t);
  if (!setUp) return;
  await setUp.mapper().map({ protocol: "UDP", internalPort: 7190 });
  await setUp.gateway.reboot({ announce: false });
  assert.deepEqual(setUp.gateway.pinholes, []);
});
