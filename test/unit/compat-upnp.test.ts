import assert from "node:assert/strict";
import { test } from "node:test";
import { IGDStatus, UPNP, UPNPDevice, UPNPResult } from "../../src/index.js";
import { fakeDevice, searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";
import { readFile } from "node:fs/promises";
import type { VirtualGateway } from "../../src/index.js";

function upnpFor(...gateways: VirtualGateway[]): UPNP {
  const upnp = new UPNP();
  const { unicastTargets, multicast } = searchOnly(...gateways);
  upnp.discoverOptions = { unicastTargets, multicast };
  return upnp;
}

test("the engine's enums keep their names and values", () => {
  assert.equal(UPNPResult.SUCCESS, 0);
  assert.equal(UPNPResult.CONFLICT_WITH_OTHER_MAPPING, 13);
  assert.equal(UPNPResult.NO_DEVICES, 27);
  assert.equal(UPNPResult.UNKNOWN_ERROR, 28);
  assert.equal(IGDStatus.OK, 0);
  assert.equal(IGDStatus.INVALID_CONTROL, 7);
  assert.equal(IGDStatus.UNKNOWN_ERROR, 9);
  assert.equal(Object.keys(UPNPResult).filter((k) => Number.isNaN(Number(k))).length, 29);
});

test("defaults are the engine's", () => {
  const upnp = new UPNP();
  assert.equal(upnp.discoverIPv6, false);
  assert.equal(upnp.discoverLocalPort, 0);
  assert.equal(upnp.discoverMulticastIf, "");
  const device = new UPNPDevice();
  assert.equal(device.igdStatus, IGDStatus.UNKNOWN_ERROR);
  assert.equal(device.isValidGateway(), false);
  assert.equal(device.descriptionUrl + device.serviceType + device.igdControlUrl + device.igdServiceType + device.igdOurAddr, "");
});

test("discover, then map, query and unmap on the gateway", async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const upnp = upnpFor(vg);
  assert.equal(await upnp.discover(500), UPNPResult.SUCCESS);
  assert.equal(upnp.getDeviceCount(), 1);
  const device = upnp.getGateway();
  assert.ok(device);
  assert.equal(device.descriptionUrl, vg.descriptionUrl);
  assert.equal(device.serviceType, "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
  assert.equal(device.igdServiceType, "urn:schemas-upnp-org:service:WANIPConnection:2");
  assert.match(device.igdControlUrl, /^http:\/\/127\.0\.0\.1:\d+\/ctl\/IPConn$/);
  assert.equal(device.igdOurAddr, "127.0.0.1");
  assert.equal(device.igdStatus, IGDStatus.OK);
  assert.equal(await upnp.queryExternalAddress(), "11.0.0.1");

  assert.equal(await upnp.addPortMapping(7777), UPNPResult.SUCCESS);
  assert.deepEqual(
    vg.mappings.map((m) => [m.protocol, m.externalPort, m.internalPort, m.internalClient, m.description]),
    [["UDP", 7777, 7777, "127.0.0.1", "porthole"]],
  );
  const add = vg.requests.find((r) => r.action === "AddPortMapping")!;
  assert.deepEqual(add.arguments.map(([name]) => name), [
    "NewRemoteHost", "NewExternalPort", "NewProtocol", "NewInternalPort", "NewInternalClient", "NewEnabled", "NewPortMappingDescription", "NewLeaseDuration",
  ]);
  assert.equal(await upnp.addPortMapping(8000, 8001, "tcp game", "TCP", 3600), UPNPResult.SUCCESS);
  assert.equal(vg.mappings.find((m) => m.externalPort === 8000)?.internalPort, 8001);
  assert.equal(await upnp.deletePortMapping(7777), UPNPResult.SUCCESS);
  assert.equal(await upnp.deletePortMapping(7777), UPNPResult.NO_SUCH_ENTRY_IN_ARRAY);
  assert.equal(vg.mappings.length, 1);
});

test("router faults become the engine's result codes", async (t) => {
  const vg = await virtualGateway(t, { igdVersion: 1, quirks: { onlyPermanentLeases: true, secureMode: true } });
  const upnp = upnpFor(vg);
  assert.equal(await upnp.discover(500), UPNPResult.SUCCESS);
  assert.equal(await upnp.addPortMapping(9000, 0, "", "UDP", 3600), UPNPResult.ONLY_PERMANENT_LEASE_SUPPORTED);
  assert.equal(await upnp.addPortMapping(9000, 0, "", "UDP", 0), UPNPResult.SUCCESS);
  const other = new UPNPDevice();
  Object.assign(other, { igdControlUrl: upnp.getGateway()!.igdControlUrl, igdServiceType: upnp.getGateway()!.igdServiceType, igdOurAddr: "127.0.0.9", igdStatus: IGDStatus.OK });
  assert.equal(await other.addPortMapping(9001, 0, "", "UDP", 0), UPNPResult.NOT_AUTHORIZED, "606 in secure mode");
});

test("a port held by another host gives CONFLICT_WITH_OTHER_MAPPING", async (t) => {
  const vg = await virtualGateway(t);
  const upnp = upnpFor(vg);
  await upnp.discover(500);
  const other = new UPNPDevice();
  Object.assign(other, { igdControlUrl: upnp.getGateway()!.igdControlUrl, igdServiceType: upnp.getGateway()!.igdServiceType, igdOurAddr: "127.0.0.9", igdStatus: IGDStatus.OK });
  assert.equal(await other.addPortMapping(9100), UPNPResult.SUCCESS);
  assert.equal(await upnp.addPortMapping(9100), UPNPResult.CONFLICT_WITH_OTHER_MAPPING);
});

test("arguments are validated in the engine's order, before any traffic", async (t) => {
  const vg = await virtualGateway(t);
  const upnp = upnpFor(vg);
  await upnp.discover(500);
  const device = upnp.getGateway()!;
  const before = vg.requests.length;
  assert.equal(await new UPNPDevice().addPortMapping(0, -1, "", "x", -1), UPNPResult.INVALID_GATEWAY);
  assert.equal(await device.addPortMapping(0, -1, "", "x", -1), UPNPResult.INVALID_PORT);
  assert.equal(await device.addPortMapping(65536), UPNPResult.INVALID_PORT);
  assert.equal(await device.addPortMapping(1.5), UPNPResult.INVALID_PORT);
  assert.equal(await device.addPortMapping(80, -1, "", "x", -1), UPNPResult.INVALID_PORT);
  assert.equal(await device.addPortMapping(80, 65536), UPNPResult.INVALID_PORT);
  assert.equal(await device.addPortMapping(80, 0, "", "udp", -1), UPNPResult.INVALID_PROTOCOL, "the engine wants exact case");
  assert.equal(await device.addPortMapping(80, 0, "", "UDP", -1), UPNPResult.INVALID_DURATION);
  assert.equal(await device.deletePortMapping(0), UPNPResult.INVALID_PORT);
  assert.equal(await device.deletePortMapping(80, "SCTP"), UPNPResult.INVALID_PROTOCOL);
  assert.equal(vg.requests.length, before);
});

test("discover: bad parameters, no reply, nothing matching the filter, no gateway", async (t) => {
  const upnp = new UPNP();
  assert.equal(await upnp.discover(-1), UPNPResult.INVALID_PARAM);
  assert.equal(await upnp.discover(2000, 256), UPNPResult.INVALID_PARAM);
  assert.equal(await upnp.discover(2000, -1), UPNPResult.INVALID_PARAM);

  const silent = new UPNP();
  silent.discoverOptions = { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: 9 }] };
  assert.equal(await silent.discover(200), UPNPResult.NO_DEVICES);
  assert.equal(silent.getGateway(), null);
  assert.equal(await silent.addPortMapping(7777), UPNPResult.NO_GATEWAY);
  assert.equal(await silent.deletePortMapping(7777), UPNPResult.NO_GATEWAY);
  assert.equal(await silent.queryExternalAddress(), "");

  const vg = await virtualGateway(t);
  const filtered = upnpFor(vg);
  assert.equal(await filtered.discover(300, 2, "MediaRenderer"), UPNPResult.NO_DEVICES, "engine flaw 3: it said SUCCESS");

  const renderer = await fakeDevice(t, await readFile(new URL("../../../test/fixtures/descriptions/media-renderer.xml", import.meta.url), "utf8"));
  const notGateway = new UPNP();
  notGateway.discoverOptions = { multicast: false, unicastTargets: renderer.unicastTargets! };
  assert.equal(await notGateway.discover(300), UPNPResult.SUCCESS);
  assert.equal(notGateway.getDevice(0)?.igdStatus, IGDStatus.NO_IGD);
  assert.equal(notGateway.getGateway(), null);
  assert.equal(await notGateway.addPortMapping(7777), UPNPResult.NO_GATEWAY);
});

