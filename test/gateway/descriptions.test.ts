// Descriptions with XML markup characters, quotes and non-ASCII text must reach the router as
// written: porthole escapes them on the way in and decodes them on the way back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { asUpnpcPrintsIt, listWithUpnpc } from "./upnpc-commands.js";
import { UPNPResult, gatewayFromUrl } from "../../src/index.js";

const rig = rigFromEnvironment();
const tricky = `Zoë's <game> & "friends" 🎮`;
const lookalike = "a &amp; b </NewPortMappingDescription>";

test("descriptions with <, &, quotes and non-ASCII text arrive intact, through both APIs", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const { upnp } = await discoverWithCompat(rig);

  const added = await gateway.addPortMapping({ internalPort: 5400, protocol: "UDP", description: tricky });
  assert.equal(added.description, tricky);
  assert.equal(UPNPResult[await upnp.addPortMapping(5401, 0, tricky, "TCP", 600)], "SUCCESS");
  // Text that is already an escape, or looks like the closing tag, must not be taken as markup.
  await gateway.addPortMapping({ internalPort: 5402, protocol: "TCP", description: lookalike });

  assert.equal((await gateway.getPortMapping(5400, "UDP"))?.description, tricky);
  assert.equal((await gateway.getPortMapping(5401, "TCP"))?.description, tricky);
  assert.equal((await gateway.getPortMapping(5402, "TCP"))?.description, lookalike);

  // GetListOfPortMappings carries the entries as an XML document inside an XML argument: escaped twice.
  for (const method of ["generic", "list"] as const) {
    const byPort = new Map(((await gateway.listPortMappings({ method })).entries).map((entry) => [entry.externalPort, entry.description]));
    assert.deepEqual([byPort.get(5400), byPort.get(5401), byPort.get(5402)], [tricky, tricky, lookalike], `method ${method}`);
  }

  // The reference client prints descriptions still XML-escaped: the same bytes the router sent.
  const listed = new Map((await listWithUpnpc(rig, daemon.descriptionUrl)).map((mapping) => [mapping.externalPort, mapping.description]));
  assert.equal(listed.get(5400), asUpnpcPrintsIt(tricky));
  assert.equal(listed.get(5401), asUpnpcPrintsIt(tricky));
  assert.equal(listed.get(5402), asUpnpcPrintsIt(lookalike));
});
