import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { discoverDevices, findGateway, findGateways, gatewayFromUrl, NoGatewayError, UPNPResult } from "../../src/index.js";
import { readFile } from "node:fs/promises";
import { fakeDevice, searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";
import type { VirtualGateway } from "../../src/index.js";

test("findGateway returns a connected gateway with a public address at once, with our address toward it", { timeout: 20_000 }, async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.22.33.44" });
  // A minute of listening and of grace: only returning at once can end this within the test's time.
  const gateway = await findGateway({ ...searchOnly(vg), listenMs: 60_000, graceMs: 60_000 });
  assert.equal(gateway.descriptionUrl, vg.descriptionUrl);
  assert.equal(gateway.serviceType, "urn:schemas-upnp-org:service:WANIPConnection:2");
  assert.equal(gateway.serviceVersion, 2);
  assert.equal(gateway.localAddress, "127.0.0.1");
  assert.equal(gateway.status?.rank, 1);
  assert.equal(gateway.status?.externalAddress, "11.22.33.44");
  assert.equal(gateway.status?.doubleNat, false);
});

test("ranking prefers connected + public over double NAT over disconnected (miniupnpc order)", async (t) => {
  const disconnected = await virtualGateway(t, { externalAddress: "11.0.0.1", connectionStatus: "Disconnected" });
  const doubleNat = await virtualGateway(t, { externalAddress: "100.64.1.2" });
  const best = await virtualGateway(t, { externalAddress: "11.0.0.3" });
  const found = await findGateway(searchOnly(disconnected, doubleNat, best));
  assert.equal(found.descriptionUrl, best.descriptionUrl);

  const withoutBest = await findGateway(searchOnly(disconnected, doubleNat));
  assert.equal(withoutBest.descriptionUrl, doubleNat.descriptionUrl);
  assert.equal(withoutBest.status?.rank, 2);
  assert.equal(withoutBest.status?.doubleNat, true);
  assert.equal(withoutBest.status?.externalAddressScope, "cgnat");

  const onlyDisconnected = await findGateway(searchOnly(disconnected));
  assert.equal(onlyDisconnected.status?.rank, 4);
  assert.equal(onlyDisconnected.status?.connected, false);
});

test("findGateways yields every gateway, each with its own status and control URL", async (t) => {
  const a = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const b = await virtualGateway(t, { externalAddress: "192.168.1.1", igdVersion: 1 });
  const seen = new Map<string, { controlUrl: string; address: string | undefined }>();
  for await (const gateway of findGateways(searchOnly(a, b))) {
    seen.set(gateway.descriptionUrl!, { controlUrl: gateway.controlUrl, address: gateway.status?.externalAddress });
  }
  assert.equal(seen.size, 2);
  assert.equal(seen.get(a.descriptionUrl)?.address, "11.0.0.1");
  assert.equal(seen.get(b.descriptionUrl)?.address, "192.168.1.1");
  assert.notEqual(seen.get(a.descriptionUrl)?.controlUrl, seen.get(b.descriptionUrl)?.controlUrl);
});

test("breaking out of findGateways stops the search and releases everything", async (t) => {
  const vg = await virtualGateway(t);
  const udpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
  const found: string[] = [];
  let duringSearch = 0;
  for await (const gateway of findGateways({ ...searchOnly(vg), listenMs: 30_000 })) {
    found.push(gateway.descriptionUrl!);
    duringSearch = udpSockets();
    break;
  }
  assert.deepEqual(found, [vg.descriptionUrl]);
  // Close callbacks run before the next timers phase.
  await new Promise((resolve) => setTimeout(resolve, 0));
  // The search socket is closed at once, not when the 30 s listening time would have ended.
  assert.equal(udpSockets(), duringSearch - 1);
});

test("nothing answering gives NoGatewayError NO_DEVICES", async () => {
  await assert.rejects(
    findGateway({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: 9 }], listenMs: 300 }),
    (error: unknown) => error instanceof NoGatewayError && resultOf(error) === UPNPResult.NO_DEVICES,
  );
});

test("a device that is not a gateway gives NoGatewayError NO_GATEWAY naming it and why", async (t) => {
  const renderer = await fakeDevice(t, await readFile(new URL("../../../test/fixtures/descriptions/media-renderer.xml", import.meta.url), "utf8"));
  await assert.rejects(findGateway({ ...renderer, listenMs: 500 }), (error: unknown) => {
    assert.ok(error instanceof NoGatewayError);
    assert.equal(resultOf(error), UPNPResult.NO_GATEWAY);
    assert.match(error.message, /not-a-gateway/);
    return true;
  });
});

test("a gateway that fails GetStatusInfo and reports no external address is returned as not connected (rank 4)", async (t) => {
  const vg = await virtualGateway(t, { quirks: { getStatusInfoFails: true } });
  vg.setExternalAddress("");
  const gateway = await findGateway({ ...searchOnly(vg), listenMs: 300 });
  assert.equal(gateway.status?.rank, 4);
  assert.equal(gateway.status?.connected, false);
});

test("a failed GetStatusInfo is not fatal: the external address decides (godot#70458)", async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.9", quirks: { getStatusInfoFails: true } });
  const gateway = await findGateway(searchOnly(vg));
  assert.equal(gateway.status?.rank, 1);
  assert.equal(gateway.status?.connectionStatus, undefined);
  assert.equal(gateway.status?.problems[0]?.upnpCode, 501);
});

test("abort rejects findGateway with the caller's reason", async (t) => {
  const reason = new Error("user gave up");
  const controller = new AbortController();
  // Aborted once the search reached the gateway; its description reply is held back a minute.
  const vg = await virtualGateway(t, { quirks: { responseDelayMs: 60_000 }, onActivity: (activity) => activity.type === "search" && controller.abort(reason) });
  await assert.rejects(findGateway({ ...searchOnly(vg), signal: controller.signal }), (e) => e === reason);
});

test("gatewayFromUrl revalidates a remembered gateway without discovery", async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.5" });
  const gateway = await gatewayFromUrl(vg.descriptionUrl);
  assert.equal(gateway.status?.externalAddress, "11.0.0.5");
  assert.equal(vg.ssdpSearches, 0);
  await assert.rejects(gatewayFromUrl(vg.descriptionUrl.replace("rootDesc.xml", "missing.xml")), NoGatewayError);
});

test("maxDevices: exactly that many devices are probed, one more device is not", async (t) => {
  const gateways: VirtualGateway[] = [];
  for (const address of ["11.0.0.1", "11.0.0.2", "11.0.0.3"]) gateways.push(await virtualGateway(t, { externalAddress: address, connectionStatus: "Disconnected" }));
  const probed = async (maxDevices: number, count: number): Promise<number> => {
    let devices = 0;
    for await (const device of discoverDevices({ ...searchOnly(...gateways.slice(0, count)), listenMs: 500, maxDevices })) devices += device.probe.verdict === "disconnected" ? 1 : 0;
    return devices;
  };
  assert.equal(await probed(2, 2), 2);
  assert.equal(await probed(2, 3), 2);
  assert.equal(await probed(3, 3), 3);
});

test("a probe budget of 2^31-1 ms (no limit) without timeoutMs still finds the gateway: the search's own budget is capped, not overflowed to nothing", async (t) => {
  const vg = await virtualGateway(t);
  const gateway = await findGateway({ ...searchOnly(vg), probeTimeoutMs: 2 ** 31 - 1 });
  assert.equal(gateway.descriptionUrl, vg.descriptionUrl);
});
