import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultGatewayIPv4, defaultGatewayIPv6, interfaceNameOf, parseDefaultGateway, parseDefaultRouteIPv6, parseDefaultRoutes } from "../../src/net/default-gateway.js";
import type { HostNetwork } from "../../src/net/host-network.js";
import { planSearch } from "../../src/upnp/ssdp/search-plan.js";

const table = [
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
  "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
  "eth0\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0",
  "eth0\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0",
].join("\n");

test("the default gateway is read from /proc/net/route in host byte order, lowest metric first", () => {
  assert.equal(parseDefaultGateway(table), "10.0.2.1");
  assert.equal(parseDefaultGateway(table, "wlan0"), "192.168.1.1");
  assert.equal(parseDefaultGateway(table.split("\n").slice(0, 1).join("\n")), undefined);
  assert.equal(parseDefaultGateway("garbage\nmore garbage"), undefined);
  // On the interface asked for, the lowest metric too, and in the table's order on a tie; a
  // gateway that is not 8 hex digits is no route.
  const wlanTwice = [table, "wlan0\t00000000\t0201A8C0\t0003\t0\t0\t50\t00000000\t0\t0\t0", "wlan0\t00000000\t0301A8C0\t0003\t0\t0\t50\t00000000\t0\t0\t0"].join("\n");
  assert.equal(parseDefaultGateway(wlanTwice, "wlan0"), "192.168.1.2");
  assert.equal(parseDefaultGateway(wlanTwice), "192.168.1.2");
  assert.equal(parseDefaultGateway([table, "ppp0\t00000000\tXYZ00000\t0003\t0\t0\t1\t00000000\t0\t0\t0"].join("\n")), "10.0.2.1");
});

test("a route to 0.0.0.0/1 (a VPN's half of the address space, OpenVPN's def1) is not the default route, whatever its metric", () => {
  const withHalfRoute = [table, "tun0\t00000000\t0100080A\t0003\t0\t0\t0\t00000080\t0\t0\t0"].join("\n");
  assert.equal(parseDefaultGateway(withHalfRoute), "10.0.2.1");
  assert.deepEqual(parseDefaultRoutes(withHalfRoute).routeInUse, { gateway: "10.0.2.1", interfaceName: "eth0" });
  // With 128.0.0.0/1 beside it the pair takes every address (longer prefixes beat any metric): the
  // route in use, yet its gateway is the VPN's far end, not the router NAT-PMP and PCP ask.
  const withBothHalves = [withHalfRoute, "tun0\t00000080\t0100080A\t0003\t0\t0\t0\t00000080\t0\t0\t0"].join("\n");
  assert.deepEqual(parseDefaultRoutes(withBothHalves), { gatewayRoute: { gateway: "10.0.2.1", interfaceName: "eth0" }, routeInUse: { gateway: "10.8.0.1", interfaceName: "tun0" } });
  assert.equal(parseDefaultGateway(withBothHalves), "10.0.2.1");
});

test("a default route without a gateway (`default dev wg0`, `default dev ppp0`) has no gateway address to give, yet may be the route in use", () => {
  const withWireGuard = [table, "wg0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0"].join("\n");
  assert.deepEqual(parseDefaultRoutes(withWireGuard), { gatewayRoute: { gateway: "10.0.2.1", interfaceName: "eth0" }, routeInUse: { gateway: undefined, interfaceName: "wg0" } });
  assert.equal(parseDefaultGateway(withWireGuard), "10.0.2.1");
  const pppOnly = [table.split("\n")[0]!, "ppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0"].join("\n");
  assert.deepEqual(parseDefaultRoutes(pppOnly), { gatewayRoute: undefined, routeInUse: { gateway: undefined, interfaceName: "ppp0" } });
  assert.equal(parseDefaultGateway(pppOnly), undefined);
  // The interface asked for chooses the gateway, not the route the kernel uses; a malformed line is neither.
  assert.deepEqual(parseDefaultRoutes(table, "wlan0"), { gatewayRoute: { gateway: "192.168.1.1", interfaceName: "wlan0" }, routeInUse: { gateway: "10.0.2.1", interfaceName: "eth0" } });
  assert.deepEqual(parseDefaultRoutes([table, "ppp0\t00000000\tXYZ00000\t0001\t0\t0\t1\t00000000\t0\t0\t0"].join("\n")).routeInUse, { gateway: "10.0.2.1", interfaceName: "eth0" });
});

