import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { test } from "node:test";
import { checkEnvironment, type EnvironmentFacts } from "../../src/doctor/environment-checks.js";
import type { HostEnvironment } from "../../src/doctor/host-environment.js";

const routeHeader = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";
/** An IPv4 address as /proc/net/route prints it: hex, in host (little-endian) byte order. */
const routeHex = (address: string): string => address.split(".").reverse().map((part) => Number(part).toString(16).padStart(2, "0")).join("").toUpperCase();

interface RouteLine {
  /** Absent: a route straight out of the interface (`default dev wg0`), without RTF_GATEWAY. */
  gateway?: string;
  metric?: number;
  /** 0.0.0.0/0 unless given: a VPN's half-routes are 0.0.0.0/1 and 128.0.0.0/1. */
  destination?: "0.0.0.0/0" | "0.0.0.0/1" | "128.0.0.0/1";
}

/** A /proc/net/route line through `ifname`, flagged RTF_UP (1), plus RTF_GATEWAY (2) when it has a gateway. */
function routeLine(ifname: string, { gateway, metric = 100, destination = "0.0.0.0/0" }: RouteLine = {}): string {
  const [address = "", prefix] = destination.split("/");
  const mask = prefix === "0" ? "00000000" : "00000080";
  const flags = gateway === undefined ? "0001" : "0003";
  return `${ifname}\t${routeHex(address)}\t${routeHex(gateway ?? "0.0.0.0")}\t${flags}\t0\t0\t${metric}\t${mask}\t0\t0\t0`;
}

/** A /proc/net/route default route through `ifname` to `gateway` (dotted quad). */
function defaultRouteLine(ifname: string, gateway: string, metric = 100): string {
  return routeLine(ifname, { gateway, metric });
}

/** A VPN's two half-routes, which together take every address from a default route (OpenVPN's def1, wg-quick's AllowedIPs split). */
function halfRouteLines(ifname: string, gateway?: string): string[] {
  return [routeLine(ifname, { gateway, metric: 0, destination: "0.0.0.0/1" }), routeLine(ifname, { gateway, metric: 0, destination: "128.0.0.0/1" })];
}

function ipv4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: "255.255.255.0", family: "IPv4", mac: "00:00:00:00:00:00", internal, cidr: `${address}/24` };
}

interface FakeHost {
  routes?: string[] | undefined;
  interfaces?: Record<string, NetworkInterfaceInfo[]>;
  files?: Record<string, string>;
  kernel?: string;
  env?: Record<string, string>;
}

function fakeHost(fake: FakeHost): HostEnvironment {
  return {
    network: {
      interfaces: () => fake.interfaces ?? { lo: [ipv4("127.0.0.1", true)], eth0: [ipv4("192.168.1.20")] },
      ipv4RouteTable: () => (fake.routes === undefined ? undefined : [routeHeader, ...fake.routes].join("\n")),
      ipv6AddressTable: () => undefined, ipv6RouteTable: () => undefined,
    },
    readFile: (path) => fake.files?.[path],
    fileExists: (path) => fake.files?.[path] !== undefined,
    kernelRelease: () => fake.kernel ?? "6.1.0-18-amd64",
    env: fake.env ?? {},
  };
}

const ids = (host: HostEnvironment) => checkEnvironment(host).findings.map((finding) => finding.id);
const severities = (facts: EnvironmentFacts) => facts.findings.map((finding) => [finding.id, finding.severity]);
const idsAndSeverities = (host: HostEnvironment) => severities(checkEnvironment(host));