test("each device gets its own status and control URL (engine flaw 1); the best valid one is the gateway", async (t) => {
  const disconnected = await virtualGateway(t, { connectionStatus: "Disconnected" });
  const doubleNat = await virtualGateway(t, { externalAddress: "10.0.0.2" });
  const good = await virtualGateway(t, { externalAddress: "11.0.0.2" });
  const upnp = upnpFor(disconnected, doubleNat, good);
  assert.equal(await upnp.discover(500), UPNPResult.SUCCESS);
  assert.equal(upnp.getDeviceCount(), 3);
  const byUrl = new Map([0, 1, 2].map((i) => [upnp.getDevice(i)!.descriptionUrl, upnp.getDevice(i)!]));
  assert.equal(byUrl.get(disconnected.descriptionUrl)?.igdStatus, IGDStatus.DISCONNECTED);
  assert.equal(byUrl.get(doubleNat.descriptionUrl)?.igdStatus, IGDStatus.OK);
  assert.equal(byUrl.get(good.descriptionUrl)?.igdStatus, IGDStatus.OK);
  assert.ok(byUrl.get(good.descriptionUrl)!.igdControlUrl.includes(`:${good.httpPort}/`));
  assert.equal(upnp.getGateway()?.descriptionUrl, good.descriptionUrl);
});

