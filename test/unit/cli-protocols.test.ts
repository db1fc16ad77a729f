// --protocol and the NAT-PMP/PCP side of the commands, run as child processes against a virtual
// gateway on loopback: its UPnP found by a unicast --ssdp-target or --gateway URL, its NAT-PMP/PCP
// server named by --gateway-address. Nothing is sent anywhere else.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { VirtualGateway, VirtualGatewayActivity, VirtualGatewayOptions } from "../../src/index.js";
import { configDirectory, pcpSecret } from "../../src/cli/pcp-secret.js";
import dgram from "node:dgram";
import { decodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { encodePcpResponse } from "../../src/pcp/pcp-responses.js";
import type { PcpResponse } from "../../src/pcp/pcp-messages.js";
import { soapReply, startControlServer } from "../fixtures/soap/control-server.js";
import { porthole, portholeJson, testConfigDir } from "./cli-runner.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

interface Watched {
  gateway: VirtualGateway;
  /** NAT-PMP and PCP requests the gateway received. */
  portControlRequests(): number;
  ssdp: string[];
  portControl: string[];
  via: string[];
}

async function watchedGateway(t: TestContext, options: VirtualGatewayOptions = {}): Promise<Watched> {
  const activity: VirtualGatewayActivity[] = [];
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44", onActivity: (event) => activity.push(event), ...options });
  const upnp = gateway.protocols.upnp;
  return {
    gateway,
    portControlRequests: () => activity.filter((event) => event.type === "natpmp" || event.type === "pcp").length,
    ssdp: upnp ? ["--ssdp-target", `${gateway.ssdpAddress.address}:${gateway.ssdpAddress.port}`] : [],
    portControl: ["--gateway-address", `${gateway.portControlAddress.address}:${gateway.portControlAddress.port}`],
    via: upnp ? ["--gateway", gateway.descriptionUrl] : [],
  };
}

const table = (gateway: VirtualGateway) => gateway.mappings.map((m) => [m.protocol, m.externalPort, m.internalPort, m.internalClient]);

function temporaryDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), "porthole-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("auto with --ssdp-target and --gateway-address: map goes through PCP, and its rows carry method and externalAddress", async (t) => {
  const w = await watchedGateway(t);
  const { code, json } = await portholeJson(["map", "7000", "--proto", "both", ...w.ssdp, ...w.portControl]);
  assert.equal(code, 0);
  assert.deepEqual(json.mappings, ["TCP", "UDP"].map((protocol) => ({
    protocol,
    externalPort: 7000,
    internalPort: 7000,
    internalClient: "127.0.0.1",
    // PCP leases: the virtual gateway, as miniupnpd, grants at least 120 s and at most a day.
    lease: 3600,
    // NAT-PMP and PCP carry no description.
    description: null,
    externalAddress: "11.22.33.44",
    method: "pcp",
  })));
  assert.deepEqual(table(w.gateway), [["TCP", 7000, 7000, "127.0.0.1"], ["UDP", 7000, 7000, "127.0.0.1"]]);
});

test("--gateway URL or --ssdp-target alone name a UPnP gateway: auto speaks UPnP and sends nothing to NAT-PMP/PCP", async (t) => {
  const w = await watchedGateway(t);
  for (const where of [w.via, w.ssdp]) {
    const { code, json } = await portholeJson(["map", "7001", ...where]);
    assert.equal(code, 0);
    assert.equal(json.mappings[0].method, "upnp");
    assert.equal(json.mappings[0].description, "porthole");
    assert.equal((await portholeJson(["unmap", "7001", ...where])).code, 0);
  }
  assert.equal(w.portControlRequests(), 0);
});

