// The virtual gateway's IPv6 firewall (WANIPv6FirewallControl:1) on ::1, through porthole's own
// UpnpPinholeMapper and, where the mapper would not send it, raw SOAP: every action, the pinhole
// table's leases on the gateway's clock, and each miniupnpd 2.3.1 quirk beside the switch that
// gives the specification's answer instead.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { findPortMapper, InvalidArgumentError, NoGatewayError, startVirtualGateway, UpnpActionError, UpnpPinholeMapper, type VirtualGateway, type VirtualGatewayActivity, type VirtualGatewayOptions } from "../../src/index.js";
import * as firewall from "../../src/upnp/igd/firewall-control.js";
import { buildDeviceModel } from "../../src/virtual-gateway/device-model.js";
import { PinholeTable } from "../../src/virtual-gateway/pinhole-table.js";
import { resolveConfig } from "../../src/virtual-gateway/gateway-config.js";
import { searchMatches } from "../../src/virtual-gateway/ssdp-messages.js";
import { childElement, childText, descendants, parseXml, type XmlElement } from "../../src/xml/parse-xml.js";
import { firewallCall, firewallControlType, ipv6Gateway, pinholeMapper } from "./support/ipv6-gateway.js";
import { mSearch, rawHttp, ssdpExchange, type SoapResult } from "./virtual-gateway-test-client.js";

const upnpCode = (code: number) => (error: unknown) => error instanceof UpnpActionError && error.upnpCode === code;

/** A gateway on ::1 whose clock the test moves, and a pinhole mapper on that clock; undefined where ::1 is missing (skipped, or failed on CI). */
async function clockedGateway(t: TestContext, options: VirtualGatewayOptions = {}) {
  const clock = { now: 1_700_000_000_000 };
  const gateway = await ipv6Gateway(t, { now: () => clock.now, ...options });
  return gateway === undefined ? undefined : { clock, gateway, mapper: await pinholeMapper(gateway, { now: () => clock.now }) };
}

/** AddPinhole's six arguments in template order: a UDP pinhole to ::1 port 7000 for 600 s unless told otherwise. */
function pinholeArgs(fields: { remoteHost?: string; remotePort?: string; internalClient?: string; internalPort?: string; protocol?: string; lease?: string } = {}): Array<[string, string]> {
  return [
    ["RemoteHost", fields.remoteHost ?? ""],
    ["RemotePort", fields.remotePort ?? "0"],
    ["InternalClient", fields.internalClient ?? "::1"],
    ["InternalPort", fields.internalPort ?? "7000"],
    ["Protocol", fields.protocol ?? "17"],
    ["LeaseTime", fields.lease ?? "600"],
  ];
}

const faultOf = (result: SoapResult): number | undefined => result.fault?.code;

/** The actions the firewall control received, oldest first (finding the gateway asks WANIPConnection too). */
const firewallActions = (gateway: VirtualGateway): string[] => gateway.requests.filter((request) => request.controlPath === "/ctl/IP6FCtl").map((request) => request.action);

/** Where porthole's own action functions send to. */
const endpointOf = (gateway: VirtualGateway) => ({ controlUrl: new URL("/ctl/IP6FCtl", gateway.descriptionUrl).href, serviceType: firewallControlType });

/** porthole's search for the UPnP way to open IPv6 pinholes, on this gateway. */
const findPinholes = (gateway: VirtualGateway) => findPortMapper({ family: 6, protocol: "upnp", gatewayUrl: gateway.descriptionUrl, upnpPinhole: { internalAddress: "::1" } });

async function descriptionOf(gateway: VirtualGateway): Promise<XmlElement> {
  return parseXml((await rawHttp(gateway.descriptionUrl)).body.toString("utf8"));
}

