// Named quirk profiles and the activity listener of the virtual gateway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError, gatewayFromUrl } from "../../src/index.js";
import { quirkProfiles, startVirtualGateway, type QuirkProfileName, type VirtualGatewayActivity } from "../../src/virtual-gateway/index.js";
import { combineProfiles } from "../../src/virtual-gateway/quirk-profiles.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

test("every profile names its source and changes something", () => {
  for (const [name, profile] of Object.entries(quirkProfiles)) {
    assert.ok(profile.summary.length > 0 && profile.source.length > 0, name);
    const combined = combineProfiles([name]);
    const changes = Object.keys(combined.quirks).length + (combined.connection ? 1 : 0) + (combined.externalAddress ? 1 : 0) + Object.keys(combined.protocols).length;
    assert.ok(changes > 0, name);
  }
});

test("profiles combine in order, and explicit options win over them", async (t) => {
  assert.deepEqual(combineProfiles(["chunked", "urlbase-last"]).quirks, {
    chunkedReplies: true,
    urlBaseAfterDevice: true,
    controlUrlStyle: "relative-no-slash",
  });
  assert.equal(combineProfiles(["double-nat", "cgnat"]).externalAddress, "100.64.0.2");

  const gateway = await virtualGateway(t, { profiles: ["double-nat", "urlbase-last"], externalAddress: "198.51.100.9", quirks: { controlUrlStyle: "absolute" } });
  assert.equal(gateway.externalAddress, "198.51.100.9");
  assert.match(gateway.descriptionUrl, /\/desc\/rootDesc\.xml$/);
  const client = await gatewayFromUrl(gateway.descriptionUrl);
  assert.equal(await client.getExternalAddress(), "198.51.100.9");
});

test("an unknown profile is refused before anything opens, naming the known ones", async () => {
  await assert.rejects(startVirtualGateway({ profiles: ["netgear" as QuirkProfileName] }), (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError);
    assert.match(error.message, /unknown quirk profile "netgear"; known: permanent-only, arris-402/);
    return true;
  });
});

test("the profiles behave as their quirks: arris-402 and ppp-only through the client", async (t) => {
  const arris = await virtualGateway(t, { profiles: ["arris-402"] });
  const client = await gatewayFromUrl(arris.descriptionUrl);
  const mapping = await client.addPortMapping({ internalPort: 5000, protocol: "UDP", internalClient: "127.0.0.1" });
  // The library retries a 402 on a finite lease with lease 0, which IGD:2 turns into a week.
  assert.equal(mapping.leaseSeconds, 604800);
  assert.ok(arris.requests.some((r) => r.action === "AddPortMapping" && r.arguments.some(([n, v]) => n === "NewLeaseDuration" && v === "3600")));

  const ppp = await virtualGateway(t, { profiles: ["ppp-only"] });
  assert.equal((await gatewayFromUrl(ppp.descriptionUrl)).serviceType, "urn:schemas-upnp-org:service:WANPPPConnection:1");
});

test("onActivity reports searches, GETs and control requests with their outcome", async (t) => {
  const seen: VirtualGatewayActivity[] = [];
  const gateway = await virtualGateway(t, { onActivity: (activity) => seen.push(activity), profiles: ["permanent-only"] });
  const client = await gatewayFromUrl(gateway.descriptionUrl);
  await client.addPortMapping({ internalPort: 5000, protocol: "TCP", internalClient: "127.0.0.1" });
  assert.ok(seen.some((a) => a.type === "http" && a.method === "GET" && a.path === "/rootDesc.xml" && a.status === 200));
  const adds = seen.filter((a) => a.type === "control" && a.action === "AddPortMapping");
  assert.deepEqual(adds.map((a) => a.type === "control" && a.upnpCode), [725, undefined]);

  const { searchSsdp } = await import("../../src/index.js");
  const locations: string[] = [];
  for await (const reply of searchSsdp({ multicast: false, unicastTargets: [gateway.ssdpAddress], listenMs: 300, retransmits: 1 })) {
    locations.push(reply.location);
  }
  assert.ok(locations.length >= 1, "the client yielded a search reply");
  assert.ok(locations.every((location) => location === gateway.descriptionUrl));
  const search = seen.find((a) => a.type === "search");
  assert.ok(search && search.type === "search" && search.from.address === "127.0.0.1" && search.replies >= 1);
});

test("a listener that throws does not stop the gateway answering", async (t) => {
  const gateway = await virtualGateway(t, {
    onActivity: () => {
      throw new Error("listener bug");
    },
  });
  const client = await gatewayFromUrl(gateway.descriptionUrl);
  assert.equal(await client.getExternalAddress(), "203.0.113.7");
});