test("--protocol natpmp and pcp: ip says the method; text names it", async (t) => {
  const w = await watchedGateway(t);
  for (const protocol of ["natpmp", "pcp"]) {
    const { code, json } = await portholeJson(["ip", "--protocol", protocol, ...w.portControl]);
    assert.equal(code, 0);
    assert.deepEqual(json, { externalAddress: "11.22.33.44", method: protocol });
  }
  const mapped = await porthole(["map", "7002", "--protocol", "NATPMP", ...w.portControl]);
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.match(mapped.stdout, /^mapped TCP 11\.22\.33\.44:7002 → 127\.0\.0\.1:7002 {2}lease 1h {2}via NAT-PMP$/m);
});

test("a PCP mapping made by one porthole is removed by a later one (the same secret gives the same nonce), and not by one with another secret", async (t) => {
  const w = await watchedGateway(t);
  const pcp = ["--protocol", "pcp", ...w.portControl];
  assert.equal((await porthole(["map", "7003", "--proto", "udp", ...pcp])).code, 0);
  assert.deepEqual(table(w.gateway), [["UDP", 7003, 7003, "127.0.0.1"]]);
  const secret = path.join(testConfigDir, "pcp-secret");
  assert.equal(statSync(secret).mode & 0o777, 0o600);
  assert.equal(statSync(secret).size, 32);

  const stranger = await porthole(["unmap", "7003", "--proto", "udp", ...pcp], { PORTHOLE_CONFIG_DIR: temporaryDir(t) });
  assert.equal(stranger.code, 1);
  assert.match(stranger.stderr, /NOT_AUTHORIZED, PCP result 2/);
  assert.match(stranger.stderr, /hint: a PCP router removes a mapping only for the nonce it was made with/);
  assert.equal(w.gateway.mappings.length, 1);

  const { code, json } = await portholeJson(["unmap", "7003", "--proto", "udp", ...pcp]);
  assert.equal(code, 0);
  assert.deepEqual(json.removed, [{ protocol: "UDP", externalPort: 7003, internalPort: 7003, method: "pcp" }]);
  assert.deepEqual(w.gateway.mappings, []);
});

test("NAT-PMP and PCP name a mapping by its internal port: unmap --internal-port removes the one map --internal-port made", async (t) => {
  const w = await watchedGateway(t);
  for (const protocol of ["natpmp", "pcp"]) {
    const args = ["--protocol", protocol, ...w.portControl];
    assert.equal((await porthole(["map", "7004", "--internal-port", "7005", ...args])).code, 0);
    assert.deepEqual(table(w.gateway), [["TCP", 7004, 7005, "127.0.0.1"]]);
    const removed = await portholeJson(["unmap", "7004", "--internal-port", "7005", ...args]);
    assert.equal(removed.code, 0, protocol);
    assert.deepEqual(w.gateway.mappings, [], protocol);
  }
});

test("no PCP secret is made when the gateway speaks UPnP; one that cannot be kept is a note, and the mapping is still made", async (t) => {
  const w = await watchedGateway(t);
  const fresh = temporaryDir(t);
  assert.equal((await porthole(["map", "7006", ...w.via], { PORTHOLE_CONFIG_DIR: fresh })).code, 0);
  assert.equal(existsSync(path.join(fresh, "pcp-secret")), false);

  const notADirectory = path.join(fresh, "file");
  writeFileSync(notADirectory, "");
  const result = await porthole(["map", "7007", "--protocol", "pcp", ...w.portControl], { PORTHOLE_CONFIG_DIR: notADirectory });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /note: cannot keep the PCP secret \(.*ENOTDIR.*\): a mapping made over PCP now can only be removed by its lease running out/);
  assert.ok(w.gateway.mappings.some((m) => m.externalPort === 7007));
});