test("IGD:2 describes WANIPv6FirewallControl:1 beside WANIPConnection:2 in the WANConnectionDevice, at /ctl/IP6FCtl as miniupnpd, and announces it", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const connectionDevice = descendants(await descriptionOf(gateway), "device").find((device) => childText(device, "deviceType")?.includes("WANConnectionDevice"))!;
  const services = descendants(childElement(connectionDevice, "serviceList")!, "service");
  assert.deepEqual(services.map((service) => childText(service, "serviceType")), ["urn:schemas-upnp-org:service:WANIPConnection:2", firewallControlType]);
  const service = services[1]!;
  assert.equal(childText(service, "serviceId"), "urn:upnp-org:serviceId:WANIPv6Firewall1");
  assert.equal(childText(service, "controlURL"), "/ctl/IP6FCtl");
  const scpd = parseXml((await rawHttp(new URL(childText(service, "SCPDURL")!, gateway.descriptionUrl).href)).body.toString("utf8"));
  const actions = descendants(scpd, "action");
  assert.deepEqual(actions.map((action) => childText(action, "name")), ["GetFirewallStatus", "GetOutboundPinholeTimeout", "AddPinhole", "UpdatePinhole", "DeletePinhole", "GetPinholePackets", "CheckPinholeWorking"]);
  const add = actions.find((action) => childText(action, "name") === "AddPinhole")!;
  assert.deepEqual(descendants(add, "argument").map((argument) => childText(argument, "name")), ["RemoteHost", "RemotePort", "InternalClient", "InternalPort", "Protocol", "LeaseTime", "UniqueID"]);
  const [reply] = await ssdpExchange(gateway.ssdpAddress, [mSearch(firewallControlType)], 1);
  assert.equal(reply?.headers.ST, firewallControlType);
  assert.equal((await pinholeMapper(gateway)).service.controlUrl, new URL("/ctl/IP6FCtl", gateway.descriptionUrl).href);
});

test("IGD:1 (miniupnpd -1) neither describes nor announces the firewall control, yet answers at /ctl/IP6FCtl", async (t) => {
  const gateway = await ipv6Gateway(t, { igdVersion: 1 });
  if (!gateway) return;
  const types = descendants(await descriptionOf(gateway), "serviceType").map((element) => element.text);
  assert.ok(types.includes("urn:schemas-upnp-org:service:WANIPConnection:1"));
  assert.ok(!types.some((type) => type.includes("WANIPv6FirewallControl")), types.join(", "));
  const root = buildDeviceModel(resolveConfig({ igdVersion: 1 })).root;
  assert.equal(searchMatches(firewallControlType, root, {}).length, 0);
  assert.equal(searchMatches("ssdp:all", root, {}).length, 10);
  assert.equal((await rawHttp(new URL("/WANIP6FC.xml", gateway.descriptionUrl).href)).status, 200);
  assert.deepEqual((await firewallCall(gateway, "GetFirewallStatus")).values, { FirewallEnabled: "1", InboundPinholeAllowed: "1" });
  const mapper = new UpnpPinholeMapper({ serviceType: firewallControlType, version: 1, controlUrl: endpointOf(gateway).controlUrl, deviceType: "urn:schemas-upnp-org:device:WANConnectionDevice:1" }, { internalAddress: "::1" });
  assert.equal((await mapper.map({ protocol: "TCP", internalPort: 7001 })).pinholeId, 1);
});

test("GetFirewallStatus: on and letting pinholes in by default, and porthole's search takes the firewall", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  assert.deepEqual(await (await pinholeMapper(gateway)).getFirewallStatus(), { firewallEnabled: true, inboundPinholeAllowed: true });
  assert.equal((await findPinholes(gateway)).method, "upnp-pinhole");
});

for (const { setting, options, status, code, outboundCode, refusal } of [
  { setting: "firewallEnabled false", options: { firewallEnabled: false }, status: { firewallEnabled: false, inboundPinholeAllowed: true }, code: 702, outboundCode: 702, refusal: /firewall is off/ },
  // miniupnpd's GetOutboundPinholeTimeout looks only at whether the firewall is on: 501 as ever.
  { setting: "inboundPinholeAllowed false", options: { inboundPinholeAllowed: false }, status: { firewallEnabled: true, inboundPinholeAllowed: false }, code: 703, outboundCode: 501, refusal: /does not allow inbound pinholes/ },
]) {
  test(`${setting}: GetFirewallStatus says so, AddPinhole and the actions on a pinhole are ${code}, and porthole's search refuses the firewall`, async (t) => {
    const gateway = await ipv6Gateway(t, options);
    if (!gateway) return;
    const mapper = await pinholeMapper(gateway);
    assert.deepEqual(await mapper.getFirewallStatus(), status);
    await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7002 }), upnpCode(code));
    for (const action of ["UpdatePinhole", "DeletePinhole", "GetPinholePackets", "CheckPinholeWorking"]) {
      assert.equal(faultOf(await firewallCall(gateway, action, [["UniqueID", "1"], ...(action === "UpdatePinhole" ? [["NewLeaseTime", "60"] as const] : [])])), code, action);
    }
    const flow = { remoteHost: "", remotePort: 0, internalClient: "::1", internalPort: 7002, protocol: "UDP" as const };
    await assert.rejects(firewall.getOutboundPinholeTimeout(endpointOf(gateway), flow), upnpCode(outboundCode));
    await assert.rejects(findPinholes(gateway), (error: unknown) => error instanceof NoGatewayError && refusal.test(error.message));
    assert.deepEqual(gateway.pinholes, []);
  });
}