test("only 0.0.0.0/0 and the two halves 0.0.0.0/1 and 128.0.0.0/1 count; a short line or one whose destination its mask does not allow is none of them", () => {
  const header = table.split("\n")[0]!;
  const only = (...lines: string[]) => [header, ...lines].join("\n");
  assert.deepEqual(parseDefaultRoutes(only("eth0\t00000000\t0102000A\t0003\t0\t0\t100\t000000FF\t0\t0\t0")), { gatewayRoute: undefined, routeInUse: undefined }, "0.0.0.0/8");
  assert.deepEqual(parseDefaultRoutes(only("eth0\t00000080\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0")), { gatewayRoute: undefined, routeInUse: undefined }, "128.0.0.0/0");
  assert.deepEqual(parseDefaultRoutes(only("eth0\t00000000\t0102000A\t0003\t0\t0\t100")), { gatewayRoute: undefined, routeInUse: undefined }, "a line cut short");
  // The pair's route in use is its lower half's (0.0.0.0/1), the lowest metric of those, the first on a tie.
  const lower = (ifname: string, gateway: string, metric: number) => `${ifname}\t00000000\t${gateway}\t0003\t0\t0\t${metric}\t00000080\t0\t0\t0`;
  const upper = "tun0\t00000080\t0200080A\t0003\t0\t0\t0\t00000080\t0\t0\t0";
  assert.deepEqual(parseDefaultRoutes(only(upper, lower("tun0", "0100080A", 0))).routeInUse, { gateway: "10.8.0.1", interfaceName: "tun0" });
  assert.deepEqual(parseDefaultRoutes(only(lower("tun1", "0100090A", 5), lower("tun0", "0100080A", 0), upper)).routeInUse, { gateway: "10.8.0.1", interfaceName: "tun0" });
  assert.deepEqual(parseDefaultRoutes(only(lower("tun1", "0100090A", 0), lower("tun0", "0100080A", 0), upper)).routeInUse, { gateway: "10.9.0.1", interfaceName: "tun1" });
});

