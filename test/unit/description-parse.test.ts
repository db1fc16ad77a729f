import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponseError } from "../../src/errors/errors.js";
import { parseDeviceDescription } from "../../src/upnp/description/device-description.js";
import { classifyWanServiceType } from "../../src/upnp/description/wan-service-type.js";

const descriptionUrl = "http://192.168.1.1:5000/rootDesc.xml";

function service(serviceType: string, controlUrl?: string): string {
  const control = controlUrl === undefined ? "" : `<controlURL>${controlUrl}</controlURL>`;
  return `<service><serviceType>${serviceType}</serviceType>${control}</service>`;
}

function device(deviceType: string, services: string[], embedded: string[] = [], udn?: string): string {
  return (
    `<device><deviceType>${deviceType}</deviceType>${udn === undefined ? "" : `<UDN>${udn}</UDN>`}` +
    `<serviceList>${services.join("")}</serviceList><deviceList>${embedded.join("")}</deviceList></device>`
  );
}

function document(rootDevice: string, beforeDevice = "", afterDevice = ""): string {
  return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${beforeDevice}${rootDevice}${afterDevice}</root>`;
}

const igd1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
const connectionDevice = "urn:schemas-upnp-org:device:WANConnectionDevice:1";
const ip2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
const ip1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
const ppp1 = "urn:schemas-upnp-org:service:WANPPPConnection:1";
const legacyIp = "urn:dslforum-org:service:WANIPConnection:1";
const legacyPpp = "urn:dslforum-org:service:WANPPPConnection:1";

function gatewayWith(services: string[], url = descriptionUrl, beforeDevice = "", afterDevice = "") {
  const xml = document(device(igd1, [], [device(connectionDevice, services)]), beforeDevice, afterDevice);
  return parseDeviceDescription(xml, url);
}

function controlUrls(services: string[], url?: string, beforeDevice?: string, afterDevice?: string): string[] {
  return gatewayWith(services, url, beforeDevice, afterDevice).wanConnectionServices.map((s) => s.controlUrl);
}

test("preference: WANIPConnection:2 > :1 > WANPPPConnection:1 > dslforum IP > dslforum PPP", () => {
  const services = [
    service(legacyPpp, "/legacy-ppp"),
    service(ppp1, "/ppp1"),
    service(legacyIp, "/legacy-ip"),
    service(ip1, "/ip1"),
    service(ip2, "/ip2"),
  ];
  const found = gatewayWith(services).wanConnectionServices;
  assert.deepEqual(
    found.map((s) => s.serviceType),
    [ip2, ip1, ppp1, legacyIp, legacyPpp],
  );
  assert.deepEqual(
    found.map((s) => [s.kind, s.version]),
    [["WANIPConnection", 2], ["WANIPConnection", 1], ["WANPPPConnection", 1], ["WANIPConnection", 1], ["WANPPPConnection", 1]],
  );
});

test("services of the same rank keep their document order", () => {
  assert.deepEqual(controlUrls([service(ip1, "/c"), service(ppp1, "/p"), service(ip1, "/a"), service(ip1, "/b")]), [
    "http://192.168.1.1:5000/c",
    "http://192.168.1.1:5000/a",
    "http://192.168.1.1:5000/b",
    "http://192.168.1.1:5000/p",
  ]);
});

test("version comes from the description's serviceType, not the SSDP search target (rust-igd#12)", () => {
  const [found] = gatewayWith([service(ip2, "/ctl")]).wanConnectionServices;
  assert.equal(found?.version, 2);
});

test("services are found at any depth, in the root device too, in document order", () => {
  const deep = device("urn:schemas-upnp-org:device:WANDevice:1", [], [
    device("urn:example:device:Bridge:1", [], [device(connectionDevice, [service(ip1, "/deep")], [], "uuid:deep")]),
  ]);
  const xml = document(device(igd1, [service(ip1, "/root")], [deep, device(connectionDevice, [service(ip1, "/second")])], "uuid:root"));
  const found = parseDeviceDescription(xml, descriptionUrl).wanConnectionServices;
  assert.deepEqual(
    found.map((s) => [s.controlUrl, s.deviceType, s.deviceUdn]),
    [
      ["http://192.168.1.1:5000/root", igd1, "uuid:root"],
      ["http://192.168.1.1:5000/deep", connectionDevice, "uuid:deep"],
      ["http://192.168.1.1:5000/second", connectionDevice, undefined],
    ],
  );
});

test("services other than WAN connections are ignored", () => {
  const services = [
    service("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1", "/fw"),
    service("urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1", "/cfg"),
    service("urn:schemas-upnp-org:service:WANIPConnection", "/no-version"),
  ];
  assert.deepEqual(controlUrls(services), []);
});

test("serviceType is recognised case-insensitively and kept exactly as written", () => {
  const written = "urn:schemas-upnp-org:service:wanipconnection:1";
  const [found] = gatewayWith([service(written, "/ctl")]).wanConnectionServices;
  assert.equal(found?.serviceType, written);
  assert.equal(found?.kind, "WANIPConnection");
});

test("URLBase after <device> still applies to every URL (nicotine-plus#2955, MikroTik)", () => {
  assert.deepEqual(controlUrls([service(ip1, "/ctl")], descriptionUrl, "", "<URLBase>http://192.168.1.1:2828/</URLBase>"), [
    "http://192.168.1.1:2828/ctl",
  ]);
});

test("URLBase before <device> applies too", () => {
  assert.deepEqual(controlUrls([service(ip1, "ctl")], descriptionUrl, "<URLBase> http://192.168.1.1:2828 </URLBase>"), [
    "http://192.168.1.1:2828/ctl",
  ]);
});

test("without URLBase, URLs resolve against the description URL", () => {
  const parsed = gatewayWith([service(ip1, "/ctl")]);
  assert.equal(parsed.baseUrl, descriptionUrl);
  assert.equal(parsed.wanConnectionServices[0]?.controlUrl, "http://192.168.1.1:5000/ctl");
});

test("a URLBase that is not an http: URL is ignored in favour of the description URL", () => {
  const parsed = gatewayWith([service(ip1, "/ctl")], descriptionUrl, "<URLBase>https://192.168.1.1:443/</URLBase>");
  assert.equal(parsed.baseUrl, descriptionUrl);
});

test("relative control URLs with and without a leading slash resolve as RFC 3986 says", () => {
  const url = "http://192.168.1.1:8080/upnp/desc.xml";
  assert.deepEqual(controlUrls([service(ip1, "/ctl/a"), service(ip1, "ctl/b")], url), [
    "http://192.168.1.1:8080/ctl/a",
    "http://192.168.1.1:8080/upnp/ctl/b",
  ]);
});

test("an absolute control URL is used as it is, even on another port", () => {
  assert.deepEqual(controlUrls([service(ip1, "http://192.168.1.1:49152/ctl")]), ["http://192.168.1.1:49152/ctl"]);
});

test("a service with an empty, blank, missing or non-http control URL is skipped", () => {
  const services = [service(ip2, ""), service(ip2, " \n "), service(ip2), service(ip2, "https://192.168.1.1/ctl"), service(ip2, "ftp://x/")];
  const parsed = gatewayWith(services);
  assert.equal(parsed.isGatewayDevice, true);
  assert.deepEqual(parsed.wanConnectionServices, []);
});

test("an IPv6 LOCATION with a zone id keeps the zone in every resolved URL", () => {
  const url = "http://[fe80::1%25eth0]:5000/rootDesc.xml";
  assert.deepEqual(controlUrls([service(ip1, "/ctl"), service(ip1, "ctl2")], url), [
    "http://[fe80::1%25eth0]:5000/ctl",
    "http://[fe80::1%25eth0]:5000/ctl2",
  ]);
});

test("a URLBase naming the link-local address without a zone gets the LOCATION's zone", () => {
  // The router cannot know our interface name, so its URLBase never carries one.
  const url = "http://[fe80::1%25eth0]:5000/rootDesc.xml";
  const parsed = gatewayWith([service(ip1, "/ctl")], url, "<URLBase>http://[fe80::1]:5000</URLBase>");
  assert.equal(parsed.baseUrl, "http://[fe80::1%25eth0]:5000/");
  assert.equal(parsed.wanConnectionServices[0]?.controlUrl, "http://[fe80::1%25eth0]:5000/ctl");
});

test("an embedded InternetGatewayDevice makes the document a gateway", () => {
  const xml = document(device("urn:schemas-upnp-org:device:Basic:1", [], [device(igd1, [], [device(connectionDevice, [service(ip1, "/ctl")])])]));
  const parsed = parseDeviceDescription(xml, descriptionUrl);
  assert.equal(parsed.deviceType, "urn:schemas-upnp-org:device:Basic:1");
  assert.equal(parsed.isGatewayDevice, true);
  assert.equal(parsed.wanConnectionServices.length, 1);
});

test("a TR-064 (dslforum) InternetGatewayDevice is a gateway", () => {
  const xml = document(device("urn:dslforum-org:device:InternetGatewayDevice:1", [service(legacyIp, "/upnp/control/wanipconnection1")]));
  assert.equal(parseDeviceDescription(xml, descriptionUrl).isGatewayDevice, true);
});

test("a device that is not a gateway has no WAN services and no error", () => {
  const xml = document(device("urn:schemas-upnp-org:device:MediaServer:1", [service("urn:schemas-upnp-org:service:ContentDirectory:1", "/cd")]));
  const parsed = parseDeviceDescription(xml, descriptionUrl);
  assert.equal(parsed.isGatewayDevice, false);
  assert.deepEqual(parsed.wanConnectionServices, []);
});

test("text that is not XML is an InvalidResponseError", () => {
  assert.throws(() => parseDeviceDescription("404 page not found", descriptionUrl), InvalidResponseError);
});

test("XML without a <device> (an HTML login page) is an InvalidResponseError", () => {
  assert.throws(() => parseDeviceDescription("<html><body>Please log in</body></html>", descriptionUrl), InvalidResponseError);
});

test("whitespace and newlines around values are trimmed, empty names are absent", () => {
  const xml = document(`<device>\n <deviceType>\n ${igd1}\n </deviceType>\n <friendlyName>\t Router \n</friendlyName><modelName> </modelName></device>`);
  const parsed = parseDeviceDescription(xml, descriptionUrl);
  assert.equal(parsed.deviceType, igd1);
  assert.equal(parsed.friendlyName, "Router");
  assert.equal(parsed.modelName, undefined);
});

test("classifyWanServiceType ranks every recognised type and refuses the rest", () => {
  assert.deepEqual(classifyWanServiceType(ip2), { kind: "WANIPConnection", version: 2, rank: 0 });
  assert.deepEqual(classifyWanServiceType(ip1), { kind: "WANIPConnection", version: 1, rank: 1 });
  assert.deepEqual(classifyWanServiceType(ppp1), { kind: "WANPPPConnection", version: 1, rank: 2 });
  assert.deepEqual(classifyWanServiceType(legacyIp), { kind: "WANIPConnection", version: 1, rank: 3 });
  assert.deepEqual(classifyWanServiceType(legacyPpp), { kind: "WANPPPConnection", version: 1, rank: 4 });
  assert.equal(classifyWanServiceType("urn:schemas-upnp-org:service:WANIPConnection:0"), undefined);
  assert.equal(classifyWanServiceType("urn:example-com:service:WANIPConnection:1"), undefined);
});
