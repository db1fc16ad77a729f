import { test } from "node:test";
import assert from "node:assert/strict";
import type { VirtualGatewayOptions } from "../../src/virtual-gateway/index.js";
import { searchMatches } from "../../src/virtual-gateway/ssdp-messages.js";
import { buildDeviceModel } from "../../src/virtual-gateway/device-model.js";
import { resolveConfig } from "../../src/virtual-gateway/gateway-config.js";
import { mSearch, rawHttp, ssdpExchange, withGateway } from "./virtual-gateway-test-client.js";
import { ipv6Gateway } from "./support/ipv6-gateway.js";

const igd = (version: number): string => `urn:schemas-upnp-org:device:InternetGatewayDevice:${version}`;


test("a unicast M-SEARCH for the IGD type gets a complete reply pointing at the description", () =>
  withGateway({}, async (gateway) => {
    const [reply] = await ssdpExchange(gateway.ssdpAddress, [mSearch(igd(2))], 1);
    assert.ok(reply);
    assert.equal(reply.from.port, gateway.ssdpAddress.port);
    assert.equal(reply.headers.ST, igd(2));
    assert.equal(reply.headers.LOCATION, gateway.descriptionUrl);
    assert.match(reply.headers.USN ?? "", /^uuid:[0-9a-f-]+::urn:schemas-upnp-org:device:InternetGatewayDevice:2$/);
    assert.equal(reply.headers["CACHE-CONTROL"], "max-age=120");
    assert.equal(reply.headers.EXT, "");
    assert.match(reply.headers.SERVER ?? "", /UPnP\/1\.1/);
    assert.equal(gateway.ssdpSearches, 1);
    const description = await rawHttp(reply.headers.LOCATION ?? "");
    assert.equal(description.status, 200);
  }));

test("an IGD:2 answers searches for IGD:1 and WANIPConnection:1, echoing the version searched", () =>
  withGateway({}, async (gateway) => {
    const wanIp1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch(igd(1)), mSearch(wanIp1)], 2);
    assert.deepEqual(replies.map((reply) => reply.headers.ST).sort(), [wanIp1, igd(1)].sort());
    for (const reply of replies) assert.ok(reply.headers.USN?.endsWith(`::${reply.headers.ST}`));
  }));

test("ssdp:all gets one reply per device, service and root marker", () =>
  withGateway({}, async (gateway) => {
    // root marker + 3 devices x (UDN + type) + 4 services (WANIPv6FirewallControl:1 on an IGD:2)
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch("ssdp:all")], 11);
    const targets = replies.map((reply) => reply.headers.ST);
    assert.equal(replies.length, 11);
    assert.ok(targets.includes("upnp:rootdevice"));
    assert.ok(targets.includes(igd(2)));
    assert.ok(targets.includes("urn:schemas-upnp-org:device:WANConnectionDevice:2"));
    assert.ok(targets.includes("urn:schemas-upnp-org:service:WANIPConnection:2"));
    assert.ok(targets.includes("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1"));
  }));

test("garbage and unknown search targets are not answered", () =>
  withGateway({}, async (gateway) => {
    const messages = ["hello", "NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n", mSearch("urn:example:device:Printer:1"), mSearch("upnp:rootdevice")];
    const replies = await ssdpExchange(gateway.ssdpAddress, messages, 1);
    assert.deepEqual(replies.map((reply) => reply.headers.ST), ["upnp:rootdevice"]);
    assert.equal(gateway.ssdpSearches, 2, "only the two M-SEARCH count");
  }));

test("replyFromEphemeralPort answers from a port other than the one searched (tailscale#6833)", () =>
  withGateway({ quirks: { replyFromEphemeralPort: true } }, async (gateway) => {
    const [reply] = await ssdpExchange(gateway.ssdpAddress, [mSearch("upnp:rootdevice")], 1);
    assert.ok(reply);
    assert.notEqual(reply.from.port, gateway.ssdpAddress.port);
    assert.equal(reply.headers.LOCATION, gateway.descriptionUrl);
  }));

test("duplicateReplies sends every reply twice", () =>
  withGateway({ quirks: { duplicateReplies: true } }, async (gateway) => {
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch(igd(1))], 2);
    assert.equal(replies.length, 2);
    assert.deepEqual(replies[0]?.headers, replies[1]?.headers);
  }));

test("announceIgd1ButDescribeIgd2 hides IGD:2 from search while the description says IGD:2 (rust-igd#12)", () =>
  withGateway({ quirks: { announceIgd1ButDescribeIgd2: true } }, async (gateway) => {
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch(igd(2)), mSearch(igd(1))], 1);
    assert.deepEqual(replies.map((reply) => reply.headers.ST), [igd(1)]);
    const description = await rawHttp(gateway.descriptionUrl);
    assert.match(description.body.toString(), /InternetGatewayDevice:2/);
  }));

test("answerOnlyRootDevice, answerOnlySsdpAll and ignoreSsdpAll pick which searches are answered", () => {
  const model = (quirks: VirtualGatewayOptions["quirks"]) => buildDeviceModel(resolveConfig({ quirks })).root;
  const count = (target: string, quirks: VirtualGatewayOptions["quirks"]) =>
    searchMatches(target, model(quirks), quirks ?? {}).length;
  assert.equal(count(igd(1), {}), 1);
  assert.equal(count(igd(1), { answerOnlyRootDevice: true }), 0);
  assert.equal(count("upnp:rootdevice", { answerOnlyRootDevice: true }), 1);
  assert.equal(count("upnp:rootdevice", { answerOnlySsdpAll: true }), 0);
  assert.equal(count("ssdp:all", { answerOnlySsdpAll: true }), 11);
  assert.equal(count("ssdp:all", { ignoreSsdpAll: true }), 0);
  assert.equal(count(igd(2), { dslforumServiceNames: true }), 0);
  assert.equal(count("urn:dslforum-org:device:InternetGatewayDevice:1", { dslforumServiceNames: true }), 1);
  assert.equal(count("urn:schemas-upnp-org:service:WANPPPConnection:1", {}), 0);
});

test("a PPP gateway answers a WANPPPConnection:1 search", () =>
  withGateway({ connection: "ppp", igdVersion: 1 }, async (gateway) => {
    const ppp = "urn:schemas-upnp-org:service:WANPPPConnection:1";
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch("urn:schemas-upnp-org:service:WANIPConnection:1"), mSearch(ppp)], 1);
    assert.deepEqual(replies.map((reply) => reply.headers.ST), [ppp]);
  }));

test("the gateway works on ::1", async (t) => {
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  assert.match(gateway.descriptionUrl, /^http:\/\/\[::1\]:\d+\/rootDesc\.xml$/);
  const [reply] = await ssdpExchange(gateway.ssdpAddress, [mSearch("upnp:rootdevice")], 1);
  assert.equal(reply?.headers.LOCATION, gateway.descriptionUrl);
  assert.equal((await rawHttp(gateway.descriptionUrl)).status, 200);
});
