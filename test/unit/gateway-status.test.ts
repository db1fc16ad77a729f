import assert from "node:assert/strict";
import { test } from "node:test";
import { IGDStatus, UPNP, UPNPDevice, UPNPResult } from "../../src/index.js";
import { isUsableAddressScope } from "../../src/net/address-scope.js";
import { isUsableRank, probeConnection } from "../../src/upnp/gateway/connection-status.js";
import { parseUptime } from "../../src/upnp/igd/uptime.js";
import { faultReply, startControlServer, type ActionHandler } from "../fixtures/soap/control-server.js";
import { addressReply, statusReply } from "./support/scripted-router.js";
import { searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";

const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:1";

/** Probes a router that answers GetStatusInfo and GetExternalIPAddress as given (undefined: a 501 fault). */
async function statusOf(t: Parameters<typeof virtualGateway>[0], status: string | undefined, address: string | undefined, uptime?: string) {
  const failing: ActionHandler = () => faultReply(501, "Action Failed");
  const server = await startControlServer({
    GetStatusInfo: status === undefined ? failing : () => statusReply(status, uptime),
    GetExternalIPAddress: address === undefined ? failing : () => addressReply(address),
  });
  t.after(() => server.close());
  return probeConnection({ controlUrl: server.controlUrl, serviceType });
}

test("rank 1: connected with a public address", async (t) => {
  const status = await statusOf(t, "Connected", "123.123.123.123");
  assert.equal(status.rank, 1);
  assert.equal(status.connected, true);
  assert.equal(status.doubleNat, false);
  assert.equal(status.externalAddressScope, "public");
  assert.deepEqual(status.problems, []);
});

test("rank 2, double NAT: a private, CGNAT or reserved address, or none given (miniupnpd blanks a reserved WAN address)", async (t) => {
  for (const address of ["10.9.8.7", "100.64.0.1", "192.0.2.1", ""]) {
    const status = await statusOf(t, "Connected", address);
    assert.equal(status.rank, 2, JSON.stringify(address));
    assert.equal(status.doubleNat, true, JSON.stringify(address));
    assert.equal(status.connected, true);
  }
  assert.equal((await statusOf(t, "Connected", "")).externalAddress, undefined);
});

test("rank 3: connected, but the external address is no WAN address at all (issue 9)", async (t) => {
  for (const [address, scope] of [
    ["not-an-ip-addr", "invalid"],
    ["0.0.0.0", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["169.254.1.1", "link-local"],
    ["::", "unspecified"],
  ] as const) {
    const status = await statusOf(t, "Connected", address);
    assert.equal(status.rank, 3, address);
    assert.equal(status.externalAddressScope, scope, address);
    assert.equal(status.doubleNat, false, address);
    assert.equal(status.connected, true, address);
  }
  assert.equal(isUsableRank(2), true);
  assert.equal(isUsableRank(3), false);
  assert.equal(isUsableAddressScope("cgnat"), true);
  assert.equal(isUsableAddressScope("unspecified"), false);
});

test("rank 4: only Connected is connected; Connecting and PendingDisconnect are not", async (t) => {
  for (const connectionStatus of ["Connecting", "PendingDisconnect", "Disconnected", "connected", ""]) {
    const status = await statusOf(t, connectionStatus, "123.123.123.123");
    assert.equal(status.rank, 4, connectionStatus);
    assert.equal(status.connected, false, connectionStatus);
    assert.equal(status.connectionStatus, connectionStatus);
  }
});

test("without GetStatusInfo the external address decides: usable is connected, 0.0.0.0 is not", async (t) => {
  const publicAddress = await statusOf(t, undefined, "123.123.123.123");
  assert.equal(publicAddress.rank, 1);
  assert.equal(publicAddress.connectionStatus, undefined);
  assert.equal(publicAddress.problems.length, 1);
  assert.equal((await statusOf(t, undefined, "10.0.0.1")).rank, 2);
  for (const address of ["0.0.0.0", "127.0.0.1", "not-an-ip-addr", ""]) {
    const status = await statusOf(t, undefined, address);
    assert.equal(status.connected, false, address);
    assert.equal(status.rank, 4, address);
  }
});

test("rank 5: neither question answered", async (t) => {
  const status = await statusOf(t, undefined, undefined);
  assert.equal(status.rank, 5);
  assert.equal(status.problems.length, 2);
  // One answer is enough to leave rank 5.
  assert.equal((await statusOf(t, "Disconnected", undefined)).rank, 4);
});

test("a textual NewUptime keeps the gateway Connected and is read (issue 9)", async (t) => {
  const status = await statusOf(t, "Connected", "123.123.123.123", "0 Days, 01:00:00");
  assert.equal(status.rank, 1);
  assert.equal(status.connected, true);
  assert.equal(status.uptimeSeconds, 3600);
  assert.deepEqual(status.problems, []);
  const unreadable = await statusOf(t, "Connected", "123.123.123.123", "since Tuesday");
  assert.equal(unreadable.rank, 1);
  assert.equal(unreadable.uptimeSeconds, undefined);
});

test("parseUptime: seconds up to the ui4 limit, day-clock and unit forms, nothing else", () => {
  assert.equal(parseUptime(" 42 "), 42);
  assert.equal(parseUptime("0"), 0);
  assert.equal(parseUptime("4294967295"), 4294967295);
  assert.equal(parseUptime("4294967296"), undefined);
  assert.equal(parseUptime("0 Days, 01:00:00"), 3600);
  assert.equal(parseUptime("2 days, 00:00:01"), 172801);
  assert.equal(parseUptime("1 day 00:01:00"), 86460);
  assert.equal(parseUptime("12:34:56"), 45296);
  assert.equal(parseUptime("3d 4h 5m 6s"), 3 * 86400 + 4 * 3600 + 5 * 60 + 6);
  assert.equal(parseUptime("5m"), 300);
  for (const text of ["", "   ", "-1", "1.5", "12:34", "soon", "99999999999"]) assert.equal(parseUptime(text), undefined, JSON.stringify(text));
});

test("Redot API: a gateway whose external address is no address is not a valid gateway; double NAT with none given is", async (t) => {
  for (const address of ["not-an-ip-addr", "0.0.0.0", "127.0.0.1"]) {
    const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
    vg.setExternalAddress(address);
    const upnp = new UPNP();
    upnp.discoverOptions = searchOnly(vg);
    await upnp.discover(500);
    const device = upnp.getDevice(0);
    assert.ok(device);
    assert.notEqual(device.igdStatus, IGDStatus.OK, address);
    assert.equal(device.isValidGateway(), false, address);
    assert.equal(upnp.getGateway(), null, address);
  }
  const blank = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  blank.setExternalAddress("");
  const upnp = new UPNP();
  upnp.discoverOptions = searchOnly(blank);
  await upnp.discover(500);
  assert.equal(upnp.getDevice(0)?.igdStatus, IGDStatus.OK);
});

test("Redot API: a hand-added valid device ranks as connected and public, ahead of a double-NAT one found", async (t) => {
  const doubleNat = await virtualGateway(t, { externalAddress: "10.0.0.2" });
  const upnp = new UPNP();
  upnp.discoverOptions = searchOnly(doubleNat);
  await upnp.discover(500);
  const found = upnp.getGateway();
  assert.equal(found?.descriptionUrl, doubleNat.descriptionUrl);
  const byHand = new UPNPDevice();
  byHand.igdControlUrl = "http://127.0.0.1:9/ctl";
  byHand.igdServiceType = serviceType;
  byHand.igdStatus = IGDStatus.OK;
  upnp.addDevice(byHand);
  assert.equal(upnp.getGateway(), byHand);

  // Against a public gateway found first, the hand-added one is an equal and the first stays.
  const publicGateway = await virtualGateway(t, { externalAddress: "11.0.0.3" });
  const second = new UPNP();
  second.discoverOptions = searchOnly(publicGateway);
  await second.discover(500);
  second.addDevice(byHand);
  assert.equal(second.getGateway()?.descriptionUrl, publicGateway.descriptionUrl);
});

test("Redot API: deletePortMapping on a device without a control URL is INVALID_GATEWAY, without traffic", async () => {
  const device = new UPNPDevice();
  device.igdStatus = IGDStatus.OK;
  assert.equal(await device.deletePortMapping(80, "TCP"), UPNPResult.INVALID_GATEWAY);
  device.igdControlUrl = "http://127.0.0.1:9/ctl";
  assert.notEqual(await device.deletePortMapping(80, "TCP"), UPNPResult.INVALID_GATEWAY);
});