test("AddPinhole through porthole's mapper: a pinhole to ::1 and the port, its UniqueID, its lease on the gateway's clock", async (t) => {
  const setUp = await clockedGateway(t);
  if (!setUp) return;
  const { clock, gateway, mapper } = setUp;
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000, leaseSeconds: 600 });
  assert.equal(mapping.method, "upnp-pinhole");
  assert.equal(mapping.externalAddress, "::1");
  assert.equal(mapping.externalPort, 7000);
  assert.equal(mapping.pinholeId, 1);
  assert.deepEqual(gateway.pinholes, [
    { remoteHost: "", remotePort: 0, internalClient: "::1", internalPort: 7000, protocol: "UDP", uniqueId: 1, leaseSeconds: 600, expiresAt: clock.now + 600_000, description: "IGD2 pinhole", packets: 0 },
  ]);
  assert.deepEqual(gateway.mappings, [], "a pinhole is no port mapping");
  // Another protocol or port is another pinhole, with the next UniqueID.
  assert.equal((await mapper.map({ protocol: "TCP", internalPort: 7000, leaseSeconds: 600 })).pinholeId, 2);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7001, leaseSeconds: 600 })).pinholeId, 3);
});

test("AddPinhole of a pinhole the firewall holds returns its UniqueID (miniupnpd, WANIPv6FirewallControl:1 §2.5.3) with a new lease", async (t) => {
  const setUp = await clockedGateway(t);
  if (!setUp) return;
  const { clock, gateway } = setUp;
  const first = await firewallCall(gateway, "AddPinhole", pinholeArgs({ lease: "600" }));
  clock.now += 100_000;
  const again = await firewallCall(gateway, "AddPinhole", pinholeArgs({ lease: "900" }));
  assert.equal(first.values.UniqueID, "1");
  assert.equal(again.values.UniqueID, "1");
  assert.equal(gateway.pinholes.length, 1);
  assert.equal(gateway.pinholes[0]!.leaseSeconds, 900);
  assert.equal(gateway.pinholes[0]!.expiresAt, clock.now + 900_000);
  // A remote host makes another flow: another pinhole. It is stored as miniupnpd writes it back.
  const limited = await firewallCall(gateway, "AddPinhole", pinholeArgs({ remoteHost: "2001:DB8:0::5", remotePort: "5000" }));
  assert.equal(limited.values.UniqueID, "2");
  assert.equal(gateway.pinholes[1]!.remoteHost, "2001:db8::5");
  assert.equal(gateway.pinholes[1]!.remotePort, 5000);
  assert.equal((await firewallCall(gateway, "AddPinhole", pinholeArgs({ remoteHost: "2001:db8::5", remotePort: "5001" }))).values.UniqueID, "3", "another remote port");
  // "*" is any remote host, as "" is (miniupnpd).
  assert.equal((await firewallCall(gateway, "AddPinhole", pinholeArgs({ remoteHost: " * " }))).values.UniqueID, "1");
  assert.equal(gateway.pinholes.length, 3);
});

test("PinholeTable: UniqueIDs count from 1, skip those held, start again at 1 after the last, and run out when every one is held", () => {
  const table = new PinholeTable(() => 0, 3);
  const add = (internalPort: number) => table.add({ remoteHost: "", remotePort: 0, internalClient: "::1", internalPort, protocol: "UDP" }, 60, "")?.uniqueId;
  assert.equal(add(1), 1);
  assert.equal(add(2), 2);
  assert.equal(add(3), 3);
  assert.equal(add(4), undefined, "1, 2 and 3 held");
  table.delete(2);
  assert.equal(add(4), 2, "1 is held: skipped");
  table.delete(1);
  assert.equal(add(5), 1, "3 is held, and after the last comes 1 again");
  assert.deepEqual(table.entries().map((entry) => [entry.uniqueId, entry.internalPort]), [[3, 3], [2, 4], [1, 5]]);
});

