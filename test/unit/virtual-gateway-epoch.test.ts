// The epoch of the virtual gateway's NAT-PMP/PCP server and what it announces: on start, on
// reboot() and on a new external address, to a loopback listener (never a multicast group), and
// as porthole's mappers hear it through check() and watch().
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { gatewayFromUrl, type GatewayEvent } from "../../src/index.js";
import { decodeGatewayAnnouncement } from "../../src/port-control/gateway-announcement.js";
import { EventQueue } from "./support/event-queue.js";
import { portControlSetUp, publicAddress } from "./support/port-control-fixture.js";

/** A loopback socket that collects what arrives, with the sender's port. */
async function announcementListener(t: TestContext) {
  const socket = dgram.createSocket("udp4");
  const heard = new EventQueue<{ announcement: ReturnType<typeof decodeGatewayAnnouncement>; fromPort: number }>();
  socket.on("message", (bytes, sender) => heard.push({ announcement: decodeGatewayAnnouncement(bytes), fromPort: sender.port }));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { target: { address: "127.0.0.1", port: socket.address().port }, heard };
}

test("on start: a NAT-PMP address announcement, then a PCP ANNOUNCE, both from the NAT-PMP/PCP port, with epoch 0", async (t) => {
  const listener = await announcementListener(t);
  const { gateway } = await portControlSetUp(t, { portControlAnnounceTo: [listener.target] });
  const port = gateway.portControlAddress.port;
  assert.deepEqual(await listener.heard.next(), { announcement: { protocol: "natpmp", epochSeconds: 0, externalAddress: publicAddress }, fromPort: port });
  assert.deepEqual(await listener.heard.next(), { announcement: { protocol: "pcp", epochSeconds: 0 }, fromPort: port });
});

test("reboot(): the table emptied, uptime and epoch back to 0, both announcements sent; with announce false, none", async (t) => {
  const listener = await announcementListener(t);
  const { gateway, natPmp, clock } = await portControlSetUp(t, { portControlAnnounceTo: [listener.target] });
  await listener.heard.next();
  await listener.heard.next();
  await natPmp().map({ protocol: "UDP", internalPort: 9000 });
  clock.now += 100_000;
  assert.deepEqual([gateway.uptimeSeconds, gateway.epochSeconds], [100, 100]);
  await gateway.reboot();
  assert.deepEqual([gateway.mappings.length, gateway.uptimeSeconds, gateway.epochSeconds], [0, 0, 0]);
  assert.deepEqual((await listener.heard.next()).announcement, { protocol: "natpmp", epochSeconds: 0, externalAddress: publicAddress });
  assert.deepEqual((await listener.heard.next()).announcement, { protocol: "pcp", epochSeconds: 0 });
  clock.now += 7_000;
  await gateway.reboot({ announce: false });
  await gateway.setExternalAddress("198.51.100.3");
  assert.deepEqual((await listener.heard.next()).announcement, { protocol: "natpmp", epochSeconds: 0, externalAddress: "198.51.100.3" }, "the reboot announced nothing");
});

test("setExternalAddress (miniupnpd's SIGUSR1): a NAT-PMP announcement with the new address and the old epoch, then the epoch restarts and a PCP ANNOUNCE says 0; mappings and uptime stay", async (t) => {
  const listener = await announcementListener(t);
  const { gateway, pcp, clock } = await portControlSetUp(t, { portControlAnnounceTo: [listener.target] });
  await listener.heard.next();
  await listener.heard.next();
  await pcp().map({ protocol: "TCP", internalPort: 9010 });
  clock.now += 30_000;
  await gateway.setExternalAddress("198.51.100.4");
  assert.deepEqual((await listener.heard.next()).announcement, { protocol: "natpmp", epochSeconds: 30, externalAddress: "198.51.100.4" });
  assert.deepEqual((await listener.heard.next()).announcement, { protocol: "pcp", epochSeconds: 0 });
  assert.deepEqual([gateway.mappings.length, gateway.uptimeSeconds, gateway.epochSeconds], [1, 30, 0]);
  assert.equal(await (await gatewayFromUrl(gateway.descriptionUrl)).getExternalAddress(), "198.51.100.4");
});

for (const protocol of ["NAT-PMP", "PCP"] as const) {
  test(`${protocol} check() says the gateway restarted after reboot(), and not before`, async (t) => {
    const { gateway, natPmp, pcp, clock } = await portControlSetUp(t);
    const mapper = protocol === "NAT-PMP" ? natPmp() : pcp();
    const mapping = await mapper.map({ protocol: "UDP", internalPort: 9020 });
    clock.now += 100_000;
    assert.equal((await mapper.check(mapping)).gatewayRestarted, false);
    await gateway.reboot();
    assert.equal((await mapper.check(mapping)).gatewayRestarted, true);
  });

  test(`${protocol} watch() hears reboot() as a restart, and a new external address`, async (t) => {
    const { gateway, natPmp, pcp, clock } = await portControlSetUp(t);
    const mapper = protocol === "NAT-PMP" ? natPmp() : pcp();
    await mapper.map({ protocol: "UDP", internalPort: 9030 });
    clock.now += 100_000;
    const controller = new AbortController();
    t.after(() => controller.abort());
    const events = new EventQueue<GatewayEvent>();
    await mapper.watch(events.push, { signal: controller.signal });
    await gateway.reboot();
    assert.equal((await events.next()).type, "restarted");
    await gateway.setExternalAddress("198.51.100.5");
    assert.deepEqual(await events.next(), { type: "external-address", address: "198.51.100.5" });
  });
}

test("system-uptime-epoch (miniupnpd system_uptime=yes): reboot() empties the table but epoch and uptime carry on, so check() cannot tell", async (t) => {
  const { gateway, natPmp, clock } = await portControlSetUp(t, { profiles: ["system-uptime-epoch"] });
  const mapper = natPmp();
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 9040 });
  clock.now += 100_000;
  await gateway.reboot();
  assert.deepEqual([gateway.mappings.length, gateway.uptimeSeconds, gateway.epochSeconds], [0, 100, 100]);
  assert.equal((await mapper.check(mapping)).gatewayRestarted, false);
});
