// Mappings made by porthole, through both APIs, as the reference client lists them; and mappings
// made by the reference client as porthole reads them back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { addWithUpnpc, listWithUpnpc, type UpnpcMapping } from "./upnpc-commands.js";
import { assertLeaseLeft } from "./lease-checks.js";
import { UPNPResult, gatewayFromUrl, type PortMappingEntry } from "../../src/index.js";

const rig = rigFromEnvironment();

function byPort<T extends { protocol: string; externalPort: number }>(mappings: readonly T[]): T[] {
  return [...mappings].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.externalPort - b.externalPort);
}

/** `upnpc -l` lists exactly these entries, sorted by protocol and port, each with about the lease granted. */
async function assertUpnpcLists(descriptionUrl: string, expected: readonly UpnpcMapping[]): Promise<void> {
  const listed = byPort(await listWithUpnpc(rig, descriptionUrl));
  assert.deepEqual(
    listed.map(({ leaseSeconds, ...rest }) => rest),
    expected.map(({ leaseSeconds, ...rest }) => rest),
  );
  listed.forEach((entry, i) => assertLeaseLeft(entry.leaseSeconds, expected[i]!.leaseSeconds));
}

test("idiomatic: TCP and UDP mappings show in upnpc -l with their ports, client, description and lease", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);

  const tcp = await gateway.addPortMapping({ internalPort: 8080, externalPort: 18080, protocol: "TCP", description: "web server", leaseSeconds: 3600 });
  const udp = await gateway.addPortMapping({ internalPort: 9000, protocol: "udp", description: "game", leaseSeconds: 1800 });
  const { leaseSeconds: tcpLease, ...tcpMapping } = tcp;
  assert.deepEqual(tcpMapping, { protocol: "TCP", externalPort: 18080, internalPort: 8080, internalClient: rig.lan.ipv4, description: "web server", remoteHost: "" });
  assertLeaseLeft(tcpLease, 3600);
  assert.equal(udp.externalPort, 9000);
  assertLeaseLeft(udp.leaseSeconds, 1800);

  await assertUpnpcLists(daemon.descriptionUrl, [
    { protocol: "TCP", externalPort: 18080, internalClient: rig.lan.ipv4, internalPort: 8080, description: "web server", remoteHost: "", leaseSeconds: 3600 },
    { protocol: "UDP", externalPort: 9000, internalClient: rig.lan.ipv4, internalPort: 9000, description: "game", remoteHost: "", leaseSeconds: 1800 },
  ]);

  await gateway.deletePortMapping({ externalPort: 18080, protocol: "TCP" });
  await gateway.deletePortMapping({ externalPort: 9000, protocol: "udp" });
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
  assert.equal(await gateway.getPortMapping(9000, "UDP"), undefined);
});

test("compat: TCP and UDP mappings show in upnpc -l; the internal client is igdOurAddr", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { upnp } = await discoverWithCompat(rig);

  assert.equal(UPNPResult[await upnp.addPortMapping(7000, 7100, "compat tcp", "TCP", 600)], "SUCCESS");
  // Defaults: internal port = external port, description "porthole", protocol UDP.
  assert.equal(UPNPResult[await upnp.addPortMapping(7001, 0, "", "UDP", 900)], "SUCCESS");

  await assertUpnpcLists(daemon.descriptionUrl, [
    { protocol: "TCP", externalPort: 7000, internalClient: rig.lan.ipv4, internalPort: 7100, description: "compat tcp", remoteHost: "", leaseSeconds: 600 },
    { protocol: "UDP", externalPort: 7001, internalClient: rig.lan.ipv4, internalPort: 7001, description: "porthole", remoteHost: "", leaseSeconds: 900 },
  ]);

  assert.equal(UPNPResult[await upnp.deletePortMapping(7000, "TCP")], "SUCCESS");
  assert.equal(UPNPResult[await upnp.deletePortMapping(7001)], "SUCCESS");
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});

test("idiomatic: mappings made with upnpc -a are read back by listPortMappings (every method) and getPortMapping", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const made = [
    { internalClient: rig.lan.ipv4, internalPort: 5001, externalPort: 15001, protocol: "TCP", leaseSeconds: 1200 },
    { internalClient: "192.0.2.9", internalPort: 5002, externalPort: 15002, protocol: "UDP", leaseSeconds: 2400 },
  ] as const;
  for (const request of made) assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, request), 0);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);

  const expected = made.map(({ leaseSeconds, ...request }) => ({ ...request, remoteHost: "", enabled: true, description: "libminiupnpc" }));
  for (const method of [undefined, "generic", "list"] as const) {
    const entries = byPort((await gateway.listPortMappings({ method })).entries);
    assert.deepEqual(entries.map(({ leaseSeconds, ...rest }) => rest), expected, `method ${method ?? "default"}`);
    entries.forEach((entry, i) => assertLeaseLeft(entry.leaseSeconds, made[i]!.leaseSeconds));
  }
  const entry = await gateway.getPortMapping(15002, "udp");
  assert.ok(entry !== undefined);
  assert.equal(entry.internalClient, "192.0.2.9");
  assert.equal(entry.internalPort, 5002);
});

test("upnpc and porthole agree on the whole table, entry for entry", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await gateway.addPortMapping({ internalPort: 6000, protocol: "UDP", description: "mine", leaseSeconds: 300 });
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: "192.0.2.7", internalPort: 6001, externalPort: 6001, protocol: "TCP", leaseSeconds: 300 }), 0);

  const fromUpnpc = (mapping: UpnpcMapping) => [mapping.protocol, mapping.externalPort, mapping.internalClient, mapping.internalPort, mapping.description];
  const fromPorthole = (entry: PortMappingEntry) => [entry.protocol, entry.externalPort, entry.internalClient, entry.internalPort, entry.description];
  assert.deepEqual(
    byPort((await gateway.listPortMappings({ method: "generic" })).entries).map(fromPorthole),
    byPort(await listWithUpnpc(rig, daemon.descriptionUrl)).map(fromUpnpc),
  );
});
