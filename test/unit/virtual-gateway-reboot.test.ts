import { test } from "node:test";
import assert from "node:assert/strict";
import { mappingArgs, mSearch, soapCall, ssdpExchange, withGateway } from "./virtual-gateway-test-client.js";
import { openUdpInbox, ssdpHeader } from "./support/udp-inbox.js";

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advanceSeconds(seconds: number): void } {
  let time = 1_700_000_000_000;
  return { now: () => time, advanceSeconds: (seconds) => void (time += seconds * 1000) };
}

const uptimeOf = async (gateway: Parameters<typeof soapCall>[0]): Promise<string | undefined> => (await soapCall(gateway, "GetStatusInfo")).values.NewUptime;
const searchBootId = async (gateway: Parameters<typeof soapCall>[0]): Promise<string | undefined> =>
  (await ssdpExchange(gateway.ssdpAddress, [mSearch("upnp:rootdevice")], 1))[0]?.headers["BOOTID.UPNP.ORG"];

/** The virtual gateway's root device, its 2 embedded devices (UDN + type each) and 4 services. */
const notifiesPerAnnouncement = 11;

test("reboot() empties the table and restarts uptime, epoch and boot id; clearMappings() keeps all three", () => {
  const clock = fakeClock();
  return withGateway({ now: clock.now }, async (gateway) => {
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4700 }));
    clock.advanceSeconds(500);
    gateway.clearMappings();
    assert.equal(gateway.mappings.length, 0);
    assert.equal(await uptimeOf(gateway), "500");
    assert.equal(gateway.epochSeconds, 500);
    assert.equal(await searchBootId(gateway), "1");

    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 4701 }));
    await gateway.reboot();
    assert.equal(gateway.mappings.length, 0);
    assert.equal(await uptimeOf(gateway), "0");
    assert.equal(gateway.uptimeSeconds, 0);
    assert.equal(gateway.epochSeconds, 0);
    assert.equal(gateway.bootId, 2);
    assert.equal(await searchBootId(gateway), "2");
    clock.advanceSeconds(7);
    assert.equal(await uptimeOf(gateway), "7");
  });
});

test("the gateway announces ssdp:alive when it starts and reboots, with the boot id, and ssdp:byebye when it closes", async (t) => {
  const inbox = await openUdpInbox();
  t.after(() => inbox.close());
  await withGateway({ announceTo: [{ address: "127.0.0.1", port: inbox.port }], bootId: 41 }, async (gateway) => {
    const atStart = await inbox.waitFor(notifiesPerAnnouncement);
    assert.equal(atStart.length, notifiesPerAnnouncement);
    for (const message of atStart) {
      assert.match(message, /^NOTIFY \* HTTP\/1\.1\r\n/);
      assert.equal(ssdpHeader(message, "NTS"), "ssdp:alive");
      assert.equal(ssdpHeader(message, "BOOTID.UPNP.ORG"), "41");
      assert.equal(ssdpHeader(message, "LOCATION"), gateway.descriptionUrl);
    }
    assert.ok(atStart.some((message) => ssdpHeader(message, "NT") === "upnp:rootdevice"));

    await gateway.reboot();
    const afterReboot = (await inbox.waitFor(2 * notifiesPerAnnouncement)).slice(notifiesPerAnnouncement);
    assert.equal(afterReboot.length, notifiesPerAnnouncement);
    assert.deepEqual(new Set(afterReboot.map((message) => ssdpHeader(message, "BOOTID.UPNP.ORG"))), new Set(["42"]));

    await gateway.reboot({ announce: false });
    assert.equal(gateway.bootId, 43);
  });
  const all = await inbox.waitFor(3 * notifiesPerAnnouncement);
  assert.equal(all.length, 3 * notifiesPerAnnouncement, "the silent reboot sent nothing, close() sent one byebye per target");
  for (const message of all.slice(2 * notifiesPerAnnouncement)) {
    assert.equal(ssdpHeader(message, "NTS"), "ssdp:byebye");
    assert.equal(ssdpHeader(message, "BOOTID.UPNP.ORG"), "43");
    assert.equal(ssdpHeader(message, "LOCATION"), undefined);
  }
});

test("a gateway started with the uuid of an earlier one keeps its USNs (the same router, back on another port)", async (t) => {
  const inbox = await openUdpInbox();
  t.after(() => inbox.close());
  const announceTo = [{ address: "127.0.0.1", port: inbox.port }];
  const usns = async (): Promise<string[]> => {
    const from = inbox.received.length;
    const messages = await inbox.waitFor(from + notifiesPerAnnouncement);
    return messages.slice(from).map((message) => ssdpHeader(message, "USN") ?? "").sort();
  };
  const uuid = "6f9c3a52-1d1e-4c1b-9a4e-5b8f0d6c2e11";
  let first: string[] = [];
  await withGateway({ announceTo, uuid }, async () => {
    first = await usns();
  });
  await usns(); // the byebye
  await withGateway({ announceTo, uuid }, async () => {
    assert.deepEqual(await usns(), first);
  });
  // Like miniupnpd, the embedded devices' UDNs vary the UUID's last two digits.
  assert.ok(first.every((usn) => usn.startsWith(`uuid:${uuid.slice(0, -2)}`)), first.join(", "));
});
