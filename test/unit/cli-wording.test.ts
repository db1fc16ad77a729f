// What the CLI says, and that text and JSON say the same thing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { defaultRouteWords, grantedLease } from "../../src/cli/wording.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { porthole, portholeJson } from "./cli-runner.js";

test("discover's doubleNat in --json is true exactly when text mode warns of double NAT", async (t) => {
  const cases: ReadonlyArray<readonly [string, "Connected" | "Disconnected"]> = [
    ["10.0.0.2", "Disconnected"],
    ["10.0.0.2", "Connected"],
    ["100.64.0.2", "Connected"],
    ["203.0.113.7", "Connected"],
    ["", "Connected"],
    ["0.0.0.0", "Connected"],
    ["11.22.33.44", "Connected"],
  ];
  for (const [address, status] of cases) {
    const gateway = await virtualGateway(t, { externalAddress: address, connectionStatus: status });
    const via = ["--gateway", gateway.descriptionUrl];
    const { json } = await portholeJson(["discover", ...via]);
    const text = await porthole(["discover", ...via]);
    assert.equal(json.gateways[0].doubleNat, /double NAT/.test(text.stdout), `${address} ${status}: ${text.stdout}`);
  }
});

test("the CGNAT note has one colon where a sentence turns, not two", async (t) => {
  const gateway = await virtualGateway(t, { profiles: ["cgnat"] });
  const text = await porthole(["discover", "--gateway", gateway.descriptionUrl]);
  assert.match(text.stdout, /is a carrier-grade NAT address \(100\.64\.0\.0\/10, your provider shares one public address\): another NAT sits/);
  assert.doesNotMatch(text.stdout, /public address:/);
});

test("lease notes read as English: \"a permanent lease\", never \"a lease of permanent\"", async (t) => {
  const permanentOnly = await virtualGateway(t, { igdVersion: 1, profiles: ["permanent-only"] });
  const granted = await porthole(["map", "8080", "--gateway", permanentOnly.descriptionUrl]);
  assert.match(granted.stderr, /note: asked for a lease of 1h, the gateway granted a permanent lease/);
  const finiteOnly = await virtualGateway(t, { profiles: ["finite-only"] });
  const week = await porthole(["map", "8080", "--lease", "0", "--gateway", finiteOnly.descriptionUrl]);
  assert.match(week.stderr, /note: asked for a permanent lease, the gateway granted a lease of 7d/);
  assert.doesNotMatch(`${granted.stderr}${week.stderr}`, /lease of permanent/);
});

test("a lease read back a few seconds short is the lease asked: no note from a slow gateway", async (t) => {
  const slow = await virtualGateway(t, { profiles: ["slow"] });
  const text = await porthole(["map", "8080", "--gateway", slow.descriptionUrl]);
  assert.equal(text.code, 0, text.stderr);
  assert.doesNotMatch(text.stderr, /granted/);
  assert.match(text.stdout, /lease 1h /);
  const { json } = await portholeJson(["map", "8080", "--gateway", slow.descriptionUrl]);
  assert.equal(json.mappings[0].lease, 3600);
});

test("grantedLease absorbs up to 5 s of read-back, and no more", () => {
  assert.equal(grantedLease(3600, 3599), 3600);
  assert.equal(grantedLease(3600, 3595), 3600);
  assert.equal(grantedLease(3600, 3594), 3594);
  assert.equal(grantedLease(3600, 3600), 3600);
  assert.equal(grantedLease(3600, 0), 0);
  assert.equal(grantedLease(0, 604800), 604800);
  assert.equal(grantedLease(3, 0), 0);
});

test("-V --json prints { version }", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  const { code, json } = await portholeJson(["-V"]);
  assert.equal(code, 0);
  assert.deepEqual(json, { version: manifest.version });
});

test("gateway --address 0.0.0.0 or :: is refused (exit 2): the URLs it advertises would lead nowhere", async () => {
  for (const address of ["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]) {
    const result = await porthole(["gateway", "--address", address]);
    assert.equal(result.code, 2, address);
    assert.match(result.stderr, /--address must be an address clients can connect to/, address);
  }
});

test("doctor's default route line says when the route has no gateway, not 'via undefined'", () => {
  assert.equal(defaultRouteWords({ interfaceName: "eth0", gateway: "192.168.1.1" }), "via 192.168.1.1 on eth0");
  assert.equal(defaultRouteWords({ interfaceName: "ppp0", gateway: undefined }), "on ppp0, no gateway");
  assert.equal(defaultRouteWords(undefined), "none");
});
