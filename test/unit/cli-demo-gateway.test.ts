// `porthole demo` and `porthole gateway`, run as child processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { finished, firstJsonDocument, porthole, startPorthole } from "./cli-runner.js";
import { gatewayFromUrl } from "../../src/index.js";

test("demo walks discover, external address, map, list, unmap and a PCP mapping against its own gateway, exit 0", async () => {
  const result = await porthole(["demo"]);
  assert.equal(result.code, 0, result.stderr);
  const steps = [...result.stdout.matchAll(/^\[(\d)\/7\] (.*)$/gm)].map((match) => match[2]);
  assert.equal(steps.length, 7);
  assert.match(steps[1]!, /Discover/);
  assert.match(steps[2]!, /external address/);
  assert.match(steps[3]!, /Map TCP port 8080/);
  assert.match(steps[4]!, /List/);
  assert.match(steps[5]!, /Remove/);
  assert.match(result.stdout, /found WANIPConnection:2/);
  assert.match(result.stdout, /mapped TCP 203\.0\.113\.7:8080 → 127\.0\.0\.1:8080, lease 1h/);
  assert.match(result.stdout, /TCP +8080 +127\.0\.0\.1:8080 +1h/);
  assert.match(result.stdout, /the table is empty again/);
  assert.match(steps[6]!, /PCP/);
  assert.match(result.stdout, /mapped UDP 203\.0\.113\.7:8080 in \d+ ms, and removed again/);
});

test("demo --json prints every step's document", async () => {
  const result = await porthole(["demo", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const document = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(document), ["virtualGateway", "discover", "ip", "map", "list", "unmap", "listAfter", "pcp"]);
  assert.equal(document.discover.gateways[0].location, document.virtualGateway.descriptionUrl);
  assert.deepEqual(document.ip, { externalAddress: "203.0.113.7" });
  assert.equal(document.map.mappings[0].lease, 3600);
  assert.equal(document.list.mappings.length, 1);
  assert.deepEqual(document.unmap, { removed: [{ protocol: "TCP", externalPort: 8080, internalPort: null, method: "upnp" }] });
  assert.equal(document.map.mappings[0].method, "upnp");
  assert.equal(document.pcp.mappings[0].method, "pcp");
  assert.equal(document.pcp.mappings[0].description, null);
  assert.equal(document.pcp.removed, true);
  assert.equal(document.list.truncated, false);
  assert.deepEqual(document.listAfter, { mappings: [], truncated: false });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`gateway runs with its quirks until ${signal}, logs what it does, then exits 0`, async () => {
    const child = startPorthole(["gateway", "--json", "--igd", "1", "--quirk", "permanent-only,double-nat"]);
    const done = finished(child);
    const info = await firstJsonDocument(child);
    try {
      assert.match(info.descriptionUrl, /^http:\/\/127\.0\.0\.1:\d+\/rootDesc\.xml$/);
      assert.equal(info.ssdp.address, "127.0.0.1");
      assert.deepEqual(info.quirks, ["permanent-only", "double-nat"]);
      assert.equal(info.externalAddress, "10.0.0.2");
      assert.equal(info.igdVersion, 1);

      const gateway = await gatewayFromUrl(info.descriptionUrl);
      assert.equal(gateway.serviceType, "urn:schemas-upnp-org:service:WANIPConnection:1");
      const mapping = await gateway.addPortMapping({ internalPort: 8080, protocol: "TCP", internalClient: "127.0.0.1" });
      assert.equal(mapping.leaseSeconds, 0);
    } finally {
      child.kill(signal);
    }
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /GET \/rootDesc\.xml from 127\.0\.0\.1 → 200/);
    assert.match(result.stderr, /AddPortMapping from 127\.0\.0\.1 .*LeaseDuration=3600 → UPnP error 725/);
    assert.match(result.stderr, /AddPortMapping from 127\.0\.0\.1 .*LeaseDuration=0 → ok/);
    assert.match(result.stderr, /virtual gateway stopped/);
  });
}

test("gateway in text prints the protocols it speaks, its description URL, SSDP address and NAT-PMP/PCP port", async () => {
  const child = startPorthole(["gateway"]);
  const done = finished(child);
  let text = "";
  await new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer | string) => {
      text += String(chunk);
      if (text.includes("Ctrl-C")) resolve();
    });
  });
  child.kill("SIGINT");
  const result = await done;
  assert.equal(result.code, 0);
  assert.match(result.stdout, /description URL\s+http:\/\/127\.0\.0\.1:\d+\/rootDesc\.xml/);
  assert.match(result.stdout, /SSDP \(unicast\)\s+127\.0\.0\.1:\d+/);
  assert.match(result.stdout, /virtual gateway \(InternetGatewayDevice:2, NAT-PMP, PCP\) is running/);
  assert.match(result.stdout, /NAT-PMP and PCP\s+127\.0\.0\.1:\d+ \(UDP\)/);
});

test("gateway refuses an unknown quirk and bad ports with exit 2", async () => {
  for (const args of [["--quirk", "netgear-bug"], ["--igd", "3"], ["--http-port", "65536"], ["--address", "localhost"]]) {
    const result = await porthole(["gateway", ...args]);
    assert.equal(result.code, 2, args.join(" "));
  }
});
