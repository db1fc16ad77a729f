import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSsdpNotify, uuidOfUsn, type SsdpNotify } from "../../src/upnp/ssdp/ssdp-notify.js";
import { RestartDetector } from "../../src/upnp/restart-detector.js";
import type { DeviceDescription } from "../../src/upnp/description/device-description.js";

const notify = (lines: string[]): string => `NOTIFY * HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
const uuid = "4d696e69-5550-6e50-0000-0123456789ab";

test("an ssdp:alive is read with its boot and config ids (UDA 1.1 §1.2.2)", () => {
  const parsed = parseSsdpNotify(
    notify([
      "HOST: 239.255.255.250:1900",
      "CACHE-CONTROL: max-age=120",
      "LOCATION: http://192.0.2.1:5000/rootDesc.xml",
      "NT: upnp:rootdevice",
      "NTS: ssdp:alive",
      `USN: uuid:${uuid}::upnp:rootdevice`,
      "01-NLS: 1700000000",
      "BOOTID.UPNP.ORG: 1700000000",
      "CONFIGID.UPNP.ORG: 1337",
    ]),
  );
  assert.deepEqual(parsed, {
    kind: "ssdp:alive",
    nt: "upnp:rootdevice",
    usn: `uuid:${uuid}::upnp:rootdevice`,
    location: "http://192.0.2.1:5000/rootDesc.xml",
    bootId: 1700000000,
    configId: 1337,
    nextBootId: undefined,
  });
});

test("byebye without LOCATION, update with NEXTBOOTID, lower-case and LF-only announcements are read", () => {
  assert.equal(parseSsdpNotify(notify(["NT: upnp:rootdevice", "NTS: ssdp:byebye", "USN: uuid:x"]))?.location, undefined);
  assert.equal(parseSsdpNotify(notify(["NT: a", "NTS: ssdp:update", "BOOTID.UPNP.ORG: 5", "NEXTBOOTID.UPNP.ORG: 6"]))?.nextBootId, 6);
  const lenient = parseSsdpNotify("notify * http/1.1\nnt: upnp:rootdevice\nnts: SSDP:ALIVE\nbootid.upnp.org: 7\n\n");
  assert.equal(lenient?.kind, "ssdp:alive");
  assert.equal(lenient?.bootId, 7);
});

test("anything but a readable NOTIFY is undefined; unreadable boot ids are undefined, not errors", () => {
  assert.equal(parseSsdpNotify("HTTP/1.1 200 OK\r\nLOCATION: http://x/\r\nST: upnp:rootdevice\r\n\r\n"), undefined);
  assert.equal(parseSsdpNotify(notify(["NT: a", "NTS: ssdp:discover"])), undefined);
  assert.equal(parseSsdpNotify(notify(["NTS: ssdp:alive"])), undefined, "no NT");
  assert.equal(parseSsdpNotify(notify(["NT: a", "NTS: ssdp:alive", "X: ".padEnd(9000, "x")])), undefined, "larger than 8 KiB");
  for (const value of ["-1", "2147483648", "1e3", "0x10", ""]) {
    assert.equal(parseSsdpNotify(notify(["NT: a", "NTS: ssdp:alive", `BOOTID.UPNP.ORG: ${value}`]))?.bootId, undefined, value);
  }
  assert.equal(parseSsdpNotify(notify(["NT: a", "NTS: ssdp:alive", "BOOTID.UPNP.ORG: 2147483647"]))?.bootId, 2147483647);
});

test("uuidOfUsn takes the UUID of a USN or UDN", () => {
  assert.equal(uuidOfUsn(`uuid:${uuid.toUpperCase()}::urn:schemas-upnp-org:device:InternetGatewayDevice:2`), uuid);
  assert.equal(uuidOfUsn(`uuid:${uuid}`), uuid);
  assert.equal(uuidOfUsn("urn:schemas-upnp-org:device:InternetGatewayDevice:2"), undefined);
});

function alive(fields: Partial<SsdpNotify> = {}): SsdpNotify {
  return { kind: "ssdp:alive", nt: "upnp:rootdevice", usn: `uuid:${uuid}::upnp:rootdevice`, location: "http://192.0.2.1:5000/rootDesc.xml", bootId: 10, configId: 1, nextBootId: undefined, ...fields };
}

const description = { udn: `uuid:${uuid}`, wanConnectionServices: [] } as unknown as DeviceDescription;
const device = { descriptionUrl: "http://192.0.2.1:5000/rootDesc.xml", description, address: "192.0.2.1", bootId: 10 };

test("RestartDetector: a new BOOTID in ssdp:alive is a restart, told once; the same one again is not", () => {
  const detector = new RestartDetector(device);
  assert.equal(detector.observe(alive(), "192.0.2.1"), undefined);
  assert.match(detector.observe(alive({ bootId: 11 }), "192.0.2.1") ?? "", /BOOTID\.UPNP\.ORG 11 \(was 10\)/);
  assert.equal(detector.observe(alive({ bootId: 11, nt: "urn:schemas-upnp-org:service:WANIPConnection:2" }), "192.0.2.1"), undefined);
  assert.equal(detector.bootId, 11);
});

test("RestartDetector: byebye then alive is a restart even with the same BOOTID; update hands over without one", () => {
  const detector = new RestartDetector(device);
  assert.equal(detector.observe(alive({ kind: "ssdp:byebye", location: undefined }), "192.0.2.1"), undefined);
  assert.match(detector.observe(alive(), "192.0.2.1") ?? "", /byebye/);
  assert.equal(detector.observe(alive({ kind: "ssdp:update", location: undefined, nextBootId: 12 }), "192.0.2.1"), undefined);
  assert.equal(detector.bootId, 12);
  assert.equal(detector.observe(alive({ bootId: 12 }), "192.0.2.1"), undefined);
});

test("RestartDetector: the description moving to another URL is a restart (back on another HTTP port)", () => {
  const detector = new RestartDetector(device);
  assert.match(detector.observe(alive({ location: "http://192.0.2.1:5001/rootDesc.xml" }), "192.0.2.1") ?? "", /moved to http:\/\/192\.0\.2\.1:5001/);
});

test("RestartDetector: other devices' announcements are ignored; without UUIDs the LOCATION, then the sender, tells", () => {
  const detector = new RestartDetector(device);
  assert.equal(detector.observe(alive({ usn: "uuid:00000000-0000-0000-0000-000000000000::upnp:rootdevice", bootId: 99 }), "192.0.2.1"), undefined);
  assert.equal(detector.bootId, 10);

  const byLocation = new RestartDetector({ ...device, description: undefined });
  assert.equal(byLocation.observe(alive({ location: "http://192.0.2.50/desc.xml", bootId: 99 }), "192.0.2.50"), undefined);
  assert.match(byLocation.observe(alive({ bootId: 99 }), "192.0.2.1") ?? "", /99/);

  const bySender = new RestartDetector({ ...device, description: undefined, descriptionUrl: undefined, bootId: undefined });
  assert.equal(bySender.observe(alive({ kind: "ssdp:byebye", location: undefined }), "192.0.2.77"), undefined);
  assert.equal(bySender.observe(alive(), "192.0.2.1"), undefined, "the first boot id heard is learnt, not a restart");
  assert.match(bySender.observe(alive({ bootId: 11 }), "192.0.2.1") ?? "", /11/);
});
