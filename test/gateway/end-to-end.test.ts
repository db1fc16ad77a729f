// The proof that porthole's mappings are real: traffic from the ISP host to the gateway's WAN
// address reaches a listener on the LAN host while the mapping exists, and stops once porthole
// deletes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { UPNPResult, gatewayFromUrl } from "../../src/index.js";

const rig = rigFromEnvironment();

test("idiomatic: a UDP and a TCP mapping forward from the ISP host to the LAN host until deleted", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  // The UDP mapping moves the port (external 40000 -> internal 4000); the TCP one keeps it.
  const udpListener = await listenOnLan(rig, "UDP", 4000);
  t.after(() => udpListener.close());
  const tcpListener = await listenOnLan(rig, "TCP", 4001);
  t.after(() => tcpListener.close());

  await gateway.addPortMapping({ internalPort: 4000, externalPort: 40000, protocol: "UDP", description: "e2e udp", leaseSeconds: 120 });
  await gateway.addPortMapping({ internalPort: 4001, protocol: "TCP", description: "e2e tcp", leaseSeconds: 120 });
  await assertForwarded(rig, udpListener, "UDP", 40000);
  await assertForwarded(rig, tcpListener, "TCP", 4001);
  // Only the external port is open: the internal one is not reachable from the WAN side.
  await assertNotForwarded(rig, udpListener, "UDP", 4000);

  await gateway.deletePortMapping({ externalPort: 40000, protocol: "UDP" });
  await gateway.deletePortMapping({ externalPort: 4001, protocol: "TCP" });
  await assertNotForwarded(rig, udpListener, "UDP", 40000);
  await assertNotForwarded(rig, tcpListener, "TCP", 4001);
});

test("compat: a UDP and a TCP mapping forward from the ISP host to the LAN host until deleted", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { upnp } = await discoverWithCompat(rig);
  const udpListener = await listenOnLan(rig, "UDP", 4100);
  t.after(() => udpListener.close());
  const tcpListener = await listenOnLan(rig, "TCP", 4200);
  t.after(() => tcpListener.close());

  assert.equal(UPNPResult[await upnp.addPortMapping(4100, 0, "compat e2e udp", "UDP", 120)], "SUCCESS");
  assert.equal(UPNPResult[await upnp.addPortMapping(42000, 4200, "compat e2e tcp", "TCP", 120)], "SUCCESS");
  await assertForwarded(rig, udpListener, "UDP", 4100);
  await assertForwarded(rig, tcpListener, "TCP", 42000);

  assert.equal(UPNPResult[await upnp.deletePortMapping(4100, "UDP")], "SUCCESS");
  assert.equal(UPNPResult[await upnp.deletePortMapping(42000, "TCP")], "SUCCESS");
  await assertNotForwarded(rig, udpListener, "UDP", 4100);
  await assertNotForwarded(rig, tcpListener, "TCP", 42000);
});
