// `porthole discover --ipv6` run as a child process against a virtual gateway on loopback, found by
// a unicast --ssdp-target: nothing is sent anywhere else.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { VirtualGatewayActivity } from "../../src/index.js";
import { porthole, portholeJson } from "./cli-runner.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

test("discover --ipv6 searches once: its pinhole probe asks the gateway the search found", async (t) => {
  let activity: VirtualGatewayActivity[] = [];
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44", onActivity: (event) => activity.push(event) });
  const search = ["--ssdp-target", `${gateway.ssdpAddress.address}:${gateway.ssdpAddress.port}`, "--timeout", "2000"];
  // What a search costs the gateway: the M-SEARCHes it answers and the descriptions fetched after them.
  const searchTraffic = (): { searches: number; descriptionFetches: number } => {
    const seen = activity;
    activity = [];
    return {
      searches: seen.filter((event) => event.type === "search").length,
      descriptionFetches: seen.filter((event) => event.type === "http" && event.path === new URL(gateway.descriptionUrl).pathname).length,
    };
  };

  const plain = await portholeJson(["discover", ...search]);
  assert.equal(plain.code, 0, plain.stderr);
  const oneSearch = searchTraffic();
  assert.ok(oneSearch.searches > 0 && oneSearch.descriptionFetches === 1, JSON.stringify(oneSearch));

  const withPinholes = await portholeJson(["discover", "--ipv6", ...search]);
  assert.equal(withPinholes.code, 0, withPinholes.stderr);
  assert.deepEqual(searchTraffic(), oneSearch);
  assert.deepEqual(withPinholes.json.gateways, plain.json.gateways);
  assert.equal(withPinholes.json.ipv6.method, "upnp-pinhole");
  assert.deepEqual(withPinholes.json.ipv6.ways, [{ method: "upnp-pinhole", usable: true, gatewayAddress: "127.0.0.1", reason: null }]);
});

test("discover --ipv6 with no UPnP device answering says so for UPnP's pinholes, as the search found it", async (t) => {
  const gateway = await virtualGateway(t);
  const silentSsdp = ["--ssdp-target", `127.0.0.1:${await unusedUdpPort()}`];
  const pcp = ["--gateway-address", `${gateway.portControlAddress.address}:${gateway.portControlAddress.port}`];
  const { code, json, stderr } = await portholeJson(["discover", "--ipv6", ...silentSsdp, ...pcp, "--timeout", "2000"]);
  assert.equal(code, 0, stderr);
  assert.equal(json.ipv6.method, "pcp");
  // Not a time-out of the pinhole probe: it waits for the search the list made.
  assert.deepEqual(json.ipv6.ways[1], {
    method: "upnp-pinhole",
    usable: false,
    gatewayAddress: null,
    reason: "no UPnP device answered within 1000 ms: UPnP may be off on the router, or multicast blocked on this network",
  });
});

test("discover --ipv6 as text: a label longer than its column keeps a space before its value", async (t) => {
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44" });
  const { code, stdout, stderr } = await porthole(["discover", "--ipv6", "--ssdp-target", `${gateway.ssdpAddress.address}:${gateway.ssdpAddress.port}`, "--timeout", "2000"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^ {2}UPnP \(IPv6 firewall\) answers at 127\.0\.0\.1$/m);
  assert.match(stdout, /^ {2}would open with {2}UPnP \(IPv6 firewall\)$/m, "a label shorter than the column is padded to it, as before");
});
