import { resultOf } from "../../src/compat/result-of.js";
// The same flow against miniupnpd forced to IGDv1 (`-1`): porthole must pick WANIPConnection:1,
// map through both APIs (lease 0 from the compatible one), and find other ports without the
// IGDv2-only AddAnyPortMapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultExternalAddress, rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { addWithUpnpc, listWithUpnpc } from "./upnpc-commands.js";
import { assertLeaseLeft } from "./lease-checks.js";
import { IGDStatus, UPNPResult, UpnpActionError, gatewayFromUrl } from "../../src/index.js";

const rig = rigFromEnvironment();
const wanIpConnection1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
/** What miniupnpd 2.3.1 turns a lease of 0 into, even when it announces IGDv1. */
const miniupnpdMaxLeaseSeconds = 604800;

test("IGDv1 compat: discovery picks WANIPConnection:1; a lease-0 UDP mapping forwards until deleted", async (t) => {
  const daemon = await startMiniupnpd(rig, { igdVersion: 1 });
  t.after(() => daemon.stop());
  const { upnp, gateway } = await discoverWithCompat(rig);
  assert.equal(gateway.igdServiceType, wanIpConnection1);
  assert.equal(IGDStatus[gateway.igdStatus], "OK");
  assert.equal(gateway.igdOurAddr, rig.lan.ipv4);
  assert.equal(await upnp.queryExternalAddress(), defaultExternalAddress);
  const listener = await listenOnLan(rig, "UDP", 4300);
  t.after(() => listener.close());

  assert.equal(UPNPResult[await upnp.addPortMapping(43000, 4300, "v1 permanent", "UDP", 0)], "SUCCESS");
  const listed = await listWithUpnpc(rig, daemon.descriptionUrl);
  assert.deepEqual(
    listed.map(({ leaseSeconds, ...mapping }) => mapping),
    [{ protocol: "UDP", externalPort: 43000, internalClient: rig.lan.ipv4, internalPort: 4300, description: "v1 permanent", remoteHost: "" }],
  );
  assertLeaseLeft(listed[0]?.leaseSeconds, miniupnpdMaxLeaseSeconds, "upnpc -l");
  await assertForwarded(rig, listener, "UDP", 43000);

  assert.equal(UPNPResult[await upnp.deletePortMapping(43000, "UDP")], "SUCCESS");
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
  await assertNotForwarded(rig, listener, "UDP", 43000);
});

test("IGDv1 idiomatic: a TCP mapping forwards, is listed, and is deleted", async (t) => {
  const daemon = await startMiniupnpd(rig, { igdVersion: 1 });
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  assert.equal(gateway.serviceType, wanIpConnection1);
  assert.equal(gateway.serviceVersion, 1);
  assert.equal(gateway.status?.rank, 1);
  const listener = await listenOnLan(rig, "TCP", 4400);
  t.after(() => listener.close());

  const mapping = await gateway.addPortMapping({ internalPort: 4400, externalPort: 44000, protocol: "tcp", description: "v1 tcp", leaseSeconds: 300 });
  assert.equal(mapping.externalPort, 44000);
  assert.equal(mapping.internalClient, rig.lan.ipv4);
  // The default walks GetGenericPortMappingEntry, which every IGDv1 gateway offers.
  const entries = (await gateway.listPortMappings()).entries;
  assert.deepEqual(
    entries.map((entry) => [entry.protocol, entry.externalPort, entry.internalClient, entry.internalPort, entry.description]),
    [["TCP", 44000, rig.lan.ipv4, 4400, "v1 tcp"]],
  );
  await assertForwarded(rig, listener, "TCP", 44000);

  await gateway.deletePortMapping({ externalPort: 44000, protocol: "tcp" });
  assert.deepEqual(await gateway.listPortMappings(), { entries: [], truncated: false });
  await assertNotForwarded(rig, listener, "TCP", 44000);
});

test("IGDv1: a conflict is 718 / CONFLICT_WITH_OTHER_MAPPING; anyPort tries other ports and the one it gets forwards", async (t) => {
  const daemon = await startMiniupnpd(rig, { igdVersion: 1 });
  t.after(() => daemon.stop());
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: "192.0.2.9", internalPort: 4500, externalPort: 4500, protocol: "UDP" }), 0);
  const { upnp } = await discoverWithCompat(rig);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const listener = await listenOnLan(rig, "UDP", 4500);
  t.after(() => listener.close());

  assert.equal(UPNPResult[await upnp.addPortMapping(4500, 0, "", "UDP", 0)], "CONFLICT_WITH_OTHER_MAPPING");
  await assert.rejects(gateway.addPortMapping({ internalPort: 4500, protocol: "UDP" }), (error: unknown) => {
    assert.ok(error instanceof UpnpActionError, String(error));
    assert.equal(error.upnpCode, 718);
    assert.equal(UPNPResult[resultOf(error)], "CONFLICT_WITH_OTHER_MAPPING");
    return true;
  });

  const mapping = await gateway.addPortMapping({ internalPort: 4500, protocol: "UDP", leaseSeconds: 120, anyPort: true });
  assert.notEqual(mapping.externalPort, 4500);
  assert.ok(mapping.externalPort >= 1024, `port ${mapping.externalPort} is outside the daemon's allowed range`);
  await assertForwarded(rig, listener, "UDP", mapping.externalPort);
});
