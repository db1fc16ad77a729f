/** Discovery through the Redot-compatible API, restricted to the rig's LAN interface. */
import assert from "node:assert/strict";
import { UPNP, UPNPResult, type UPNPDevice } from "../../src/index.js";
import type { RigTopology } from "./rig-topology.js";

/** miniupnpd answers an M-SEARCH within ~60 ms; the compatible `discover` always waits this long. */
export const compatDiscoverTimeoutMs = 500;

/**
 * A `UPNP` that has discovered the rig's gateway (over IPv4 unless `ipv6`), and that gateway.
 * Fails the test when discovery does not succeed.
 */
export async function discoverWithCompat(rig: RigTopology, ipv6 = false): Promise<{ upnp: UPNP; gateway: UPNPDevice }> {
  const upnp = new UPNP();
  upnp.discoverMulticastIf = rig.lan.ifname;
  upnp.discoverIPv6 = ipv6;
  const result = await upnp.discover(compatDiscoverTimeoutMs);
  assert.equal(UPNPResult[result], "SUCCESS");
  const gateway = upnp.getGateway();
  assert.ok(gateway !== null, "discovery found no valid gateway");
  return { upnp, gateway };
}