test("defaultGatewayIPv4 and defaultGatewayIPv6 read the host's tables, and give nothing where there are none (not Linux)", () => {
  const ipv6Table = `${"0".repeat(32)} 00 ${"0".repeat(32)} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0`;
  const linux: HostNetwork = {
    interfaces: () => ({ wlan0: [{ address: "192.168.1.20", netmask: "255.255.255.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: false, cidr: "192.168.1.20/24" }] }),
    ipv4RouteTable: () => table,
    ipv6AddressTable: () => undefined,
    ipv6RouteTable: () => ipv6Table,
  };
  assert.equal(defaultGatewayIPv4(linux), "10.0.2.1");
  assert.equal(defaultGatewayIPv4(linux, "wlan0"), "192.168.1.1");
  assert.equal(defaultGatewayIPv4(linux, "192.168.1.20"), "192.168.1.1", "an address of the interface stands for it");
  assert.equal(defaultGatewayIPv6(linux), "fe80::1%eth0");
  const elsewhere: HostNetwork = { ...linux, ipv4RouteTable: () => undefined, ipv6RouteTable: () => undefined };
  assert.equal(defaultGatewayIPv4(elsewhere), undefined);
  assert.equal(defaultGatewayIPv6(elsewhere), undefined);
});

/** A host with one interface and one default route, read by nothing but planSearch. */
const fakeHost: HostNetwork = {
  interfaces: () => ({ eth0: [{ address: "10.0.2.15", netmask: "255.255.255.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: false, cidr: "10.0.2.15/24" }] }),
  ipv4RouteTable: () => table,
  ipv6AddressTable: () => undefined, ipv6RouteTable: () => undefined,
};

test("a unicast search to the default gateway is planned only beside an IPv4 multicast search", () => {
  const targets = (options: Parameters<typeof planSearch>[0]) => planSearch(options, fakeHost).sends.map((s) => s.address);
  const withMulticast = targets({ searchTargets: ["ssdp:all"] });
  assert.deepEqual(withMulticast, ["239.255.255.250", "10.0.2.1"]);
  assert.deepEqual(targets({ searchTargets: ["ssdp:all"], unicastToDefaultGateway: false }), ["239.255.255.250"]);
  assert.deepEqual(targets({ searchTargets: ["ssdp:all"], multicast: false, unicastTargets: [{ address: "127.0.0.1" }] }), ["127.0.0.1"]);
  assert.ok(!targets({ searchTargets: ["ssdp:all"], ipv6: true }).some((a) => a.includes(".")));
});

test("a multicastInterface given as an address is the interface that holds it", () => {
  const host = { interfaces: () => ({ eth0: [{ address: "10.0.2.15" }], wlan0: [{ address: "192.168.1.20" }, { address: "fe80::1" }] }) };
  assert.equal(interfaceNameOf("192.168.1.20", host), "wlan0");
  assert.equal(interfaceNameOf("FE80::1%wlan0", host), "wlan0");
  assert.equal(interfaceNameOf("eth0", host), "eth0");
  assert.equal(interfaceNameOf("192.0.2.99", host), undefined);
  assert.equal(parseDefaultGateway(table, interfaceNameOf("192.168.1.20", host)), "192.168.1.1");
});

test("a multicastInterface given as a name is taken as it is, without listing the interfaces", () => {
  const host = {
    interfaces: () => assert.fail("the interfaces were listed for an interface name"),
  };
  assert.equal(interfaceNameOf("eth1", host), "eth1");
});

test("the IPv6 default route is read from /proc/net/ipv6_route, lowest metric first, a link-local next hop with its zone", () => {
  const row = (dest: string, plen: string, nextHop: string, metric: string, ifname: string) =>
    `${dest} ${plen} ${"0".repeat(32)} 00 ${nextHop} ${metric} 00000001 00000000 00000003 ${ifname}`;
  const zeros = "0".repeat(32);
  const table = [
    row("20010db8000100000000000000000000", "40", zeros, "00000100", "eth0"),
    row(zeros, "00", "fe800000000000000000000000000001", "00000400", "eth0"),
    row(zeros, "00", "20010db8000200000000000000000001", "00000200", "wlan0"),
    row(zeros, "00", zeros, "00000001", "lo"),
  ].join("\n");
  assert.deepEqual(parseDefaultRouteIPv6(table), { gateway: "2001:db8:2::1", interfaceName: "wlan0" });
  assert.deepEqual(parseDefaultRouteIPv6(table.split("\n").filter((line) => !line.includes("wlan0")).join("\n")), { gateway: "fe80::1%eth0", interfaceName: "eth0" });
  assert.equal(parseDefaultRouteIPv6(table.split("\n")[0]!), undefined);
  assert.equal(parseDefaultRouteIPv6("garbage"), undefined);
  // Only ::/0 with a next hop: not 2000::/3 (another prefix length), not a route whose destination
  // its prefix length does not allow, not a line cut short, whatever their metrics.
  const lowerMetricElsewhere = [
    table,
    row(zeros, "03", "20010db8000300000000000000000001", "00000001", "eth1"),
    row("20000000000000000000000000000000", "00", "20010db8000400000000000000000001", "00000001", "eth2"),
    row(zeros, "00", "20010db8000500000000000000000001", "00000001", "eth3").split(" ").slice(0, 9).join(" "),
  ].join("\n");
  assert.deepEqual(parseDefaultRouteIPv6(lowerMetricElsewhere), { gateway: "2001:db8:2::1", interfaceName: "wlan0" });
});