test("AddPinhole for another host's address is 606 (miniupnpd's PinholeVerification), as is one written otherwise than the sender's address (miniupnpd before 2.3.3 compares text)", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const other = await pinholeMapper(gateway, { internalAddress: "2001:db8::2" });
  await assert.rejects(other.map({ protocol: "UDP", internalPort: 7004 }), upnpCode(606));
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs({ internalClient: "0:0:0:0:0:0:0:1" }))), 606);
  // Not an IPv6 address at all: miniupnpd cannot resolve it to one (402).
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs({ internalClient: "127.0.0.1" }))), 402);
  assert.deepEqual(gateway.pinholes, []);
});

test("AddPinhole below port 1024 is 606 whatever the permission rules (miniupnpd's PinholeVerification): 1023 refused, 1024 opened", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 1023 }), upnpCode(606));
  await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 80 }), upnpCode(606));
  assert.equal((await mapper.map({ protocol: "TCP", internalPort: 1024 })).externalPort, 1024);
  assert.deepEqual(gateway.pinholes.map((pinhole) => pinhole.internalPort), [1024]);
});

test("AddPinhole's lease runs from 1 s to a day: 0 and 86401 are 402 (miniupnpd), 1 and 86400 are granted", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs({ lease: "0" }))), 402);
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs({ lease: "86401" }))), 402);
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs({ lease: "" }))), 402);
  assert.equal((await firewallCall(gateway, "AddPinhole", pinholeArgs({ internalPort: "7005", lease: "1" }))).values.UniqueID, "1");
  assert.equal((await firewallCall(gateway, "AddPinhole", pinholeArgs({ internalPort: "7006", lease: "86400" }))).values.UniqueID, "2");
  assert.deepEqual(gateway.pinholes.map((pinhole) => pinhole.leaseSeconds), [1, 86400]);
});

test("AddPinhole's wildcards and protocols, in miniupnpd's order: 706 internal port 0, 708 no internal client, 707 protocol 65535, 705 anything but TCP (6) and UDP (17), 402 a protocol that is missing or too large", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const code = async (fields: Parameters<typeof pinholeArgs>[0]): Promise<number | undefined> => faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs(fields)));
  assert.equal(await code({ internalPort: "0" }), 706);
  assert.equal(await code({ internalClient: "" }), 708);
  assert.equal(await code({ internalClient: "*" }), 708);
  assert.equal(await code({ protocol: "65535" }), 707);
  assert.equal(await code({ protocol: "1" }), 705);
  assert.equal(await code({ protocol: "136" }), 705, "UDP-Lite: miniupnpd 2.3.1's check for it is misspelt, so never on");
  assert.equal(await code({ protocol: "TCP" }), 705, "strtol() reads no number: protocol 0");
  assert.equal(await code({ protocol: "" }), 402);
  assert.equal(await code({ protocol: "65536" }), 402);
  // The order: the protocol's form, then the port, the client, the wildcard protocol, the lease, the owner.
  assert.equal(await code({ protocol: "", internalPort: "0" }), 402);
  assert.equal(await code({ internalPort: "0", internalClient: "" }), 706);
  assert.equal(await code({ internalClient: "", protocol: "65535" }), 708);
  assert.equal(await code({ protocol: "65535", lease: "0" }), 707);
  assert.equal(await code({ lease: "0", internalClient: "2001:db8::2" }), 402);
  assert.equal(await code({ remoteHost: "not-an-address" }), 402);
  assert.deepEqual(gateway.pinholes, []);
});

test("UpdatePinhole: renew() gives the pinhole a new lease counted from now on the gateway's clock, under the same UniqueID", async (t) => {
  const setUp = await clockedGateway(t);
  if (!setUp) return;
  const { clock, gateway, mapper } = setUp;
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7010, leaseSeconds: 120 });
  clock.now += 60_000;
  const renewed = await mapping.renew();
  assert.equal(renewed.pinholeId, mapping.pinholeId);
  assert.equal(gateway.pinholes[0]!.expiresAt, clock.now + 120_000);
  assert.deepEqual(firewallActions(gateway), ["AddPinhole", "UpdatePinhole"]);
  const update = (lease: string) => firewallCall(gateway, "UpdatePinhole", [["UniqueID", String(mapping.pinholeId)], ["NewLeaseTime", lease]]);
  assert.equal(faultOf(await update("0")), 402);
  assert.equal(faultOf(await update("86401")), 402);
  assert.equal(faultOf(await update("86400")), undefined);
  assert.equal(gateway.pinholes[0]!.leaseSeconds, 86400);
});

