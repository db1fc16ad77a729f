import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { findGateway, gatewayFromUrl, InvalidArgumentError, UpnpPortMapper, type VirtualGateway, type VirtualGatewayOptions } from "../../src/index.js";
import type { GatewayEvent } from "../../src/mapping/port-mapper.js";
import { searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";
import { freeUdpPort } from "./support/udp-inbox.js";
import { mappingArgs, soapCall } from "./virtual-gateway-test-client.js";

/** A clock the test moves by hand, shared by the gateway and the mapper. */
function fakeClock(): { now: () => number; advanceSeconds(seconds: number): void } {
  let time = 1_700_000_000_000;
  return { now: () => time, advanceSeconds: (seconds) => void (time += seconds * 1000) };
}

interface Watched {
  gateway: VirtualGateway;
  mapper: UpnpPortMapper;
  events: GatewayEvent[];
  /** Resolves with the events once `count` have been heard (fails the test after 3 s). */
  heard(count: number): Promise<GatewayEvent[]>;
}

/** A gateway that announces to a loopback port, found by search (so its BOOTID is known), and a mapper watching it. */
async function watchedGateway(t: TestContext, options: VirtualGatewayOptions = {}): Promise<Watched> {
  const port = await freeUdpPort();
  const gateway = await virtualGateway(t, { announceTo: [{ address: "127.0.0.1", port }], ...options });
  const connection = await findGateway(searchOnly(gateway));
  const mapper = new UpnpPortMapper(connection, { now: options.now, announcements: { address: "127.0.0.1", port } });
  const events: GatewayEvent[] = [];
  const waiters = new Set<() => void>();
  const watching = new AbortController();
  t.after(() => watching.abort());
  await mapper.watch(
    (event) => {
      events.push(event);
      for (const waiter of waiters) waiter();
    },
    { signal: watching.signal },
  );
  const heard = (count: number): Promise<GatewayEvent[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`heard ${events.length} of ${count} events`)), 3000);
      const check = (): void => {
        if (events.length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(events);
      };
      waiters.add(check);
      check();
    });
  return { gateway, mapper, events, heard };
}

test("watch() reports a reboot announced with a new BOOTID, once, and check() then says the older mapping's gateway restarted", async (t) => {
  const clock = fakeClock();
  const { gateway, mapper, events, heard } = await watchedGateway(t, { now: clock.now });
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 6100 });
  clock.advanceSeconds(60);
  assert.deepEqual(await mapper.check(mapping), { state: "present", gatewayRestarted: false });

  await gateway.reboot();
  const [event] = await heard(1);
  assert.equal(event?.type, "restarted");
  assert.match(event?.type === "restarted" ? event.reason : "", /BOOTID\.UPNP\.ORG 2 \(was 1\)/);
  assert.deepEqual(await mapper.check(mapping), { state: "missing", gatewayRestarted: true });

  const again = await mapper.map({ protocol: "UDP", internalPort: 6100 });
  assert.deepEqual(await mapper.check(again), { state: "present", gatewayRestarted: false }, "a mapping made after the reboot");
  assert.equal(events.length, 1, "the ten NOTIFYs of one reboot are one restart");
});

test("check() tells a silent reboot from the uptime: the gateway booted after the mapping was granted", async (t) => {
  const clock = fakeClock();
  const gateway = await virtualGateway(t, { now: clock.now });
  const mapper = new UpnpPortMapper(await gatewayFromUrl(gateway.descriptionUrl), { now: clock.now });
  const mapping = await mapper.map({ protocol: "TCP", internalPort: 6200 });
  clock.advanceSeconds(30);
  await gateway.reboot({ announce: false });
  clock.advanceSeconds(5);
  // Put back by someone else meanwhile: present, but the gateway still restarted since the grant.
  await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 6200, internalClient: mapping.internalClient }));
  assert.deepEqual(await mapper.check(mapping), { state: "present", gatewayRestarted: true });
  // Within the tolerance of whole-second uptimes a mapping granted right after the boot is not taken for older.
  const fresh = await mapper.map({ protocol: "TCP", internalPort: 6200 });
  clock.advanceSeconds(100);
  assert.deepEqual(await mapper.check(fresh), { state: "present", gatewayRestarted: false });
});

