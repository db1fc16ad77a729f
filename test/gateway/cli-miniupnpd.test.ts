// The porthole CLI against the real miniupnpd, from the rig's LAN namespace: discover (by
// multicast, inside the rig), ip, map, list and unmap, in JSON and in text, checked against upnpc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { defaultExternalAddress, rigFromEnvironment, runInLan, startMiniupnpd } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";

const rig = rigFromEnvironment();
/** The bundle the package ships as `porthole`. */
const cliPath = fileURLToPath(new URL("../../bin/porthole.js", import.meta.url));

async function porthole(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await runInLan(process.execPath, [cliPath, ...args], { timeoutMs: 20_000 });
  assert.equal(result.timedOut, false, `porthole ${args.join(" ")} timed out`);
  return result;
}

const escaped = (text: string): string => text.replaceAll(".", "\\.");

async function portholeJson(args: readonly string[]): Promise<{ code: number | null; json: any }> {
  const result = await porthole([...args, "--json"]);
  return { code: result.code, json: JSON.parse(result.stdout) };
}

test("discover, ip, map, list and unmap with --json against miniupnpd", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  // Discovery multicasts on the LAN namespace's own interface: the rig's network, no other.
  const search = ["--interface", rig.lan.ifname, "--timeout", "1000"];

  const discovered = await portholeJson(["discover", ...search]);
  assert.equal(discovered.code, 0);
  assert.deepEqual(discovered.json, {
    gateways: [
      {
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

  assert.deepEqual((await portholeJson(["ip", ...search])).json, { externalAddress: defaultExternalAddress });

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
    ["TCP", "UDP"].map((protocol) => ({ protocol, externalPort: 5400, internalClient: rig.lan.ipv4, internalPort: 5401, description: "cli test", enabled: true, remoteHost: "" })),
  );

  const removed = await portholeJson(["unmap", "5400", "--proto", "both", ...via]);
  assert.equal(removed.code, 0);
  assert.deepEqual(removed.json.removed, [{ protocol: "TCP", externalPort: 5400 }, { protocol: "UDP", externalPort: 5400 }]);
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
  assert.match(removed.stdout, /^removed UDP port 6000$/m);
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
    assert.match(result.stderr, /^porthole: error: cannot send an M-SEARCH to \S+: (ENETUNREACH|EADDRNOTAVAIL)$/m, family);
    assert.match(result.stderr, destination, family);
    assert.match(result.stderr, /hint: this host has no route for the search .*--gateway URL/, family);
  }
});
