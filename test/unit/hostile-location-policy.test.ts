// Where an SSDP reply's LOCATION may send porthole (checkLocation), with made-up local networks:
// a LAN attacker must not point it at this host's loopback, another network, or another scheme.
import { test } from "node:test";
import assert from "node:assert/strict";
import { localNetworks, systemHostNetwork } from "../../src/net/host-network.js";
import { checkLocation } from "../../src/upnp/ssdp/location-policy.js";
import { testNetworks } from "../fixtures/local-networks.js";

const networks = testNetworks;

const followed = (location: string, source: string) => checkLocation(location, source, networks);

test("a LOCATION on the replying host is followed, loopback to loopback included", () => {
  assert.deepEqual(followed("http://127.0.0.1:5000/rootDesc.xml", "127.0.0.1"), { allowed: true, location: "http://127.0.0.1:5000/rootDesc.xml" });
  assert.deepEqual(followed("http://[::1]:5000/d.xml", "::1"), { allowed: true, location: "http://[::1]:5000/d.xml" });
  assert.equal(followed("http://192.168.1.1:5000/d.xml", "::ffff:192.168.1.1").allowed, true);
  // Not on any local network (reached through a route): the replying host itself is still fine.
  assert.equal(followed("http://203.0.113.1/d.xml", "203.0.113.1").allowed, true);
});

test("a LOCATION on a network of the interface the reply came in on is followed (tailscale#5502)", () => {
  assert.equal(followed("http://192.168.1.254:49000/igd.xml", "192.168.1.1").allowed, true);
  assert.equal(followed("http://[2001:db8:1::1]:5000/d.xml", "fe80::1%eth0").allowed, true);
});

test("a LAN attacker's LOCATION naming this host's loopback, another network or another interface is refused", () => {
  for (const [location, source] of [
    ["http://127.0.0.1:8080/admin", "192.168.1.66"],
    ["http://[::1]:8080/admin", "192.168.1.66"],
    ["http://0.0.0.0:8080/", "192.168.1.66"],
    ["http://10.0.0.1:5000/d.xml", "192.168.1.66"],
    ["http://8.8.8.8/d.xml", "192.168.1.66"],
    ["http://[::ffff:127.0.0.1]:8080/", "192.168.1.66"],
    ["http://192.168.1.1:5000/d.xml", "203.0.113.1"],
  ] as const) {
    const verdict = followed(location, source);
    assert.equal(verdict.allowed, false, `${location} from ${source}`);
    assert.match(!verdict.allowed ? verdict.reason : "", /neither the replying host/);
  }
});

test("non-http schemes, host names and junk are refused with a reason; allowForeign lifts only the host rules", () => {
  const refusals = [
    ["https://192.168.1.1/d.xml", /only http: URLs/],
    ["file:///etc/passwd", /only http: URLs/],
    ["gopher://192.168.1.1/", /only http: URLs/],
    ["http://router.local:5000/d.xml", /names the host "router.local"/],
    ["not a url", /not a valid URL/],
    ["http://[fe80::1%25eth0%0d%0aX:1]/", /not a valid URL/],
  ] as const;
  for (const [location, reason] of refusals) {
    const verdict = followed(location, "192.168.1.1");
    assert.equal(verdict.allowed, false, location);
    assert.match(!verdict.allowed ? verdict.reason : "", reason);
  }
  assert.equal(checkLocation("http://router.local:5000/d.xml", "192.168.1.1", networks, true).allowed, true);
  assert.equal(checkLocation("http://127.0.0.1:8080/", "192.168.1.66", networks, true).allowed, true);
  assert.equal(checkLocation("https://192.168.1.1/", "192.168.1.1", networks, true).allowed, false);
});

test("an IPv6 link-local LOCATION without a zone gets the zone of the interface the reply came in on", () => {
  assert.deepEqual(followed("http://[fe80::1]:5000/rootDesc.xml", "fe80::1%eth0"), {
    allowed: true,
    location: "http://[fe80::1%25eth0]:5000/rootDesc.xml",
  });
  assert.deepEqual(followed("http://[fe80::2]:5000/d.xml", "2001:db8:1::1"), { allowed: true, location: "http://[fe80::2%25eth0]:5000/d.xml" });
  // A zone the device wrote itself is left alone.
  assert.deepEqual(followed("http://[fe80::1%25eth0]:5000/d.xml", "fe80::1%eth0"), { allowed: true, location: "http://[fe80::1%25eth0]:5000/d.xml" });
});

test("localNetworks lists this host's prefixes, loopback included", () => {
  assert.ok(localNetworks(systemHostNetwork).some((network) => network.cidr.startsWith("127.")));
});

test("a link-local LOCATION gets no guessed zone when the reply could have come in on several interfaces", () => {
  // Every interface holds fe80::/64: a reply from a zoneless link-local source matches both.
  const twoLinks = [
    { interfaceName: "eth0", cidr: "fe80::10/64" },
    { interfaceName: "wlan0", cidr: "fe80::20/64" },
    { interfaceName: "wlan0", cidr: "2001:db8:2::20/64" },
  ];
  assert.deepEqual(checkLocation("http://[fe80::2]:5000/d.xml", "fe80::1", twoLinks), { allowed: true, location: "http://[fe80::2]:5000/d.xml" });
  // A source that only one interface holds names the zone.
  assert.deepEqual(checkLocation("http://[fe80::2]:5000/d.xml", "2001:db8:2::1", twoLinks), { allowed: true, location: "http://[fe80::2%25wlan0]:5000/d.xml" });
  // The replying host itself, with the zone dgram reported, keeps that zone.
  assert.deepEqual(checkLocation("http://[fe80::1]:5000/d.xml", "fe80::1%wlan0", twoLinks), { allowed: true, location: "http://[fe80::1%25wlan0]:5000/d.xml" });
  assert.deepEqual(checkLocation("http://[fe80::1]:5000/d.xml", "fe80::1", twoLinks), { allowed: true, location: "http://[fe80::1]:5000/d.xml" });
  // Not link-local: no zone, even with one interface.
  assert.deepEqual(checkLocation("http://[2001:db8:2::1]:5000/d.xml", "2001:db8:2::1", twoLinks), { allowed: true, location: "http://[2001:db8:2::1]:5000/d.xml" });
});
