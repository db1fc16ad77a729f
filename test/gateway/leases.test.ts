// How miniupnpd (IGDv2) grants leases, and that porthole reports the lease the daemon granted
// rather than the one it asked for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { assertLeaseLeft } from "./lease-checks.js";
import { UPNPResult, gatewayFromUrl } from "../../src/index.js";

const rig = rigFromEnvironment();
/** WANIPConnection:2 forbids a permanent lease; miniupnpd grants a week instead, and caps longer ones. */
const miniupnpdMaxLeaseSeconds = 604800;

test("IGDv2: a lease of 0 is granted as 604800 s, as porthole's getPortMapping and upnpc -l both report", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { upnp } = await discoverWithCompat(rig);
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);

  assert.equal(UPNPResult[await upnp.addPortMapping(4600, 0, "compat permanent", "UDP", 0)], "SUCCESS");
  const idiomatic = await gateway.addPortMapping({ internalPort: 4601, protocol: "TCP", description: "idiomatic permanent", leaseSeconds: 0 });
  // addPortMapping reads the entry back (verify) and returns the granted lease, not the asked one.
  assertLeaseLeft(idiomatic.leaseSeconds, miniupnpdMaxLeaseSeconds, "addPortMapping");

  assertLeaseLeft((await gateway.getPortMapping(4600, "UDP"))?.leaseSeconds, miniupnpdMaxLeaseSeconds, "getPortMapping UDP");
  assertLeaseLeft((await gateway.getPortMapping(4601, "TCP"))?.leaseSeconds, miniupnpdMaxLeaseSeconds, "getPortMapping TCP");
  const listed = await listWithUpnpc(rig, daemon.descriptionUrl);
  assert.deepEqual(listed.map((mapping) => mapping.externalPort).sort(), [4600, 4601]);
  for (const mapping of listed) assertLeaseLeft(mapping.leaseSeconds, miniupnpdMaxLeaseSeconds, `upnpc -l port ${mapping.externalPort}`);
});

test("IGDv2: a lease longer than a week is capped to 604800 s, and porthole returns the capped lease", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);

  const mapping = await gateway.addPortMapping({ internalPort: 4700, protocol: "UDP", leaseSeconds: 1_000_000 });
  assertLeaseLeft(mapping.leaseSeconds, miniupnpdMaxLeaseSeconds, "addPortMapping");
  assertLeaseLeft((await listWithUpnpc(rig, daemon.descriptionUrl))[0]?.leaseSeconds, miniupnpdMaxLeaseSeconds, "upnpc -l");
});
