import { resultOf } from "../../src/compat/result-of.js";
// miniupnpd with secure_mode: a client may map ports to its own address only. What it answers
// for another LAN address, and the results porthole turns that into.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { assertForwarded, listenOnLan } from "./forwarding-checks.js";
import { addWithUpnpc, listWithUpnpc } from "./upnpc-commands.js";
import { UPNPResult, UpnpActionError, gatewayFromUrl, resultForUpnpCode } from "../../src/index.js";

const rig = rigFromEnvironment();
const otherLanHost = "192.0.2.9";
/** miniupnpd 2.3.1 refuses AddPortMapping for another host with 718 ConflictInMappingEntry, not 606. */
const refusalCode = 718;

function isRefusal(action: string, upnpCode: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof UpnpActionError, String(error));
    assert.equal(error.action, action);
    assert.equal(error.upnpCode, upnpCode);
    assert.equal(UPNPResult[resultOf(error)], UPNPResult[resultForUpnpCode(upnpCode)]);
    return true;
  };
}

test("secureMode: a mapping for another LAN address is refused with 718 (CONFLICT_WITH_OTHER_MAPPING) by both APIs", async (t) => {
  const daemon = await startMiniupnpd(rig, { secureMode: true });
  t.after(() => daemon.stop());
  assert.equal(await addWithUpnpc(rig, daemon.descriptionUrl, { internalClient: otherLanHost, internalPort: 4800, externalPort: 4800, protocol: "UDP" }), refusalCode);

  // The compatible API maps to igdOurAddr, which a program may set to another host's address.
  const { gateway: device } = await discoverWithCompat(rig);
  device.igdOurAddr = otherLanHost;
  assert.equal(UPNPResult[await device.addPortMapping(4800, 0, "for another host", "UDP", 120)], "CONFLICT_WITH_OTHER_MAPPING");
  assert.equal(resultForUpnpCode(refusalCode), UPNPResult.CONFLICT_WITH_OTHER_MAPPING);

  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  await assert.rejects(gateway.addPortMapping({ internalPort: 4800, protocol: "TCP", internalClient: otherLanHost }), isRefusal("AddPortMapping", refusalCode));
  // With anyPort porthole falls back to AddAnyPortMapping, which miniupnpd refuses with 606.
  await assert.rejects(
    gateway.addPortMapping({ internalPort: 4800, protocol: "TCP", internalClient: otherLanHost, anyPort: true }),
    isRefusal("AddAnyPortMapping", 606),
  );
  assert.equal(resultForUpnpCode(606), UPNPResult.NOT_AUTHORIZED);
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});

test("secureMode: a mapping for our own address is granted and forwards", async (t) => {
  const daemon = await startMiniupnpd(rig, { secureMode: true });
  t.after(() => daemon.stop());
  const { upnp } = await discoverWithCompat(rig);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const listener = await listenOnLan(rig, "UDP", 4900);
  t.after(() => listener.close());

  assert.equal(UPNPResult[await upnp.addPortMapping(4900, 0, "mine", "UDP", 120)], "SUCCESS");
  await assertForwarded(rig, listener, "UDP", 4900);
  const mapping = await gateway.addPortMapping({ internalPort: 4900, externalPort: 49000, protocol: "UDP", internalClient: rig.lan.ipv4 });
  assert.equal(mapping.internalClient, rig.lan.ipv4);
  await assertForwarded(rig, listener, "UDP", 49000);
});
