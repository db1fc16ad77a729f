import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { test } from "node:test";
import { checkEnvironment } from "../../src/doctor/environment-checks.js";
import type { HostEnvironment } from "../../src/doctor/host-environment.js";

const routeHeader = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";
/** A /proc/net/route default route through `ifname` to `gateway` (dotted quad). */
function defaultRouteLine(ifname: string, gateway: string, metric = 100): string {
  const hex = gateway.split(".").reverse().map((part) => Number(part).toString(16).padStart(2, "0")).join("").toUpperCase();
  return `${ifname}\t00000000\t${hex}\t0003\t0\t0\t${metric}\t00000000\t0\t0\t0`;
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

test("an ordinary LAN host: one interface, a default route, nothing to report", () => {
  const facts = checkEnvironment(fakeHost({ routes: [defaultRouteLine("eth0", "192.168.1.1")] }));
  assert.deepEqual(facts.findings, []);
  assert.deepEqual(facts.defaultRoute, { gateway: "192.168.1.1", interfaceName: "eth0" });
  assert.deepEqual(facts.candidateInterfaces, ["eth0"]);
});

test("no default route is a problem; an unreadable route table (not Linux) says nothing", () => {
  assert.deepEqual(ids(fakeHost({ routes: [] })), ["no-default-route"]);
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
