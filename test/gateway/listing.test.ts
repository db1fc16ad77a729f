// A table of 200 mappings read both ways: GetGenericPortMappingEntry one index at a time, and
// (IGDv2) GetListOfPortMappings in one request per protocol. Both must give the same entries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { assertLeaseLeft } from "./lease-checks.js";
import { gatewayFromUrl, type WanConnection, type PortMappingEntry } from "../../src/index.js";

const rig = rigFromEnvironment();
const mappingCount = 200;
const firstPort = 20000;
const leaseSeconds = 3600;

/** Half TCP, half UDP, on distinct ports, each with its own internal port and description. */
async function addMany(gateway: WanConnection): Promise<void> {
  for (let i = 0; i < mappingCount; i++) {
    await gateway.addPortMapping({
      externalPort: firstPort + i,
      internalPort: 30000 + i,
      protocol: i % 2 === 0 ? "TCP" : "UDP",
      description: `mapping #${i}`,
      leaseSeconds,
      // One request per mapping keeps the loop quick; the listings below check them all.
      verify: false,
    });
  }
}

/** An entry without its lease, which ticks down between two listings. */
function key(entry: PortMappingEntry): string {
  const { leaseSeconds, ...rest } = entry;
  return JSON.stringify(rest);
}

test(`${mappingCount} mappings: "generic" and "list" return the same set of entries, and upnpc sees them all`, async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await addMany(gateway);

  const generic = (await gateway.listPortMappings({ method: "generic" })).entries;
  const list = (await gateway.listPortMappings({ method: "list" })).entries;
  assert.equal(generic.length, mappingCount);
  assert.equal(list.length, mappingCount);
  assert.deepEqual(new Set(list.map(key)), new Set(generic.map(key)));

  const ports = generic.map((entry) => entry.externalPort).sort((a, b) => a - b);
  assert.deepEqual(ports, Array.from({ length: mappingCount }, (_, i) => firstPort + i));
  for (const entry of generic) {
    const i = entry.externalPort - firstPort;
    assert.deepEqual(
      [entry.protocol, entry.internalPort, entry.internalClient, entry.description, entry.enabled],
      [i % 2 === 0 ? "TCP" : "UDP", 30000 + i, rig.lan.ipv4, `mapping #${i}`, true],
    );
    assertLeaseLeft(entry.leaseSeconds, leaseSeconds, `port ${entry.externalPort}`);
  }

  assert.equal((await listWithUpnpc(rig, daemon.descriptionUrl)).length, mappingCount);
});

test("the default listing of 300 mappings of one protocol leaves miniupnpd alive (its GetListOfPortMappings dies past ~130)", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const count = 300;
  for (let i = 0; i < count; i++) {
    await gateway.addPortMapping({ externalPort: 40000 + i, internalPort: 40000 + i, protocol: "UDP", leaseSeconds, verify: false });
  }
  const entries = (await gateway.listPortMappings()).entries;
  assert.equal(entries.length, count);
  // Still answering: the walk did not take the daemon down.
  assert.equal(await gateway.getExternalAddress(), "11.22.33.44");
});