test("an ordinary LAN host: one interface, a default route, nothing to report", () => {
  const facts = checkEnvironment(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1")] }));
  assert.deepEqual(facts.findings, []);
  assert.deepEqual(facts.defaultRoute, { gateway: "192.168.1.1", interfaceName: "eth0" });
  assert.deepEqual(facts.candidateInterfaces, ["eth0"]);
});

test("no default route is a problem; an unreadable route table (not Linux) says nothing", () => {
  assert.deepEqual(idsAndSeverities(fakeHost({ routes: [] })), [["no-default-route", "problem"]]);
  assert.deepEqual(ids(fakeHost({ routes: undefined })), []);
});

test("a VPN or tunnel holding the default route is named, whatever its kind", () => {
  for (const tunnel of ["tun0", "wg0", "utun3", "tailscale0", "ppp0"]) {
    const host = fakeHost({ routes: [defaultRouteLine(tunnel, "10.8.0.1", 50), defaultRouteLine("eth0", "192.168.1.1", 600)] });
    const finding = checkEnvironment(host).findings.find((f) => f.id === "vpn-default-route");
    assert.ok(finding, tunnel);
    assert.equal(finding.severity, "problem");
    assert.match(finding.title, new RegExp(tunnel));
  }
  assert.deepEqual(ids(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1", 50), defaultRouteLine("wg0", "10.8.0.1", 600)] })), []);
});

const lan = defaultRouteLine("eth0", "192.168.1.1", 600);

test("a VPN's default route without a gateway (`default dev wg0`) is the one in use below the LAN's metric, and named", () => {
  const facts = checkEnvironment(fakeHost({ routes: [lan, routeLine("wg0", { metric: 50 })] }));
  assert.deepEqual(severities(facts), [["vpn-default-route", "problem"]]);
  assert.match(facts.findings[0]!.title, /through wg0/);
  assert.deepEqual(facts.defaultRoute, { interfaceName: "wg0", gateway: undefined });
  // The router porthole's searches ask is still the LAN's: a route without a gateway has no address.
  assert.equal(facts.defaultGateway, "192.168.1.1");
  // Above the LAN's metric it carries nothing.
  assert.deepEqual(ids(fakeHost({ routes: [lan, routeLine("wg0", { metric: 700 })] })), []);
});

test("on a metric tie the kernel takes the default route it lists first", () => {
  const tied = [defaultRouteLine("eth0", "192.168.1.1", 100), routeLine("wg0", { metric: 100 })];
  assert.deepEqual(ids(fakeHost({ routes: tied })), []);
  assert.deepEqual(idsAndSeverities(fakeHost({ routes: [...tied].reverse() })), [["vpn-default-route", "problem"]]);
});

test("a VPN's two half-routes beside the LAN's default route take every address whatever the metrics, with or without a gateway", () => {
  for (const [tunnel, gateway] of [["wg0", undefined], ["tun0", "10.8.0.1"]] as const) {
    const facts = checkEnvironment(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1", 0), ...halfRouteLines(tunnel, gateway)] }));
    assert.deepEqual(severities(facts), [["vpn-default-route", "problem"]], tunnel);
    assert.deepEqual(facts.defaultRoute, { interfaceName: tunnel, gateway }, tunnel);
    assert.equal(facts.defaultGateway, "192.168.1.1", tunnel);
  }
  // One half alone leaves the other half of the addresses to the LAN's route: not the default.
  assert.deepEqual(ids(fakeHost({ routes: [lan, halfRouteLines("wg0")[0]!] })), []);
  assert.deepEqual(ids(fakeHost({ routes: [lan, halfRouteLines("wg0")[1]!] })), []);
});

test("a PPP link as the only default route: the machine ends the internet link itself, no router to ask, not 'no default route'", () => {
  const facts = checkEnvironment(fakeHost({ routes: [routeLine("ppp0", { metric: 0 })] }));
  assert.deepEqual(severities(facts), [["direct-internet-link", "problem"]]);
  assert.match(facts.findings[0]!.title, /ppp0/);
  assert.match(facts.findings[0]!.fix!, /public/);
  assert.deepEqual(facts.defaultRoute, { interfaceName: "ppp0", gateway: undefined });
  assert.equal(facts.defaultGateway, undefined);
});

test("a PPP link beside the LAN's default route is a VPN (PPTP, L2TP) when it is the one in use, and nothing when it is not", () => {
  assert.deepEqual(idsAndSeverities(fakeHost({ routes: [lan, routeLine("ppp0", { metric: 0 })] })), [["vpn-default-route", "problem"]]);
  assert.deepEqual(ids(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1", 100), routeLine("ppp0", { metric: 700 })] })), []);
});

test("a point-to-point link is told by its interface flags (IFF_POINTOPOINT) whatever its name; a VPN's tunnel stays a VPN", () => {
  const pointToPoint = "0x10d1\n";
  const dsl = fakeHost({ routes: [routeLine("dsl0", { metric: 0 })], files: { "/sys/class/net/dsl0/flags": pointToPoint } });
  assert.deepEqual(idsAndSeverities(dsl), [["direct-internet-link", "problem"]]);
  // WireGuard's interface is point-to-point too, and a host route to its endpoint stands in for the LAN's default.
  const wireGuard = fakeHost({ routes: [routeLine("wg0", { metric: 0 })], files: { "/sys/class/net/wg0/flags": pointToPoint } });
  assert.deepEqual(idsAndSeverities(wireGuard), [["vpn-default-route", "problem"]]);
  // A default route straight out of an Ethernet (proxy ARP) is a default route: nothing to say of it.
  const ethernet = checkEnvironment(fakeHost({ routes: [routeLine("eth0", { metric: 0 })], files: { "/sys/class/net/eth0/flags": "0x1003\n" } }));
  assert.deepEqual(ethernet.findings, []);
  assert.deepEqual(ethernet.defaultRoute, { interfaceName: "eth0", gateway: undefined });
});

test("unreachable, prohibit and blackhole default routes (no device: `*`) lead nowhere: still no default route", () => {
  const unreachable = "*\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0";
  const blackhole = "*\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0";
  assert.deepEqual(idsAndSeverities(fakeHost({ routes: [unreachable, blackhole] })), [["no-default-route", "problem"]]);
});

test("Docker is told by /.dockerenv or by the first process's cgroup", () => {
  const route = [defaultRouteLine("eth0", "172.17.0.1")];
  assert.deepEqual(ids(fakeHost({ routes: route, files: { "/.dockerenv": "" } })), ["docker"]);
  assert.deepEqual(ids(fakeHost({ routes: route, files: { "/proc/1/cgroup": "12:memory:/docker/3f2a...\n" } })), ["docker"]);
  assert.deepEqual(ids(fakeHost({ routes: route, files: { "/proc/1/cgroup": "0::/init.scope\n" } })), []);
});

test("WSL2: NAT mode (gateway in 172.16/12, the Windows host) is a problem; mirrored mode is only noted", () => {
  const nat = checkEnvironment(fakeHost({ routes: [defaultRouteLine("eth0", "172.23.160.1")], kernel: "5.15.153.1-microsoft-standard-WSL2" }));
  assert.deepEqual(nat.findings.map((f) => [f.id, f.severity]), [["wsl2-nat", "problem"]]);
  assert.match(nat.findings[0]!.fix!, /networkingMode=mirrored/);
  const mirrored = ids(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1")], env: { WSL_DISTRO_NAME: "Ubuntu" } }));
  assert.deepEqual(mirrored, ["wsl2-mirrored"]);
  // The edges of 172.16.0.0/12.
  assert.deepEqual(ids(fakeHost({ routes: [defaultRouteLine("eth0", "172.31.255.1")], env: { WSL_DISTRO_NAME: "x" } })), ["wsl2-nat"]);
  assert.deepEqual(ids(fakeHost({ routes: [defaultRouteLine("eth0", "172.32.0.1")], env: { WSL_DISTRO_NAME: "x" } })), ["wsl2-mirrored"]);
  assert.deepEqual(ids(fakeHost({ routes: [defaultRouteLine("eth0", "172.15.0.1")], env: { WSL_DISTRO_NAME: "x" } })), ["wsl2-mirrored"]);
});

test("several candidate interfaces are noted; loopback, container bridges and tunnels are not candidates", () => {
  const interfaces = {
    lo: [ipv4("127.0.0.1", true)],
    eth0: [ipv4("192.168.1.20")],
    wlan0: [ipv4("192.168.2.30")],
    docker0: [ipv4("172.17.0.1")],
    veth1a2b: [ipv4("169.254.3.3")],
    tun0: [ipv4("10.8.0.2")],
  };
  const facts = checkEnvironment(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1")], interfaces }));
  assert.deepEqual(facts.candidateInterfaces, ["eth0", "wlan0"]);
  assert.deepEqual(facts.findings.map((f) => f.id), ["several-interfaces"]);
  assert.match(facts.findings[0]!.title, /default route uses eth0/);
});
