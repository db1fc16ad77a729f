import { resultOf } from "../../src/compat/result-of.js";
// A gateway whose own WAN address is reserved (a test net, like a router behind another NAT):
// miniupnpd hides that address and refuses every mapping. porthole must make that plain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { IGDStatus, UPNPResult, UpnpActionError, findGateway, gatewayFromUrl } from "../../src/index.js";

const rig = rigFromEnvironment();

test("reserved WAN address: connected, but no external address (rank 2), and mapping fails with 501 / ACTION_FAILED", async (t) => {
  const daemon = await startMiniupnpd(rig, { extIp: null });
  t.after(() => daemon.stop());

  // miniupnpd 2.3.1 says "Connected" but answers GetExternalIPAddress with an empty address
  // rather than its reserved one (198.51.100.1).
  const gateway = await findGateway({ multicastInterface: rig.lan.ifname, listenMs: 1_000 });
  assert.equal(await gateway.getExternalAddress(), "");
  assert.equal(gateway.status?.rank, 2);
  assert.equal(gateway.status?.connected, true);
  assert.equal(gateway.status?.connectionStatus, "Connected");
  assert.equal(gateway.status?.externalAddress, undefined);

  await assert.rejects(gateway.addPortMapping({ internalPort: 5300, protocol: "UDP" }), (error: unknown) => {
    assert.ok(error instanceof UpnpActionError, String(error));
    assert.equal(error.upnpCode, 501);
    assert.equal(UPNPResult[resultOf(error)], "ACTION_FAILED");
    return true;
  });

  const { upnp, gateway: device } = await discoverWithCompat(rig);
  // Like the engine, a connected gateway is valid: the refusal only shows when mapping.
  assert.equal(IGDStatus[device.igdStatus], "OK");
  assert.equal(await upnp.queryExternalAddress(), "");
  assert.equal(UPNPResult[await upnp.addPortMapping(5300, 0, "", "UDP", 0)], "ACTION_FAILED");
  assert.equal(UPNPResult[await upnp.addPortMapping(5301, 0, "", "TCP", 3600)], "ACTION_FAILED");
  assert.deepEqual(await listWithUpnpc(rig, daemon.descriptionUrl), []);
});

test(
  "reserved WAN address: status says double NAT",
  async (t) => {
    const daemon = await startMiniupnpd(rig, { extIp: null });
    t.after(() => daemon.stop());
    const gateway = await gatewayFromUrl(daemon.descriptionUrl);
    assert.equal(gateway.status?.doubleNat, true);
  },
);
