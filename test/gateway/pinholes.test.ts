// IPv6 pinholes through a real miniupnpd (WANIPv6FirewallControl:1): the gateway's forward chain
// drops unsolicited IPv6 from the WAN side, as a home router does (miniupnpd-config.ts), so a
// datagram or connection from the ISP host to the LAN host's global IPv6 address arrives only
// while a pinhole is open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd, upnpc } from "./rig.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { InvalidArgumentError, NoGatewayError, UpnpActionError, UpnpPinholeMapper, findGateway, findPortMapper, type WanConnection } from "../../src/index.js";

const rig = rigFromEnvironment();

async function pinholeMapper(): Promise<{ gateway: WanConnection; mapper: UpnpPinholeMapper }> {
  const gateway = await findGateway({ ipv6: true, multicastInterface: rig.lan.ifname, listenMs: 2_000 });
  const service = gateway.description?.firewallControlServices[0];
  assert.ok(service, "miniupnpd (IGDv2) lists WANIPv6FirewallControl");
  assert.equal(service.controlUrl, `http://[${rig.gateway.lanIpv6}]:5000/ctl/IP6FCtl`);
  return { gateway, mapper: new UpnpPinholeMapper(service) };
}

for (const protocol of ["UDP", "TCP"] as const) {
  test(`pinhole: ${protocol} from the WAN side to the LAN host's IPv6 address is dropped before, arrives while open, dropped after`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const port = protocol === "UDP" ? 7700 : 7701;
    const listener = await listenOnLan(rig, protocol, port, 6);
    t.after(() => listener.close());
    const { mapper } = await pinholeMapper();
    assert.deepEqual(await mapper.getFirewallStatus(), { firewallEnabled: true, inboundPinholeAllowed: true });

    await assertNotForwarded(rig, listener, protocol, port, 6);
    const pinhole = await mapper.map({ protocol, internalPort: port, leaseSeconds: 300 });
    assert.equal(pinhole.method, "upnp-pinhole");
    // The LAN host's global address, chosen by porthole from the interface toward the gateway.
    assert.equal(pinhole.externalAddress, rig.lan.ipv6);
    assert.equal(pinhole.externalPort, port);
    assert.ok(pinhole.pinholeId !== undefined && pinhole.pinholeId > 0);
    await assertForwarded(rig, listener, protocol, port, 6);

    assert.equal((await mapper.check(pinhole)).state, "present");
    await pinhole.release();
    await assertNotForwarded(rig, listener, protocol, port, 6);
    assert.equal((await mapper.check(pinhole)).state, "missing");
  });
}

test("pinhole: a renewal keeps it open (UpdatePinhole), and unmap by port removes it from another object", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const listener = await listenOnLan(rig, "UDP", 7702, 6);
  t.after(() => listener.close());
  const { mapper } = await pinholeMapper();
  const pinhole = await mapper.map({ protocol: "UDP", internalPort: 7702, leaseSeconds: 120 });
  const renewed = await pinhole.renew();
  assert.equal(renewed.pinholeId, pinhole.pinholeId);
  await assertForwarded(rig, listener, "UDP", 7702, 6);
  // A later process knows only the port: the duplicate AddPinhole names the same pinhole.
  const { mapper: another } = await pinholeMapper();
  await another.unmap({ protocol: "UDP", internalPort: 7702, externalPort: 7702 });
  await assertNotForwarded(rig, listener, "UDP", 7702, 6);
});

