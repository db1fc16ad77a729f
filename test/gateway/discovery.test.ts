// Discovery of a real miniupnpd by SSDP multicast from the LAN host, through both APIs, over IPv4
// and IPv6: the gateway is found, valid, reports the configured external address and maps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultExternalAddress, rigFromEnvironment, startMiniupnpd } from "./rig.js";
import { discoverWithCompat } from "./compat-discovery.js";
import { assertForwarded, listenOnLan } from "./forwarding-checks.js";
import { IGDStatus, UPNPResult, findGateway, findGateways, gatewayFromUrl, type WanConnection } from "../../src/index.js";

const rig = rigFromEnvironment();
const ipv4DescriptionUrl = `http://${rig.gateway.lanIpv4}:5000/rootDesc.xml`;
const ipv6DescriptionUrl = `http://[${rig.gateway.lanIpv6}]:5000/rootDesc.xml`;

test("compat: discover() finds the gateway over IPv4, valid, with our LAN address and its external address", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  const { upnp, gateway } = await discoverWithCompat(rig);
  // miniupnpd answers every IGD search target from one description: one device.
  assert.equal(upnp.getDeviceCount(), 1);
  assert.equal(gateway.descriptionUrl, ipv4DescriptionUrl);
  assert.equal(IGDStatus[gateway.igdStatus], "OK");
  assert.equal(gateway.isValidGateway(), true);
  assert.equal(gateway.igdOurAddr, rig.lan.ipv4);
  assert.equal(gateway.igdControlUrl, `http://${rig.gateway.lanIpv4}:5000/ctl/IPConn`);
  assert.equal(gateway.igdServiceType, "urn:schemas-upnp-org:service:WANIPConnection:2");
  assert.equal(await upnp.queryExternalAddress(), defaultExternalAddress);
  assert.equal(await gateway.queryExternalAddress(), defaultExternalAddress);
});

test("compat: a device filter that matches nothing the gateway announces finds nothing", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { upnp } = await discoverWithCompat(rig);

  const result = await upnp.discover(500, 2, "NoSuchDeviceType");
  assert.equal(UPNPResult[result], "NO_DEVICES");
  assert.equal(upnp.getDeviceCount(), 0);
  assert.equal(upnp.getGateway(), null);
});

function assertHealthyGateway(gateway: WanConnection, controlHost: string, localAddress: string): void {
  assert.equal(gateway.controlUrl, `http://${controlHost}:5000/ctl/IPConn`);
  assert.equal(gateway.serviceType, "urn:schemas-upnp-org:service:WANIPConnection:2");
  assert.equal(gateway.serviceVersion, 2);
  assert.equal(gateway.localAddress, localAddress);
  // miniupnpd counts its uptime from its own start: some whole number of seconds.
  const { uptimeSeconds, ...status } = gateway.status!;
  assert.ok(Number.isInteger(uptimeSeconds), `uptime ${uptimeSeconds}`);
  assert.deepEqual(status, {
    rank: 1,
    connected: true,
    connectionStatus: "Connected",
    externalAddress: defaultExternalAddress,
    externalAddressScope: "public",
    doubleNat: false,
    problems: [],
  });
}

test("idiomatic: findGateway() finds the gateway over IPv4, connected, with a public external address", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  // Here the interface is named by its address, the other form `multicastInterface` takes.
  const gateway = await findGateway({ multicastInterface: rig.lan.ipv4, listenMs: 2_000 });
  assertHealthyGateway(gateway, rig.gateway.lanIpv4, rig.lan.ipv4);
  assert.equal(gateway.descriptionUrl, ipv4DescriptionUrl);
  assert.equal(await gateway.getExternalAddress(), defaultExternalAddress);
});

test("idiomatic: findGateways() yields the one gateway once, and gatewayFromUrl() reaches it directly", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  const found: WanConnection[] = [];
  for await (const gateway of findGateways({ multicastInterface: rig.lan.ifname, listenMs: 500 })) found.push(gateway);
  assert.deepEqual(found.map((gateway) => gateway.controlUrl), [`http://${rig.gateway.lanIpv4}:5000/ctl/IPConn`]);

  const direct = await gatewayFromUrl(daemon.descriptionUrl);
  assertHealthyGateway(direct, rig.gateway.lanIpv4, rig.lan.ipv4);
});

test("IPv6: both APIs find the gateway by SSDP over IPv6, reach it at its IPv6 address and map through it", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  const { gateway: device } = await discoverWithCompat(rig, true);
  assert.equal(device.descriptionUrl, ipv6DescriptionUrl);
  assert.equal(IGDStatus[device.igdStatus], "OK");
  assert.equal(device.igdControlUrl, `http://[${rig.gateway.lanIpv6}]:5000/ctl/IPConn`);
  assert.equal(device.igdOurAddr, rig.lan.ipv6);
  assert.equal(await device.queryExternalAddress(), defaultExternalAddress);

  const gateway = await findGateway({ ipv6: true, multicastInterface: rig.lan.ifname, listenMs: 2_000 });
  assertHealthyGateway(gateway, `[${rig.gateway.lanIpv6}]`, rig.lan.ipv6);

  // Control over IPv6 works: told our IPv4 address, the gateway maps and forwards.
  const listener = await listenOnLan(rig, "UDP", 7500);
  t.after(() => listener.close());
  await gateway.addPortMapping({ internalPort: 7500, protocol: "UDP", internalClient: rig.lan.ipv4, leaseSeconds: 60 });
  await assertForwarded(rig, listener, "UDP", 7500);
});

test(
  "IPv6: a gateway found over IPv6 maps a port for the LAN host",
  async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const { gateway: device } = await discoverWithCompat(rig, true);
    assert.equal(UPNPResult[await device.addPortMapping(7600, 0, "over IPv6", "UDP", 60)], "SUCCESS");
    const gateway = await findGateway({ ipv6: true, multicastInterface: rig.lan.ifname, listenMs: 2_000 });
    assert.equal((await gateway.addPortMapping({ internalPort: 7601, protocol: "UDP", leaseSeconds: 60 })).internalClient, rig.lan.ipv4);
  },
);
