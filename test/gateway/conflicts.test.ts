import { resultOf } from "../../src/compat/result-of.js";
// A port already mapped to another LAN host, and the delete of a mapping that does not exist:
// what miniupnpd answers, and the result each API turns it into.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { assertForwarded, listenOnLan } from "./forwarding-checks.js";
import { addWithUpnpc, deleteWithUpnpc } from "./upnpc-commands.js";
import { UPNPResult, UpnpActionError, gatewayFromUrl, resultForUpnpCode } from "../../src/index.js";

const rig = rigFromEnvironment();
const otherLanHost = "192.0.2.9";

test("a port mapped to another LAN host: 718 for upnpc, CONFLICT_WITH_OTHER_MAPPING (13) from compat, UpnpActionError 718 from idiomatic", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: otherLanHost, internalPort: 5000, externalPort: 5000, protocol: "UDP" }), 0);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  // Made by porthole this time, for the TCP side.
  await gateway.addPortMapping({ internalPort: 5000, protocol: "TCP", internalClient: otherLanHost, leaseSeconds: 120 });

  // The reference client, as ourselves, gets the daemon's plain answer.
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: rig.lan.ipv4, internalPort: 5000, externalPort: 5000, protocol: "UDP" }), 718);

  const { upnp } = await discoverWithCompat(rig);
  assert.equal(UPNPResult[await upnp.addPortMapping(5000, 0, "mine", "UDP", 120)], "CONFLICT_WITH_OTHER_MAPPING");
  assert.equal(UPNPResult[await upnp.addPortMapping(5000, 0, "mine", "TCP", 120)], "CONFLICT_WITH_OTHER_MAPPING");

  for (const protocol of ["UDP", "TCP"] as const) {
    await assert.rejects(gateway.addPortMapping({ internalPort: 5000, protocol, leaseSeconds: 120 }), (error: unknown) => {
      assert.ok(error instanceof UpnpActionError, String(error));
      assert.equal(error.upnpCode, 718);
      assert.equal(error.action, "AddPortMapping");
      assert.equal(UPNPResult[resultOf(error)], "CONFLICT_WITH_OTHER_MAPPING");
      return true;
    });
    // The other host's mapping is untouched.
    assert.equal((await gateway.getPortMapping(5000, protocol))?.internalClient, otherLanHost);
  }
});

test("idiomatic: with anyPort a conflicting mapping gets another external port, and that port forwards", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: otherLanHost, internalPort: 5100, externalPort: 5100, protocol: "UDP" }), 0);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const listener = await listenOnLan(rig, "UDP", 5100);
  t.after(() => listener.close());

  const mapping = await gateway.addPortMapping({ internalPort: 5100, protocol: "UDP", description: "moved", leaseSeconds: 120, anyPort: true });
  assert.notEqual(mapping.externalPort, 5100);
  assert.equal(mapping.internalPort, 5100);
  assert.equal(mapping.internalClient, rig.lan.ipv4);
  const entry = await gateway.getPortMapping(mapping.externalPort, "UDP");
  assert.equal(entry?.internalClient, rig.lan.ipv4);
  assert.equal(entry?.description, "moved");
  await assertForwarded(rig, listener, "UDP", mapping.externalPort);
});

test("deleting a mapping that does not exist: miniupnpd 2.3.1 answers success, so both APIs report success", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  // What the daemon answers (upnpc prints the UPnP code, 0 for success). With the nftables
  // backend miniupnpd does not send 714 NoSuchEntryInArray here, whatever the spec says.
  const daemonCode = await deleteWithUpnpc(rig, daemon.descriptionUrl, 5200, "TCP");
  assert.equal(daemonCode, 0);
  const engineResult = daemonCode === 0 ? UPNPResult.SUCCESS : resultForUpnpCode(daemonCode);

  const { upnp } = await discoverWithCompat(rig);
  assert.equal(UPNPResult[await upnp.deletePortMapping(5200, "TCP")], UPNPResult[engineResult]);
  assert.equal(UPNPResult[await upnp.deletePortMapping(5201, "UDP")], UPNPResult[engineResult]);

  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await gateway.deletePortMapping({ externalPort: 5200, protocol: "TCP" });
  // The entry really is missing: GetSpecificPortMappingEntry answers 714, which getPortMapping turns into undefined.
  assert.equal(await gateway.getPortMapping(5200, "TCP"), undefined);
});