test("a pinhole's lease ends exactly at its expiry on the gateway's clock; renew() then meets 402 and opens it again", async (t) => {
  const setUp = await clockedGateway(t);
  if (!setUp) return;
  const { clock, gateway, mapper } = setUp;
  const mapping = await mapper.map({ protocol: "TCP", internalPort: 7011, leaseSeconds: 60 });
  clock.now += 59_999;
  assert.equal(gateway.pinholes.length, 1, "a millisecond before the end it is there");
  clock.now += 1;
  assert.equal(gateway.pinholes.length, 0);
  const renewed = await mapping.renew();
  assert.equal(renewed.pinholeId, 2);
  assert.deepEqual(firewallActions(gateway), ["AddPinhole", "UpdatePinhole", "AddPinhole"]);
  assert.equal(gateway.pinholes[0]!.uniqueId, 2);
});

for (const [code, options, source] of [
  [402, {}, "miniupnpd 2.3.1 (nftables)"],
  [704, { quirks: { answer704ForUnknownPinhole: true } }, "answer704ForUnknownPinhole: the spec's NoSuchEntry"],
  [704, { profiles: ["pinhole-spec"] }, "the pinhole-spec profile"],
] as const satisfies ReadonlyArray<readonly [number, VirtualGatewayOptions, string]>) {
  test(`an unknown UniqueID is ${code} for UpdatePinhole, DeletePinhole, GetPinholePackets and CheckPinholeWorking (${source}); porthole's check() says missing`, async (t) => {
    const gateway = await ipv6Gateway(t, options);
    if (!gateway) return;
    const mapper = await pinholeMapper(gateway);
    const mapping = await mapper.map({ protocol: "UDP", internalPort: 7012 });
    assert.equal((await mapper.check(mapping)).state, "present");
    await mapping.release();
    assert.deepEqual(gateway.pinholes, []);
    await assert.rejects(mapping.release(), upnpCode(code));
    assert.equal((await mapper.check(mapping)).state, "missing");
    const id = String(mapping.pinholeId);
    assert.equal(faultOf(await firewallCall(gateway, "UpdatePinhole", [["UniqueID", id], ["NewLeaseTime", "60"]])), code);
    assert.equal(faultOf(await firewallCall(gateway, "UpdatePinhole", [["UniqueID", id], ["NewLeaseTime", "0"]])), 402, "the lease is checked before the pinhole is looked for");
    assert.deepEqual((await firewallCall(gateway, "GetPinholePackets", [["UniqueID", id]])).fault, { code, description: code === 704 ? "NoSuchEntry" : "Invalid Args" });
    assert.equal(faultOf(await firewallCall(gateway, "CheckPinholeWorking", [["UniqueID", id]])), code);
    // A UniqueID that cannot be one is always 402.
    assert.equal(faultOf(await firewallCall(gateway, "DeletePinhole", [["UniqueID", "65536"]])), 402);
    assert.equal(faultOf(await firewallCall(gateway, "DeletePinhole", [])), 402);
  });
}

test("GetPinholePackets and CheckPinholeWorking: a fresh pinhole has 0 packets and is 709 NoTrafficReceived (miniupnpd); after traffic, the count and IsWorking 1", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  const id = (await mapper.map({ protocol: "UDP", internalPort: 7013 })).pinholeId!;
  const endpoint = endpointOf(gateway);
  assert.equal(await firewall.getPinholePackets(endpoint, id), 0);
  await assert.rejects(firewall.checkPinholeWorking(endpoint, id), (error: unknown) => upnpCode(709)(error) && (error as UpnpActionError).upnpDescription === "NoTrafficReceived");
  gateway.countPinholePackets(id, 5);
  gateway.countPinholePackets(id);
  assert.equal(await firewall.getPinholePackets(endpoint, id), 6);
  assert.equal(await firewall.checkPinholeWorking(endpoint, id), true);
  assert.throws(() => gateway.countPinholePackets(id + 1), InvalidArgumentError);
  assert.throws(() => gateway.countPinholePackets(id, -1), InvalidArgumentError);
});

