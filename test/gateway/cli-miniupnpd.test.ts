// The porthole CLI against the real miniupnpd, from the rig's LAN namespace: discover (by
// multicast, inside the rig), ip, map, list and unmap, in JSON and in text, checked against upnpc;
// map and unmap through each protocol and IPv6 pinholes, each proven by a packet from the ISP host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultExternalAddress, rigFromEnvironment, runInLan, startMiniupnpd } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { dnatRules } from "./nft-rules.js";
import { cliPath } from "./cli-gateway.js";
import { portholeInLan, portholeJsonInLan } from "./cli-runs.js";

const rig = rigFromEnvironment();
const porthole = (args: readonly string[]) => portholeInLan(rig, args);
const portholeJson = (args: readonly string[]) => portholeJsonInLan(rig, args);

const escaped = (text: string): string => text.replaceAll(".", "\\.");

test("discover, ip, map, list and unmap with --json against miniupnpd", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  // Discovery multicasts on the LAN namespace's own interface: the rig's network, no other.
  const search = ["--interface", rig.lan.ifname, "--timeout", "1000"];

  // miniupnpd answers all three (enable_natpmp=yes): PCP, NAT-PMP, then UPnP, in that order.
  const discovered = await portholeJson(["discover", ...search]);
  assert.equal(discovered.code, 0);
  const portControlEntry = (protocol: string) => ({
    protocol,
    gatewayAddress: rig.gateway.lanIpv4,
    port: 5351,
    externalAddress: defaultExternalAddress,
    localAddress: rig.lan.ipv4,
    doubleNat: false,
  });
  assert.deepEqual(discovered.json, {
    gateways: [
      portControlEntry("pcp"),
      portControlEntry("natpmp"),
      {
        protocol: "upnp",
        gatewayAddress: rig.gateway.lanIpv4,
        location: daemon.descriptionUrl,
        friendlyName: "Debian router",
        controlUrl: `http://${rig.gateway.lanIpv4}:${daemon.httpPort}/ctl/IPConn`,
        serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2",
        status: "Connected",
        externalAddress: defaultExternalAddress,
        localAddress: rig.lan.ipv4,
        doubleNat: false,
      },
    ],
  });

  assert.deepEqual((await portholeJson(["ip", ...search])).json, { externalAddress: defaultExternalAddress, method: "pcp" });

  const via = ["--gateway", daemon.descriptionUrl];
  const mapped = await portholeJson(["map", "5400", "--proto", "both", "--internal-port", "5401", "--description", "cli test", ...via]);
  assert.equal(mapped.code, 0);
  assert.deepEqual(
    mapped.json.mappings.map(({ lease, ...rest }: { lease: number }) => (assert.ok(lease > 3500 && lease <= 3600), rest)),
    ["TCP", "UDP"].map((protocol) => ({
      protocol,
      externalPort: 5400,
      internalPort: 5401,
      internalClient: rig.lan.ipv4,
      description: "cli test",
      externalAddress: defaultExternalAddress,
      method: "upnp",
    })),
  );
  assert.deepEqual(
    (await listWithUpnpc(rig, daemon.descriptionUrl)).map((m) => [m.protocol, m.externalPort, m.internalClient, m.internalPort]).sort(),
    [["TCP", 5400, rig.lan.ipv4, 5401], ["UDP", 5400, rig.lan.ipv4, 5401]],
  );

  const listed = await portholeJson(["list", ...via]);
  assert.equal(listed.code, 0);
  assert.deepEqual(
    listed.json.mappings.map(({ lease, ...rest }: { lease: number }) => rest).sort((a: { protocol: string }, b: { protocol: string }) => a.protocol.localeCompare(b.protocol)),
    ["TCP", "UDP"].map((protocol) => ({
      protocol,
      externalPort: 5400,
      internalClient: rig.lan.ipv4,
      internalPort: 5401,
      description: "cli test",
      enabled: true,
      remoteHost: "",
      method: "upnp",
      externalAddress: defaultExternalAddress,
    })),
  );

  const removed = await portholeJson(["unmap", "5400", "--proto", "both", ...via]);
  assert.equal(removed.code, 0);
  assert.deepEqual(removed.json.removed, [
    { protocol: "TCP", externalPort: 5400, internalPort: null, method: "upnp" },
    { protocol: "UDP", externalPort: 5400, internalPort: null, method: "upnp" },
  ]);
  assert.deepEqual(removed.json.results.map((r: { removed: boolean }) => r.removed), [true, true]);
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});

test("text output and exit codes against miniupnpd: table, conflict (718), unmap", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const via = ["--gateway", daemon.descriptionUrl];
  const otherLanHost = "192.0.2.9";

  const mapped = await porthole(["map", "6000", "--proto", "udp", "--description", "game", "--internal-client", otherLanHost, ...via]);
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.match(mapped.stdout, new RegExp(`mapped UDP ${escaped(defaultExternalAddress)}:6000 → ${escaped(otherLanHost)}:6000`));

  const table = await porthole(["list", ...via]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^PROTO\s+EXTERNAL\s+INTERNAL/);
  assert.match(table.stdout, new RegExp(`UDP\\s+6000\\s+${escaped(otherLanHost)}:6000\\s+\\S.*game`));

  // This host asks for the port another LAN host holds: miniupnpd answers 718.
  const conflict = await porthole(["map", "6000", "--proto", "udp", ...via]);
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /UPnP error 718/);
  assert.match(conflict.stderr, new RegExp(`mapped to ${escaped(otherLanHost)}:6000 \\("game"\\)`));

  const removed = await porthole(["unmap", "6000", "--proto", "udp", ...via]);
  assert.equal(removed.code, 0);
  assert.match(removed.stdout, /^removed UDP port 6000 via UPnP$/m);
  assert.match((await porthole(["list", ...via])).stdout, /\(no port mappings\)/);
  // miniupnpd 2.3.1 (nftables) answers success to deleting a missing mapping, so exit 0 again
  // (conflicts.test.ts); the virtual gateway's 714 is covered by test/unit/cli-commands.test.ts.
  assert.equal((await porthole(["unmap", "6000", "--proto", "udp", ...via])).code, 0);
});