test("the configuration directory: PORTHOLE_CONFIG_DIR, else an absolute XDG_CONFIG_HOME, else ~/.config; the secret is made once and kept", (t) => {
  assert.equal(configDirectory({ PORTHOLE_CONFIG_DIR: "/tmp/x", XDG_CONFIG_HOME: "/tmp/y" }), "/tmp/x");
  assert.equal(configDirectory({ XDG_CONFIG_HOME: "/tmp/y" }), "/tmp/y/porthole");
  assert.match(configDirectory({ XDG_CONFIG_HOME: "relative" }), /\/\.config\/porthole$/);
  assert.match(configDirectory({}), /\/\.config\/porthole$/);
  const dir = path.join(temporaryDir(t), "nested", "porthole");
  const first = pcpSecret(dir);
  assert.deepEqual(pcpSecret(dir), first);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  writeFileSync(path.join(dir, "pcp-secret"), "short");
  assert.throws(() => pcpSecret(dir), /holds 5 bytes, too few for a secret/);
});

test("discover reports every protocol that answered, PCP, NAT-PMP, then UPnP, each with its protocol and external address", async (t) => {
  const w = await watchedGateway(t);
  const { code, json } = await portholeJson(["discover", ...w.ssdp, ...w.portControl, "--timeout", "2000"]);
  assert.equal(code, 0);
  assert.deepEqual(json.gateways.map((g: { protocol: string }) => g.protocol), ["pcp", "natpmp", "upnp"]);
  for (const entry of json.gateways.slice(0, 2)) {
    assert.deepEqual(entry, {
      protocol: entry.protocol,
      gatewayAddress: "127.0.0.1",
      port: w.gateway.portControlAddress.port,
      externalAddress: "11.22.33.44",
      localAddress: "127.0.0.1",
      doubleNat: false,
    });
  }
  assert.equal(json.gateways[2].location, w.gateway.descriptionUrl);
  assert.equal(json.gateways[2].externalAddress, "11.22.33.44");

  const text = await porthole(["discover", ...w.ssdp, ...w.portControl, "--timeout", "2000"]);
  assert.match(text.stdout, /^127\.0\.0\.1 port \d+ {2}PCP$/m);
  assert.match(text.stdout, /^127\.0\.0\.1 port \d+ {2}NAT-PMP$/m);
  assert.match(text.stdout, /rootDesc\.xml {2}UPnP$/m);

  const only = await portholeJson(["discover", "--protocol", "natpmp", ...w.portControl]);
  assert.deepEqual(only.json.gateways.map((g: { protocol: string }) => g.protocol), ["natpmp"]);
});

test("discover with UPnP off lists NAT-PMP and PCP; with nothing answering it exits 3 saying what each protocol answered", async (t) => {
  const w = await watchedGateway(t, { upnp: false });
  const silentSsdp = ["--ssdp-target", `127.0.0.1:${await unusedUdpPort()}`];
  const { code, json } = await portholeJson(["discover", ...silentSsdp, ...w.portControl, "--timeout", "2000"]);
  assert.equal(code, 0);
  assert.deepEqual(json.gateways.map((g: { protocol: string }) => g.protocol), ["pcp", "natpmp"]);

  const nothing = await portholeJson(["discover", ...silentSsdp, "--gateway-address", `127.0.0.1:${await unusedUdpPort()}`, "--timeout", "2000"]);
  assert.equal(nothing.code, 3);
  assert.match(nothing.json.error.message, /^no gateway maps ports here: PCP: .*; NAT-PMP: .*; UPnP: no UPnP device answered/);
  const plain = await porthole(["discover", ...silentSsdp, "--gateway-address", `127.0.0.1:${await unusedUdpPort()}`, "--timeout", "2000"]);
  assert.match(plain.stderr, /hint: nothing answered UPnP, NAT-PMP or PCP: .*porthole doctor/);
});