test("pinhole: upnpc -6 sees the pinhole porthole opened (-K, -C), and porthole updates and deletes one upnpc opened", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const url = `http://[${rig.gateway.lanIpv6}]:5000/rootDesc.xml`;
  const { mapper } = await pinholeMapper();
  const ours = await mapper.map({ protocol: "TCP", internalPort: 7703, leaseSeconds: 300 });
  const packets = await upnpc(rig, ["-6", "-u", url, "-K", String(ours.pinholeId)]);
  assert.match(packets, new RegExp(`Pinhole ID = ${ours.pinholeId} / PinholePackets = 0`));
  const check = await upnpc(rig, ["-6", "-u", url, "-C", String(ours.pinholeId)]);
  // A fresh pinhole has seen no traffic: miniupnpd answers 709 NoTrafficReceived.
  assert.match(check, /709/);

  const added = await upnpc(rig, ["-6", "-u", url, "-A", "", "0", rig.lan.ipv6, "7704", "UDP", "300"]);
  const theirs = Number(/Pinhole ID = (\d+)/.exec(added)?.[1]);
  assert.ok(theirs > 0, added);
  const listener = await listenOnLan(rig, "UDP", 7704, 6);
  t.after(() => listener.close());
  await assertForwarded(rig, listener, "UDP", 7704, 6);
  await mapper.unmap({ protocol: "UDP", internalPort: 7704, externalPort: 7704 });
  await assertNotForwarded(rig, listener, "UDP", 7704, 6);
});

test("pinhole quirks of miniupnpd 2.3.1: unknown UniqueID is 402 (not 704), GetOutboundPinholeTimeout is 501, another host is 606", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());
  const { mapper } = await pinholeMapper();
  const pinhole = await mapper.map({ protocol: "UDP", internalPort: 7705, leaseSeconds: 60 });
  await pinhole.release();
  await assert.rejects(pinhole.release(), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 402);
  assert.equal((await mapper.check(pinhole)).state, "missing");
  const other = new UpnpPinholeMapper(mapper.service, { internalAddress: "2001:db8:1::99" });
  await assert.rejects(other.map({ protocol: "UDP", internalPort: 7706 }), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 606);
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 1000 }), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 606);
});

for (const protocol of ["UDP", "TCP"] as const) {
  test(`pinhole through PCP (IPv6 MAP): ${protocol} dropped before, arrives while open, dropped after; auto picks PCP over UPnP`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const port = protocol === "UDP" ? 7710 : 7711;
    const listener = await listenOnLan(rig, protocol, port, 6);
    t.after(() => listener.close());
    await assertNotForwarded(rig, listener, protocol, port, 6);

    // The LAN host's IPv6 default route leads to the gateway: no address given.
    const mapper = await findPortMapper({ family: 6, upnp: { multicastInterface: rig.lan.ifname } });
    assert.equal(mapper.method, "pcp");
    assert.equal(mapper.gatewayAddress, rig.gateway.lanIpv6);
    const pinhole = await mapper.map({ protocol, internalPort: port, leaseSeconds: 300 });
    // No translation on IPv6: the internet reaches our own address and port.
    assert.equal(pinhole.externalAddress, rig.lan.ipv6);
    assert.equal(pinhole.externalPort, port);
    await assertForwarded(rig, listener, protocol, port, 6);
    await pinhole.release();
    await assertNotForwarded(rig, listener, protocol, port, 6);
  });
}

test("miniupnpd 2.3.1 quirk: enable_natpmp=no silences NAT-PMP/PCP on IPv4 only, PCP over IPv6 still answers; protocol upnp still gives the firewall control", async (t) => {
  const daemon = await startMiniupnpd(rig, { enableNatpmp: false });
  t.after(() => daemon.stop());
  const auto = await findPortMapper({ family: 6, upnp: { multicastInterface: rig.lan.ifname } });
  assert.equal(auto.method, "pcp");
  await assert.rejects(findPortMapper({ protocol: "pcp" }), (e: unknown) => e instanceof NoGatewayError);
  const upnp = await findPortMapper({ family: 6, protocol: "upnp", upnp: { multicastInterface: rig.lan.ifname } });
  assert.equal(upnp.method, "upnp-pinhole");
  await assert.rejects(findPortMapper({ family: 6, protocol: "natpmp" }), InvalidArgumentError);
});