test("check() calls a mapping that now leads to another host missing", async (t) => {
  const gateway = await virtualGateway(t);
  const mapper = new UpnpPortMapper(await gatewayFromUrl(gateway.descriptionUrl));
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 6300 });
  await mapper.unmap(mapping);
  await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 6300, protocol: "UDP", internalClient: "192.0.2.9" }));
  assert.equal((await mapper.check(mapping)).state, "missing");
});

test("watch() reports byebye then alive of the same device, and its description moving to another HTTP port", async (t) => {
  const port = await freeUdpPort();
  const announceTo = [{ address: "127.0.0.1", port }];
  const uuid = "2b0c8f3e-7a51-4d7e-9c0a-6f1e2d3c4b5a";
  const first = await virtualGateway(t, { announceTo, uuid });
  const mapper = new UpnpPortMapper(await findGateway(searchOnly(first)), { announcements: { address: "127.0.0.1", port } });
  const events: GatewayEvent[] = [];
  const watching = new AbortController();
  t.after(() => watching.abort());
  let heard: () => void = () => {};
  await mapper.watch(
    (event) => {
      events.push(event);
      heard();
    },
    { signal: watching.signal },
  );
  const next = new Promise<void>((resolve) => (heard = resolve));
  await first.close();
  // The same router (same UUID and BOOTID) back on another HTTP port.
  await virtualGateway(t, { announceTo, uuid, bootId: first.bootId });
  await next;
  assert.equal(events.length, 1);
  assert.match(events[0]?.type === "restarted" ? events[0].reason : "", /byebye, then ssdp:alive/);
});

test("watch() hears nothing and binds nothing unless told where; bad listen options are refused at once", async (t) => {
  const gateway = await virtualGateway(t);
  const connection = await gatewayFromUrl(gateway.descriptionUrl);
  await new UpnpPortMapper(connection).watch(() => assert.fail("nothing can be heard"), { signal: AbortSignal.timeout(1) });
  assert.throws(() => new UpnpPortMapper(connection, { announcements: {} }), InvalidArgumentError);
  assert.throws(() => new UpnpPortMapper(connection, { announcements: { multicastInterface: "eth0" } }), InvalidArgumentError);
  assert.throws(() => new UpnpPortMapper(connection, { announcements: { address: "127.0.0.1", port: 70000 } }), InvalidArgumentError);
});

test("watch() rejects with the signal's reason when aborted before listening, and frees its port when aborted after", async (t) => {
  const gateway = await virtualGateway(t);
  const port = await freeUdpPort();
  const mapper = new UpnpPortMapper(await gatewayFromUrl(gateway.descriptionUrl), { announcements: { address: "127.0.0.1", port, socketOptions: { reuseAddr: false } } });
  await assert.rejects(mapper.watch(() => {}, { signal: AbortSignal.abort(new Error("stop")) }), /stop/);
  const watching = new AbortController();
  await mapper.watch(() => {}, { signal: watching.signal });
  await assert.rejects(mapper.watch(() => {}, { signal: new AbortController().signal }), (error: unknown) => (error as Error).name === "SocketError");
  watching.abort();
  await new Promise((resolve) => setImmediate(resolve));
  const again = new AbortController();
  await mapper.watch(() => {}, { signal: again.signal });
  again.abort();
});

test("internalClient: the mappings lead to another LAN host, and a renewal keeps them there", async (t) => {
  const gateway = await virtualGateway(t);
  const mapper = new UpnpPortMapper(await gatewayFromUrl(gateway.descriptionUrl), { internalClient: "127.0.0.5" });
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 9000, anyPort: false });
  assert.equal(mapping.internalClient, "127.0.0.5");
  await mapping.renew();
  assert.deepEqual(gateway.mappings.map((m) => [m.externalPort, m.internalClient]), [[9000, "127.0.0.5"]]);
  assert.equal((await mapper.check(mapping)).state, "present");
  assert.throws(() => new UpnpPortMapper(mapper.connection, { internalClient: 5 as unknown as string }), InvalidArgumentError);
});