test("device list operations behave like the engine's, bad indexes included", async () => {
  const upnp = new UPNP();
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? "");
  process.on("warning", onWarning);
  try {
    const a = new UPNPDevice();
    const b = new UPNPDevice();
    upnp.addDevice(a);
    upnp.addDevice(b);
    assert.equal(upnp.getDeviceCount(), 2);
    assert.equal(upnp.getDevice(1), b);
    upnp.setDevice(0, b);
    assert.equal(upnp.getDevice(0), b);
    upnp.removeDevice(0);
    assert.equal(upnp.getDeviceCount(), 1);
    assert.equal(upnp.getDevice(5), null);
    upnp.setDevice(7, a);
    upnp.removeDevice(-1);
    assert.equal(upnp.getDeviceCount(), 1);
    upnp.clearDevices();
    assert.equal(upnp.getDeviceCount(), 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, ["PORTHOLE_BAD_INDEX", "PORTHOLE_BAD_INDEX", "PORTHOLE_BAD_INDEX"]);
  } finally {
    process.off("warning", onWarning);
  }
});

test("a gateway built by hand and added works; igdStatus = OK overrides a disconnected claim", async (t) => {
  const vg = await virtualGateway(t, { connectionStatus: "Disconnected", externalAddress: "11.0.0.4" });
  const device = new UPNPDevice();
  device.igdControlUrl = `http://127.0.0.1:${vg.httpPort}/ctl/IPConn`;
  device.igdServiceType = "urn:schemas-upnp-org:service:WANIPConnection:2";
  device.igdOurAddr = "127.0.0.1";
  const upnp = new UPNP();
  upnp.addDevice(device);
  assert.equal(upnp.getGateway(), null);
  device.igdStatus = IGDStatus.OK;
  assert.equal(upnp.getGateway(), device);
  assert.equal(await upnp.queryExternalAddress(), "11.0.0.4");
  assert.equal(await upnp.addPortMapping(4444, 0, "by hand", "TCP"), UPNPResult.SUCCESS);
  assert.equal(vg.mappings[0]?.description, "by hand");
  device.igdControlUrl = "http://127.0.0.1:9/nothing";
  assert.equal(await device.queryExternalAddress(), "");
  assert.equal(await upnp.addPortMapping(4445), UPNPResult.HTTP_ERROR);
});