test("list speaks UPnP only: --protocol pcp or natpmp is a usage error before any traffic; list rows carry method and externalAddress", async (t) => {
  const w = await watchedGateway(t);
  for (const protocol of ["pcp", "natpmp"]) {
    const refused = await portholeJson(["list", "--protocol", protocol, ...w.via]);
    assert.equal(refused.code, 2);
    assert.match(refused.json.error.message, /has no way to list a gateway's mappings: list works over UPnP only/);
  }
  assert.equal(w.gateway.requests.length, 0);
  assert.equal((await porthole(["map", "7008", "--protocol", "pcp", ...w.portControl])).code, 0);
  const listed = await portholeJson(["list", "--protocol", "upnp", ...w.via]);
  assert.equal(listed.code, 0);
  // The one table shows the PCP mapping too, as miniupnpd's does.
  assert.deepEqual(listed.json.mappings.map((m: { externalPort: number; method: string; externalAddress: string }) => [m.externalPort, m.method, m.externalAddress]), [[7008, "upnp", "11.22.33.44"]]);
});

test("a port taken over PCP without --any-port: the mapping offered is given back and the command fails with the hint", async (t) => {
  const w = await watchedGateway(t);
  // Another host holds UDP 7009 in the gateway's one table.
  assert.equal((await porthole(["map", "7009", "--proto", "udp", "--internal-client", "127.0.0.9", ...w.via])).code, 0);
  const taken = await porthole(["map", "7009", "--proto", "udp", "--protocol", "pcp", ...w.portControl]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /hint: port 7009 is taken \(the gateway offered \d+\): pick another, or add --any-port/);
  assert.deepEqual(table(w.gateway), [["UDP", 7009, 7009, "127.0.0.9"]]);
  const moved = await portholeJson(["map", "7009", "--proto", "udp", "--protocol", "pcp", "--any-port", ...w.portControl]);
  assert.equal(moved.code, 0);
  assert.notEqual(moved.json.mappings[0].externalPort, 7009);
});

/**
 * A UPnP IGD:2 on loopback whose WANConnectionDevice has an IPv6 firewall beside its WANIPConnection,
 * open to pinholes, numbering each pinhole 7: the control server plays the whole router.
 */
async function pinholeRouter(t: TestContext) {
  const wanIp = "urn:schemas-upnp-org:service:WANIPConnection:2";
  const firewall = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";
  const service = (type: string, id: string, path: string): string =>
    `<service><serviceType>${type}</serviceType><serviceId>urn:upnp-org:serviceId:${id}</serviceId><SCPDURL>/scpd.xml</SCPDURL><controlURL>${path}</controlURL><eventSubURL>/evt</eventSubURL></service>`;
  const description =
    `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    `<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType><friendlyName>pinholes</friendlyName><UDN>uuid:p</UDN>` +
    `<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType><UDN>uuid:p-wan</UDN><deviceList><device>` +
    `<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType><UDN>uuid:p-conn</UDN><serviceList>` +
    `${service(wanIp, "WANIPConn1", "/ctl/IPConn")}${service(firewall, "WANIPv6Firewall1", "/ctl/IP6FCtl")}` +
    `</serviceList></device></deviceList></device></deviceList></device></root>`;
  const reply = (type: string, action: string, inner = "") => () => ({ body: soapReply(action, inner, type) });
  const server = await startControlServer(
    {
      GetStatusInfo: reply(wanIp, "GetStatusInfo", "<NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>100</NewUptime>"),
      GetExternalIPAddress: reply(wanIp, "GetExternalIPAddress", "<NewExternalIPAddress>11.22.33.44</NewExternalIPAddress>"),
      GetFirewallStatus: reply(firewall, "GetFirewallStatus", "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>"),
      AddPinhole: reply(firewall, "AddPinhole", "<UniqueID>7</UniqueID>"),
      DeletePinhole: reply(firewall, "DeletePinhole"),
    },
    { documents: { "/rootDesc.xml": description } },
  );
  t.after(() => server.close());
  return { url: `${server.baseUrl}/rootDesc.xml`, requests: server.requests };
}

test("IPv6: map --ipv6 opens a UPnP pinhole (method upnp-pinhole, its UniqueID), and unmap --ipv6 closes it by its port and address", async (t) => {
  const router = await pinholeRouter(t);
  const args = ["--ipv6", "--proto", "udp", "--gateway", router.url, "--internal-client", "2001:db8::2"];
  const opened = await portholeJson(["map", "7010", ...args]);
  assert.equal(opened.code, 0, JSON.stringify(opened.json));
  assert.deepEqual(opened.json.mappings, [
    {
      protocol: "UDP",
      externalPort: 7010,
      internalPort: 7010,
      internalClient: "2001:db8::2",
      lease: 3600,
      description: null,
      // No translation: the internet reaches the host's own address and port.
      externalAddress: "2001:db8::2",
      method: "upnp-pinhole",
      pinholeId: 7,
    },
  ]);
  const added = router.requests.find((request) => request.action === "AddPinhole")!;
  assert.match(added.body, /<InternalClient>2001:db8::2<\/InternalClient><InternalPort>7010<\/InternalPort><Protocol>17<\/Protocol><LeaseTime>3600<\/LeaseTime>/);
  const text = await porthole(["map", "7010", ...args]);
  assert.match(text.stdout, /^opened UDP \[2001:db8::2\]:7010 {2}lease 1h {2}via UPnP \(IPv6 firewall\) {2}pinhole 7$/m);

  const closed = await portholeJson(["unmap", "7010", ...args]);
  assert.equal(closed.code, 0);
  assert.deepEqual(closed.json.removed, [{ protocol: "UDP", externalPort: 7010, internalPort: 7010, method: "upnp-pinhole" }]);
  assert.match(router.requests.at(-1)!.body, /<u:DeletePinhole [^>]*><UniqueID>7<\/UniqueID>/);
});

test("IPv6: map --ipv6 --protocol pcp sends PCP an IPv6 MAP for our own address; a UPnP gateway without an IPv6 firewall (an IGD:1) is no pinhole gateway", async (t) => {
  // A PCP server on ::1 that answers ANNOUNCE and refuses every MAP with NO_RESOURCES, recording it.
  const maps: Array<{ clientAddress: string; internalPort: number; protocol: number }> = [];
  const server = dgram.createSocket("udp6");
  server.on("message", (bytes, from) => {
    const request = decodePcpRequest(bytes);
    const header = { version: 2, epochSeconds: 100, lifetimeSeconds: 0 };
    const answer =
      request.kind === "announce"
        ? encodePcpResponse({ kind: "announce", ...header, resultCode: 0, options: [] })
        : request.kind === "map"
          ? (maps.push({ clientAddress: request.clientAddress, internalPort: request.map.internalPort, protocol: request.map.protocol }),
            encodePcpResponse({ kind: "map", ...header, resultCode: 8, map: request.map, options: [] } as PcpResponse))
          : undefined;
    if (answer !== undefined) server.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => server.bind(0, "::1", resolve));
  t.after(() => server.close());
  const pcp = await portholeJson(["map", "7011", "--ipv6", "--protocol", "pcp", "--gateway-address", `[::1]:${server.address().port}`]);
  assert.equal(pcp.code, 1);
  assert.equal(pcp.json.error.protocol, "pcp");
  assert.equal(pcp.json.error.protocolCode, 8);
  assert.deepEqual(maps, [{ clientAddress: "::1", internalPort: 7011, protocol: 6 }]);

  // An IGD:1 describes no IPv6 firewall.
  const w = await watchedGateway(t, { igdVersion: 1 });
  const upnp = await portholeJson(["map", "7011", "--ipv6", ...w.via]);
  assert.equal(upnp.code, 3);
  assert.match(upnp.json.error.message, /no IPv6 firewall control \(WANIPv6FirewallControl\)/);
});

test("discover --ipv6 says which protocol would open pinholes and which cannot, and why", async (t) => {
  const router = await pinholeRouter(t);
  const shown = await portholeJson(["discover", "--ipv6", "--gateway", router.url, "--timeout", "2000"]);
  assert.equal(shown.code, 0);
  // --gateway names a UPnP gateway: only UPnP is asked, and its firewall is open to pinholes.
  assert.deepEqual(shown.json.ipv6.ways, [{ method: "upnp-pinhole", usable: true, gatewayAddress: "127.0.0.1", reason: null }]);
  assert.equal(shown.json.ipv6.method, "upnp-pinhole");
  const text = await porthole(["discover", "--ipv6", "--gateway", router.url, "--timeout", "2000"]);
  assert.match(text.stdout, /^IPv6 pinholes$/m);
  assert.match(text.stdout, /would open with +UPnP \(IPv6 firewall\)$/m);
  assert.match(text.stdout, /routers have no action that lists pinholes/);

  const w = await watchedGateway(t, { igdVersion: 1 });
  const none = await portholeJson(["discover", "--ipv6", ...w.via]);
  assert.equal(none.code, 0);
  assert.equal(none.json.ipv6.method, null);
  assert.match(none.json.ipv6.ways[0].reason, /no IPv6 firewall control/);
});

const usageErrors: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
  ["an unknown protocol", ["ip", "--protocol", "smtp", "--ssdp-target", "127.0.0.1:9"], /--protocol must be auto, upnp, pcp or natpmp/],
  ["PCP with a UPnP URL", ["map", "80", "--protocol", "pcp", "--gateway", "http://127.0.0.1:1/x", "--gateway-address", "127.0.0.1:9"], /--gateway and --ssdp-target find a UPnP gateway; to name where PCP is asked, give --gateway-address/],
  ["UPnP with a NAT-PMP address", ["ip", "--protocol", "upnp", "--gateway-address", "127.0.0.1", "--ssdp-target", "127.0.0.1:9"], /--gateway-address is where NAT-PMP and PCP are asked; with --protocol upnp/],
  ["--internal-client over NAT-PMP", ["map", "80", "--protocol", "natpmp", "--internal-client", "127.0.0.5", "--gateway-address", "127.0.0.1"], /--internal-client works only with UPnP: NAT-PMP maps ports for the host that asks/],
  ["--internal-client with a NAT-PMP address", ["map", "80", "--internal-client", "127.0.0.5", "--gateway-address", "127.0.0.1", "--ssdp-target", "127.0.0.1:9"], /--internal-client works only with UPnP, so name the gateway/],
  ["NAT-PMP over IPv6", ["map", "80", "--ipv6", "--protocol", "natpmp", "--gateway-address", "::1"], /NAT-PMP has no IPv6/],
  ["a pinhole with another internal port", ["map", "80", "--ipv6", "--internal-port", "81", "--ssdp-target", "[::1]:9"], /--internal-port cannot differ/],
  ["a pinhole with --any-port", ["map", "80", "--ipv6", "--any-port", "--ssdp-target", "[::1]:9"], /no other port for --any-port/],
  ["an IPv4 pinhole client", ["map", "80", "--ipv6", "--internal-client", "10.0.0.2", "--ssdp-target", "[::1]:9"], /--internal-client with --ipv6 must be an IPv6 address/],
  ["unmap of an IPv4 mapping by its client", ["unmap", "80", "--internal-client", "10.0.0.2", "--ssdp-target", "127.0.0.1:9"], /--internal-client is for --ipv6 pinholes/],
  ["a gateway address that is a name", ["ip", "--gateway-address", "router.local", "--ssdp-target", "127.0.0.1:9"], /--gateway-address must be ADDRESS\[:PORT\] with an IP address/],
  ["list with a NAT-PMP address", ["list", "--gateway-address", "127.0.0.1", "--ssdp-target", "127.0.0.1:9"], /list does not take --gateway-address/],
];

for (const [name, args, message] of usageErrors) {
  test(`usage error (${name}): exit 2 before any traffic`, async (t) => {
    // Aimed at loopback should a check ever let one through: port 9 (discard) answers nothing.
    const w = await watchedGateway(t);
    const { code, json } = await portholeJson(args);
    assert.equal(code, 2);
    assert.match(json.error.message, message);
    assert.equal(w.portControlRequests(), 0);
  });
}
