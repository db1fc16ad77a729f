import { resultOf } from "../../src/compat/result-of.js";
/**
 * Each misbehaviour of real gateways from the quirk list (Discovery, Device description, SOAP
 * control) as a named case: porthole must discover the gateway and run a whole mapping cycle on it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findGateway, UpnpActionError, UPNPResult, type WanConnection, type VirtualGateway, type VirtualGatewayOptions } from "../../src/index.js";
import { searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";

interface QuirkCase {
  name: string;
  options: VirtualGatewayOptions;
  check?: (gateway: WanConnection, vg: VirtualGateway) => void | Promise<void>;
}

const cases: QuirkCase[] = [
  // Discovery
  { name: "tailscale#6833: replies come from an ephemeral port, not 1900", options: { quirks: { replyFromEphemeralPort: true } } },
  {
    name: "Mono.Nat#17: ssdp:all finds nothing useful, so the IGD type is searched explicitly",
    options: { quirks: { ignoreSsdpAll: true } },
  },
  {
    name: "rust-igd#12: announced as IGD:1, described as IGD:2; the version comes from the description",
    options: { quirks: { announceIgd1ButDescribeIgd2: true } },
    check: (gateway) => assert.equal(gateway.serviceVersion, 2),
  },
  {
    name: "duplicate replies (several STs, several interfaces) make one gateway",
    options: { quirks: { duplicateReplies: true } },
    check: (_gateway, vg) => assert.equal(vg.requests.filter((r) => r.action === "GetStatusInfo").length, 1),
  },
  // Device description
  {
    name: "nicotine-plus#2955: URLBase after <device>, control URLs without a leading slash",
    options: { quirks: { urlBaseAfterDevice: true, controlUrlStyle: "relative-no-slash" } },
  },
  { name: "absolute control URLs", options: { quirks: { controlUrlStyle: "absolute" } } },
  { name: "aioupnp#7: invalid UTF-8 in the description", options: { quirks: { invalidUtf8InDescription: true } } },
  {
    name: "WANPPPConnection only (DSL modems)",
    options: { connection: "ppp" },
    check: (gateway) => assert.match(gateway.serviceType, /WANPPPConnection:1$/),
  },
  {
    name: "legacy urn:dslforum-org service names (TR-064), found through ssdp:all-style replies",
    options: { quirks: { dslforumServiceNames: true } },
    check: (gateway) => assert.match(gateway.serviceType, /^urn:dslforum-org:service:WAN(IP|PPP)Connection:1$/),
  },
  { name: "BiPAC 7404VNOX: chunked transfer encoding on every reply", options: { quirks: { chunkedReplies: true } } },
  { name: "HTTP/1.0 replies without Content-Length", options: { quirks: { http10NoContentLength: true } } },
  { name: "trailing junk after the body", options: { quirks: { trailingJunk: true } } },
  { name: "nat-port-mapper: Content-Type text/html is not checked", options: { quirks: { contentTypeHtml: true } } },
  // SOAP control
  { name: "rust-igd#48: arguments must be in the service description's order", options: { quirks: { requireArgumentOrder: true } } },
  { name: "nat-puncher#5: every argument must be present, empty NewRemoteHost included", options: { quirks: { requireAllArguments: true } } },
  { name: "tailscale#7377: lower-case protocol rejected, so porthole always sends TCP/UDP", options: { quirks: { rejectLowercaseProtocol: true } } },
  {
    name: "replies with other namespace prefixes (SOAP-ENV:, m:)",
    options: { quirks: { namespacePrefix: { envelope: "SOAP-ENV", action: "m" } } },
  },
  { name: "GetStatusInfo fails (TP-Link, godot#70458): not fatal", options: { quirks: { getStatusInfoFails: true } } },
];

for (const { name, options, check } of cases) {
  test(name, async (t) => {
    const vg = await virtualGateway(t, { externalAddress: "11.0.0.1", ...options });
    const gateway = await findGateway({ ...searchOnly(vg), searchTargets: options.quirks?.dslforumServiceNames ? ["ssdp:all"] : undefined });
    assert.equal(gateway.descriptionUrl, vg.descriptionUrl);
    assert.equal(await gateway.getExternalAddress(), "11.0.0.1");
    const mapping = await gateway.addPortMapping({ internalPort: 5555, protocol: "udp", description: "quirk <&> \"test\"" });
    assert.equal(vg.mappings.length, 1);
    assert.equal(vg.mappings[0]?.description, "quirk <&> \"test\"");
    const listed = (await gateway.listPortMappings()).entries;
    assert.deepEqual(listed.map((e) => [e.protocol, e.externalPort, e.internalClient]), [["UDP", mapping.externalPort, "127.0.0.1"]]);
    await gateway.deletePortMapping(mapping);
    assert.equal(vg.mappings.length, 0);
    await check?.(gateway, vg);
  });
}

test("goupnp: values are escaped as & < > only, never &quot; or &apos;", async (t) => {
  const vg = await virtualGateway(t);
  const gateway = await findGateway(searchOnly(vg));
  await gateway.addPortMapping({ internalPort: 5556, protocol: "TCP", description: `it's "<b>&</b>"`, verify: false });
  const body = vg.requests.find((r) => r.action === "AddPortMapping")!.body;
  assert.ok(body.includes(`<NewPortMappingDescription>it's "&lt;b&gt;&amp;&lt;/b&gt;"</NewPortMappingDescription>`), body);
});

test("tailscale#7377: a router refusing ports below 1024 gives a typed NOT_AUTHORIZED (606)", async (t) => {
  const vg = await virtualGateway(t, { quirks: { rejectPortsBelow1024: true } });
  const gateway = await findGateway(searchOnly(vg));
  await assert.rejects(
    gateway.addPortMapping({ internalPort: 80, protocol: "TCP" }),
    (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 606 && resultOf(e) === UPNPResult.NOT_AUTHORIZED,
  );
});
