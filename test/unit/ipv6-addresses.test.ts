import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { test } from "node:test";
import type { HostNetwork } from "../../src/net/host-network.js";
import { chooseGlobalIpv6, isGlobalIpv6, parseIpv6AddressTable } from "../../src/net/ipv6-addresses.js";

// /proc/net/if_inet6 as Linux prints it: address, ifindex, prefix length, scope, flags, name.
const table = [
  "00000000000000000000000000000001 01 80 10 80       lo",
  "fe800000000000000000000000000002 02 40 20 80     eth0",
  "fd000000000000000000000000000002 02 40 00 80     eth0",
  "20010db8000100000000000000000009 02 40 00 01     eth0", // temporary (privacy)
  "20010db8000100000000000000000007 02 40 00 a0     eth0", // deprecated
  "20010db8000100000000000000000002 02 40 00 80     eth0", // stable
  "20010db8000200000000000000000005 03 40 00 c0     wlan0", // tentative
  "20010db8000200000000000000000006 03 40 00 01     wlan0", // temporary only
  "not an address line",
].join("\n");

function hostWith(ipv6Table: string | undefined, interfaces: Record<string, NetworkInterfaceInfo[]> = {}): HostNetwork {
  return { interfaces: () => interfaces, ipv4RouteTable: () => undefined, ipv6AddressTable: () => ipv6Table , ipv6RouteTable: () => undefined};
}

test("if_inet6 lines become addresses in RFC 5952 form with their flags; junk lines are skipped", () => {
  const parsed = parseIpv6AddressTable(table);
  assert.equal(parsed.length, 8);
  assert.deepEqual(parsed[0], { address: "::1", interfaceName: "lo", prefixLength: 128, temporary: false, deprecated: false, tentative: false });
  assert.deepEqual(parsed[3], { address: "2001:db8:1::9", interfaceName: "eth0", prefixLength: 64, temporary: true, deprecated: false, tentative: false });
  assert.equal(parsed[4]?.deprecated, true);
  assert.equal(parsed[6]?.tentative, true);
  assert.equal(parseIpv6AddressTable("20010db8000000010000000000000001 02 40 00 80 eth0")[0]?.address, "2001:db8:0:1::1");
  assert.equal(parseIpv6AddressTable("20010db8000000000001000000000001 02 40 00 80 eth0")[0]?.address, "2001:db8::1:0:0:1");
});

test("global means reachable from the internet: not loopback, link-local, unique-local or multicast", () => {
  for (const address of ["::1", "::", "fe80::1", "febf::1", "fc00::1", "fd12::1", "ff02::1", "::ffff:1.2.3.4", "1.2.3.4", "nonsense"]) {
    assert.equal(isGlobalIpv6(address), false, address);
  }
  for (const address of ["2001:db8:1::2", "2a00:1450::1", "fec0::1"]) assert.equal(isGlobalIpv6(address), true, address);
});

test("a pinhole opens toward the stable global address, never link-local, unique-local, tentative or (unless allowed) temporary", () => {
  const host = hostWith(table);
  assert.equal(chooseGlobalIpv6(host, "eth0"), "2001:db8:1::2");
  assert.equal(chooseGlobalIpv6(host, "wlan0"), undefined);
  assert.equal(chooseGlobalIpv6(host, "wlan0", { allowTemporary: true }), "2001:db8:2::6");
  assert.equal(chooseGlobalIpv6(host, "lo"), undefined);
  assert.equal(chooseGlobalIpv6(host, "nosuch"), undefined);
});

test("a stable address wins over a temporary one when temporary ones are allowed, and a preferred over a deprecated one", () => {
  const onlyTemporaryAndDeprecated = [
    "20010db8000100000000000000000009 02 40 00 01     eth0",
    "20010db8000100000000000000000007 02 40 00 a0     eth0",
  ].join("\n");
  assert.equal(chooseGlobalIpv6(hostWith(onlyTemporaryAndDeprecated), "eth0", { allowTemporary: true }), "2001:db8:1::7");
});

test("without /proc/net/if_inet6 the interface list is used, global addresses only", () => {
  const info = (address: string): NetworkInterfaceInfo => ({ address, netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "00:00:00:00:00:00", internal: false, cidr: `${address}/64`, scopeid: 0 });
  const host = hostWith(undefined, { en0: [info("fe80::1"), info("2001:db8:5::5")] });
  assert.equal(chooseGlobalIpv6(host, "en0"), "2001:db8:5::5");
});