test("GetOutboundPinholeTimeout is 501 (miniupnpd 2.3.1: not implemented); outboundPinholeTimeoutSeconds and the pinhole-spec profile answer it, as the spec's optional action", async (t) => {
  const flow = { remoteHost: "2001:db8::9", remotePort: 5000, internalClient: "::1", internalPort: 7014, protocol: "UDP" as const };
  const miniupnpd = await ipv6Gateway(t);
  if (!miniupnpd) return;
  await assert.rejects(firewall.getOutboundPinholeTimeout(endpointOf(miniupnpd), flow), upnpCode(501));
  const spec = await ipv6Gateway(t, { quirks: { outboundPinholeTimeoutSeconds: 300 } });
  const profiled = await ipv6Gateway(t, { profiles: ["pinhole-spec"] });
  if (!spec || !profiled) return;
  assert.equal(await firewall.getOutboundPinholeTimeout(endpointOf(spec), flow), 300);
  assert.equal(await firewall.getOutboundPinholeTimeout(endpointOf(profiled), flow), 120);
  // miniupnpd first checks that InternalPort, RemotePort and Protocol were sent.
  assert.equal(faultOf(await firewallCall(spec, "GetOutboundPinholeTimeout", pinholeArgs().slice(0, 4))), 402);
});

test("pinholeLimit: a full firewall refuses a new pinhole with 701 PinholeSpaceExhausted, and still renews the ones it holds", async (t) => {
  const gateway = await ipv6Gateway(t, { quirks: { pinholeLimit: 1 } });
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  const held = await mapper.map({ protocol: "UDP", internalPort: 7015 });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7016 }), upnpCode(701));
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7015 })).pinholeId, held.pinholeId, "the same pinhole again is a renewal");
  await held.renew();
  assert.equal(gateway.pinholes.length, 1);
});

test("the argument-order profile (rust-igd#48) takes porthole's pinhole actions: the client sends the template's order", async (t) => {
  const gateway = await ipv6Gateway(t, { profiles: ["argument-order", "all-arguments"] });
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  const mapping = await mapper.map({ protocol: "TCP", internalPort: 7017 });
  await mapping.renew();
  assert.equal((await mapper.check(mapping)).state, "present");
  await mapping.release();
  assert.equal(faultOf(await firewallCall(gateway, "AddPinhole", pinholeArgs().reverse())), 402, "out of order");
});

test("firewall requests are logged in requests and told to onActivity with their UPnP error code", async (t) => {
  const activity: VirtualGatewayActivity[] = [];
  const gateway = await ipv6Gateway(t, { onActivity: (event) => activity.push(event) });
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  await mapper.map({ protocol: "UDP", internalPort: 7018 });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 80 }), upnpCode(606));
  const controls = activity.flatMap((event) => (event.type === "control" && event.action.includes("Pinhole") ? [event] : []));
  assert.deepEqual(controls.map((event) => [event.action, event.upnpCode, event.clientAddress]), [["AddPinhole", undefined, "::1"], ["AddPinhole", 606, "::1"]]);
  assert.deepEqual(controls[0]!.arguments, [["RemoteHost", ""], ["RemotePort", "0"], ["InternalClient", "::1"], ["InternalPort", "7018"], ["Protocol", "17"], ["LeaseTime", "3600"]]);
  assert.deepEqual(gateway.requests.filter((request) => request.action.includes("Pinhole")).map((request) => [request.action, request.controlPath, request.serviceType]), [
    ["AddPinhole", "/ctl/IP6FCtl", firewallControlType],
    ["AddPinhole", "/ctl/IP6FCtl", firewallControlType],
  ]);
});

test("reboot() empties the pinholes with the mappings; clearMappings() leaves them", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const mapper = await pinholeMapper(gateway);
  await mapper.map({ protocol: "UDP", internalPort: 7019 });
  gateway.clearMappings();
  assert.equal(gateway.pinholes.length, 1);
  await gateway.reboot({ announce: false });
  assert.deepEqual(gateway.pinholes, []);
});

test("the firewall's options are checked: a limit or timeout that is no whole number, or a setting that is no boolean, is an InvalidArgumentError", async () => {
  for (const options of [
    { quirks: { pinholeLimit: -1 } },
    { quirks: { pinholeLimit: 1.5 } },
    { quirks: { outboundPinholeTimeoutSeconds: 2 ** 32 } },
    { firewallEnabled: "no" as unknown as boolean },
    { inboundPinholeAllowed: 0 as unknown as boolean },
  ]) {
    await assert.rejects(startVirtualGateway(options), InvalidArgumentError, JSON.stringify(options));
  }
});