test("a usage error against miniupnpd exits 2 and leaves its table untouched", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const result = await porthole(["map", "70000", "--gateway", daemon.descriptionUrl]);
  assert.equal(result.code, 2);
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});

test("no route for the search (a network namespace with no routes at all): exit 3, a hint to name the gateway, IPv6 in brackets", async () => {
  // `unshare --net`: a fresh namespace, only a loopback that is down, so every M-SEARCH fails
  // (ENETUNREACH; EADDRNOTAVAIL for IPv6, with no address to send from) and nothing can leave it.
  for (const [family, destination] of [["IPv4", /239\.255\.255\.250:1900/], ["IPv6", /\[ff0[25]::c\]:1900/i]] as const) {
    const args = [process.execPath, cliPath, "discover", ...(family === "IPv6" ? ["--ipv6"] : []), "--timeout", "2000"];
    const result = await runInLan("unshare", ["--net", ...args], { timeoutMs: 20_000 });
    assert.equal(result.code, 3, `${family}: ${result.stderr}`);
    // Asked by every protocol: NAT-PMP and PCP had no gateway to ask, UPnP's search could not be sent.
    assert.match(result.stderr, /^porthole: error: no gateway maps ports here: PCP: this host has no IPv4 default gateway to ask; .*UPnP: cannot send an M-SEARCH to \S+: (ENETUNREACH|EADDRNOTAVAIL)$/m, family);
    assert.match(result.stderr, destination, family);
    assert.match(result.stderr, /hint: this host has no route for the search .*--gateway URL/, family);
  }
});

for (const protocol of ["pcp", "natpmp", "upnp"] as const) {
  test(`map and unmap --protocol ${protocol} as two processes: the daemon's rule is made, a packet from the ISP host arrives, and after unmap both are gone`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const port = { pcp: 5500, natpmp: 5501, upnp: 5502 }[protocol];
    const listener = await listenOnLan(rig, "UDP", port);
    t.after(() => listener.close());
    // As a user would: the default route leads to the daemon's NAT-PMP/PCP, the LAN interface to its UPnP.
    const args = ["--proto", "udp", "--protocol", protocol, "--interface", rig.lan.ifname];
    const mapped = await portholeJson(["map", String(port), ...args]);
    assert.equal(mapped.code, 0);
    assert.equal(mapped.json.mappings[0].method, protocol);
    assert.equal(mapped.json.mappings[0].externalAddress, defaultExternalAddress);
    assert.equal((await dnatRules(rig)).filter((rule) => rule.includes(`dport ${port}`)).length, 1);
    await assertForwarded(rig, listener, "UDP", port);

    // A later process: for PCP, the nonce derived from the same secret lets the daemon delete it.
    const removed = await portholeJson(["unmap", String(port), ...args]);
    assert.equal(removed.code, 0, JSON.stringify(removed.json));
    assert.deepEqual(await dnatRules(rig), []);
    await assertNotForwarded(rig, listener, "UDP", port);
  });
}

for (const protocol of ["pcp", "upnp"] as const) {
  test(`an IPv6 pinhole opened by porthole map --ipv6 --protocol ${protocol}: a datagram from the WAN side is dropped before, arrives while open, dropped after unmap --ipv6`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const port = protocol === "pcp" ? 7720 : 7721;
    const listener = await listenOnLan(rig, "UDP", port, 6);
    t.after(() => listener.close());
    await assertNotForwarded(rig, listener, "UDP", port, 6);
    const args = ["--ipv6", "--proto", "udp", "--protocol", protocol, "--interface", rig.lan.ifname];
    const opened = await portholeJson(["map", String(port), "--lease", "300", ...args]);
    assert.equal(opened.code, 0, JSON.stringify(opened.json));
    const [pinhole] = opened.json.mappings;
    assert.equal(pinhole.method, protocol === "pcp" ? "pcp" : "upnp-pinhole");
    // No translation: the internet reaches the LAN host's own global address and port.
    assert.equal(pinhole.externalAddress, rig.lan.ipv6);
    assert.equal(pinhole.externalPort, port);
    if (protocol === "upnp") assert.ok(pinhole.pinholeId > 0);
    else assert.equal(pinhole.pinholeId, undefined);
    await assertForwarded(rig, listener, "UDP", port, 6);

    const closed = await portholeJson(["unmap", String(port), ...args]);
    assert.equal(closed.code, 0, JSON.stringify(closed.json));
    await assertNotForwarded(rig, listener, "UDP", port, 6);
  });
}

test("discover --ipv6 says what would open pinholes (PCP) and toward which address, and that the UPnP firewall allows them", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { code, json } = await portholeJson(["discover", "--ipv6", "--interface", rig.lan.ifname]);
  assert.equal(code, 0);
  assert.equal(json.ipv6.method, "pcp");
  assert.equal(json.ipv6.address, rig.lan.ipv6);
  assert.deepEqual(json.ipv6.ways.map((way: { method: string; usable: boolean }) => [way.method, way.usable]), [["pcp", true], ["upnp-pinhole", true]]);
});
