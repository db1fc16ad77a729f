// NAT-PMP and PCP against the real miniupnpd 2.3.1 (enable_natpmp=yes): mappings proven end to
// end with traffic from the ISP host, cross-checked with natpmpc and upnpc, and each behaviour
// of the daemon measured in ../shared/reference/pmp-pcp.md as a named test.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import dgram from "node:dgram";
import { fileURLToPath } from "node:url";
import { rigFromEnvironment, startMiniupnpd, type MiniupnpdOptions } from "./rig.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { listWithUpnpc } from "./upnpc-commands.js";
import { addressWithNatpmpc, mapWithNatpmpc } from "./natpmpc-commands.js";
import { derivedNonces, NatPmpError, NatPmpPortMapper, PcpClient, PcpError, PcpPortMapper, PortUnavailableError, randomNonce, resultNameOf, type GatewayEvent, type TransportProtocol } from "../../src/index.js";
import { decodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { EventQueue } from "../unit/support/event-queue.js";

const rig = rigFromEnvironment();
const gateway = rig.gateway.lanIpv4;

async function daemon(t: TestContext, options: MiniupnpdOptions = {}) {
  const running = await startMiniupnpd(rig, options);
  t.after(() => running.stop());
  return running;
}

async function lanListener(t: TestContext, protocol: TransportProtocol, port: number) {
  const listener = await listenOnLan(rig, protocol, port);
  t.after(() => listener.close());
  return listener;
}

const mappers = {
  "NAT-PMP": () => new NatPmpPortMapper(gateway),
  PCP: () => new PcpPortMapper(gateway),
} as const;

for (const [name, makeMapper] of Object.entries(mappers)) {
  for (const protocol of ["UDP", "TCP"] as const) {
    test(`${name} ${protocol}: the mapping forwards a packet from the ISP host to the LAN host, and after release it no longer does`, async (t) => {
      await daemon(t, { enableUpnp: false });
      const port = protocol === "UDP" ? 41100 : 41101;
      const listener = await lanListener(t, protocol, port);
      const mapper = makeMapper();
      const mapping = await mapper.map({ protocol, internalPort: port, leaseSeconds: 600 });
      assert.equal(mapping.method, name === "PCP" ? "pcp" : "natpmp");
      assert.equal(mapping.externalAddress, "11.22.33.44");
      assert.equal(mapping.externalPort, port);
      assert.equal(mapping.internalClient, rig.lan.ipv4);
      assert.equal(mapping.leaseSeconds, 600);
      await assertForwarded(rig, listener, protocol, mapping.externalPort);
      await mapping.release();
      await assertNotForwarded(rig, listener, protocol, mapping.externalPort);
    });
  }
}

test("NAT-PMP: porthole's mapping is in the daemon's table, as upnpc -l and natpmpc see it", async (t) => {
  const running = await daemon(t);
  const mapper = new NatPmpPortMapper(gateway);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 41200 });
  assert.equal(await mapper.getExternalAddress(), (await addressWithNatpmpc(rig)).publicAddress);
  const listed = await listWithUpnpc(rig, running.descriptionUrl);
  assert.deepEqual(
    listed.map((entry) => [entry.protocol, entry.externalPort, entry.internalClient, entry.internalPort]),
    [["UDP", 41200, rig.lan.ipv4, 41200]],
  );
  // natpmpc asking from the same host for the same private port gets porthole's mapping back:
  // the daemon knows it as this host's mapping of that port (RFC 6886 §3.3).
  const renewed = await mapWithNatpmpc(rig, { publicPort: 0, privatePort: 41200, protocol: "UDP", lifetimeSeconds: 600 });
  assert.equal(renewed.publicPort, mapping.externalPort);
});

test("NAT-PMP: natpmpc asking for the public port porthole holds is given another one (RFC 6886 §3.3), and the reverse", async (t) => {
  await daemon(t, { enableUpnp: false });
  const mapper = new NatPmpPortMapper(gateway);
  const mine = await mapper.map({ protocol: "UDP", internalPort: 41300 });
  const theirs = await mapWithNatpmpc(rig, { publicPort: 41300, privatePort: 41301, protocol: "UDP", lifetimeSeconds: 600 });
  assert.equal(theirs.privatePort, 41301);
  assert.notEqual(theirs.publicPort, mine.externalPort);
  const taken = await mapWithNatpmpc(rig, { publicPort: 41310, privatePort: 41311, protocol: "TCP", lifetimeSeconds: 600 });
  const second = await mapper.map({ protocol: "TCP", internalPort: 41312, externalPort: taken.publicPort });
  assert.notEqual(second.externalPort, taken.publicPort);
  await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 41313, externalPort: taken.publicPort, anyPort: false }), PortUnavailableError);
});

test("NAT-PMP: a mapping natpmpc made is removed by porthole's unmap, and forwards no more", async (t) => {
  await daemon(t, { enableUpnp: false });
  const listener = await lanListener(t, "UDP", 41400);
  const made = await mapWithNatpmpc(rig, { publicPort: 41400, privatePort: 41400, protocol: "UDP", lifetimeSeconds: 600 });
  await assertForwarded(rig, listener, "UDP", made.publicPort);
  await new NatPmpPortMapper(gateway).unmap({ protocol: "UDP", internalPort: 41400, externalPort: made.publicPort });
  await assertNotForwarded(rig, listener, "UDP", made.publicPort);
});

test("PCP lifetimes are clamped to 120..86400 s; the mapping reports the lifetime granted, not asked", async (t) => {
  await daemon(t, { enableUpnp: false });
  const mapper = new PcpPortMapper(gateway);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 41500, leaseSeconds: 10 })).leaseSeconds, 120);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 41501, leaseSeconds: 100_000 })).leaseSeconds, 86400);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 41502, leaseSeconds: 0 })).leaseSeconds, 86400);
});

test("NAT-PMP lifetimes are not clamped: 3,600,000 s is granted as asked (what nat-port-mapper's milliseconds bug gets)", async (t) => {
  await daemon(t, { enableUpnp: false });
  const mapping = await new NatPmpPortMapper(gateway).map({ protocol: "TCP", internalPort: 41510, leaseSeconds: 3_600_000 });
  assert.equal(mapping.leaseSeconds, 3_600_000);
  await mapping.release();
});

test("busy port: PCP is given the next free one", async (t) => {
  await daemon(t, { enableUpnp: false });
  const holder = await new NatPmpPortMapper(gateway).map({ protocol: "UDP", internalPort: 41600 });
  const mapping = await new PcpPortMapper(gateway).map({ protocol: "UDP", internalPort: 41605, externalPort: holder.externalPort });
  assert.ok(mapping.externalPort > holder.externalPort, `${mapping.externalPort}`);
});

test("PREFER_FAILURE is ignored for a busy port: the port granted anyway is released again, PortUnavailableError", async (t) => {
  const running = await daemon(t);
  const mapper = new PcpPortMapper(gateway);
  await mapper.map({ protocol: "UDP", internalPort: 41700 });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 41705, externalPort: 41700, anyPort: false }), (error: unknown) => {
    assert.ok(error instanceof PortUnavailableError, String(error));
    assert.equal(error.wantedPort, 41700);
    assert.equal(resultNameOf(error), "CONFLICT_WITH_OTHER_MAPPING");
    return true;
  });
  assert.deepEqual((await listWithUpnpc(rig, running.descriptionUrl)).map((entry) => entry.internalPort), [41700], "nothing left behind");
});

test("PREFER_FAILURE is honoured for a port the rules refuse: CANNOT_PROVIDE_EXTERNAL (11)", async (t) => {
  await daemon(t, { enableUpnp: false });
  await assert.rejects(new PcpPortMapper(gateway).map({ protocol: "TCP", internalPort: 41800, externalPort: 80, anyPort: false }), (error: unknown) => {
    assert.ok(error instanceof PcpError, String(error));
    assert.equal(error.resultName, "CANNOT_PROVIDE_EXTERNAL");
    return true;
  });
});

test("a wrong suggested external address is ignored, unless PREFER_FAILURE is set (then 11)", async (t) => {
  await daemon(t, { enableUpnp: false });
  const client = new PcpClient(gateway);
  const request = { protocol: "UDP", internalPort: 41850, suggestedExternalPort: 41850, suggestedExternalAddress: "1.2.3.4", lifetimeSeconds: 300 } as const;
  assert.equal((await client.map({ ...request, nonce: randomNonce() })).externalAddress, "11.22.33.44");
  await assert.rejects(client.map({ ...request, internalPort: 41851, nonce: randomNonce(), preferFailure: true }), (error: unknown) => error instanceof PcpError && error.resultCode === 11);
});

test("PCP delete with the wrong nonce is NOT_AUTHORIZED and the mapping keeps forwarding; the right nonce from a later process removes it", async (t) => {
  await daemon(t, { enableUpnp: false });
  const listener = await lanListener(t, "UDP", 41900);
  const secret = "gateway-test-secret";
  const mapping = await new PcpPortMapper(gateway, { nonceFor: derivedNonces(secret) }).map({ protocol: "UDP", internalPort: 41900 });
  await assert.rejects(new PcpPortMapper(gateway).unmap(mapping), (error: unknown) => error instanceof PcpError && error.resultName === "NOT_AUTHORIZED" && resultNameOf(error) === "NOT_AUTHORIZED");
  await assertForwarded(rig, listener, "UDP", mapping.externalPort);
  await unmapInAnotherProcess(secret, mapping.externalPort);
  await assertNotForwarded(rig, listener, "UDP", mapping.externalPort);
});

/** `porthole unmap` as the CLI will run it: a new Node process, the same secret, nothing else shared. */
async function unmapInAnotherProcess(secret: string, externalPort: number): Promise<void> {
  const index = fileURLToPath(new URL("../../src/index.js", import.meta.url));
  const script = `
    const { PcpPortMapper, derivedNonces } = await import(${JSON.stringify(index)});
    await new PcpPortMapper(${JSON.stringify(gateway)}, { nonceFor: derivedNonces(${JSON.stringify(secret)}) }).unmap({ protocol: "UDP", internalPort: 41900, externalPort: ${externalPort} });`;
  await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
}

test("miniupnpd quirk: a renewal with another nonce takes the mapping over, and the first nonce can no longer delete it", async (t) => {
  await daemon(t, { enableUpnp: false });
  const first = new PcpPortMapper(gateway);
  const mapping = await first.map({ protocol: "TCP", internalPort: 41950 });
  const second = new PcpPortMapper(gateway);
  assert.equal((await second.map({ protocol: "TCP", internalPort: 41950 })).externalPort, mapping.externalPort);
  await assert.rejects(mapping.release(), (error: unknown) => error instanceof PcpError && error.resultName === "NOT_AUTHORIZED");
  await second.unmap(mapping);
});

test("miniupnpd quirk: a PCP delete of a mapping that is not there is NO_RESOURCES, not success", async (t) => {
  await daemon(t, { enableUpnp: false });
  const mapping = await new PcpPortMapper(gateway).map({ protocol: "UDP", internalPort: 41960 });
  await mapping.release();
  await assert.rejects(mapping.release(), (error: unknown) => error instanceof PcpError && error.resultName === "NO_RESOURCES");
});

test("a client address that is not the sender's: ADDRESS_MISMATCH (12)", async (t) => {
  await daemon(t, { enableUpnp: false });
  const request = encodePcpRequest({
    kind: "map",
    lifetimeSeconds: 300,
    clientAddress: "192.0.2.99",
    map: { nonce: randomNonce(), protocol: 17, internalPort: 41970, externalPort: 41970, externalAddress: "0.0.0.0" },
    options: [],
  });
  const reply = await askOnce(request);
  const response = decodePcpResponse(reply);
  assert.equal(response.resultCode, 12);
  assert.equal(new PcpError("MAP", response.resultCode).resultName, "ADDRESS_MISMATCH");
});

/** Sends one datagram to the gateway's port 5351 and returns the first reply. */
function askOnce(bytes: Uint8Array): Promise<Buffer> {
  const socket = dgram.createSocket("udp4");
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no reply from the daemon")), 3_000);
    socket.on("message", (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.send(bytes, 5351, gateway);
  }).finally(() => socket.close());
}

test("private WAN address (no ext_ip): NAT-PMP answers 3 (network failure), PCP answers 8 (NO_RESOURCES)", async (t) => {
  await daemon(t, { enableUpnp: false, extIp: null });
  const natPmp = new NatPmpPortMapper(gateway);
  await assert.rejects(natPmp.getExternalAddress(), (error: unknown) => error instanceof NatPmpError && error.resultName === "NETWORK_FAILURE");
  await assert.rejects(natPmp.map({ protocol: "UDP", internalPort: 42000 }), (error: unknown) => {
    assert.ok(error instanceof NatPmpError && error.resultCode === 3, String(error));
    assert.equal(resultNameOf(error), "ACTION_FAILED");
    return true;
  });
  await assert.rejects(new PcpPortMapper(gateway).map({ protocol: "UDP", internalPort: 42000 }), (error: unknown) => {
    assert.ok(error instanceof PcpError && error.resultCode === 8, String(error));
    assert.equal(error.lifetimeSeconds, 30, "a short-lived error");
    assert.equal(resultNameOf(error), "NO_PORT_MAPS_AVAILABLE");
    return true;
  });
});

test("SIGUSR1 (external address changed): the epoch restarts at 0, check() says the gateway restarted, watch() hears the announcements", async (t) => {
  const running = await daemon(t, { enableUpnp: false });
  const natPmp = new NatPmpPortMapper(gateway);
  const pcp = new PcpPortMapper(gateway);
  const natPmpMapping = await natPmp.map({ protocol: "UDP", internalPort: 42100 });
  const pcpMapping = await pcp.map({ protocol: "UDP", internalPort: 42101 });
  // Epochs are whole seconds, and the rules allow 2 s of slack: let the daemon's epoch grow well
  // past that first, or its reset to 0 would look like reordering.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal((await natPmp.check(natPmpMapping)).gatewayRestarted, false);

  const controller = new AbortController();
  t.after(() => controller.abort());
  const heardByMapper = new EventQueue<GatewayEvent>();
  const heardFresh = new EventQueue<GatewayEvent>();
  // The real group and port, inside the rig's LAN namespace.
  await natPmp.watch(heardByMapper.push, { signal: controller.signal });
  await new NatPmpPortMapper(gateway).watch(heardFresh.push, { signal: controller.signal });
  process.kill(running.pid, "SIGUSR1");

  assert.equal((await heardByMapper.next()).type, "restarted");
  assert.deepEqual(await heardFresh.next(), { type: "external-address", address: "11.22.33.44" });
  assert.equal((await natPmp.check(natPmpMapping)).gatewayRestarted, true, "told by what watch() heard");
  assert.deepEqual(await pcp.check(pcpMapping), { state: "unknown", gatewayRestarted: true, externalAddress: undefined });
});

test("PCP over IPv6: MAP opens a pinhole for our own global address (the IPv6 issue builds on it)", async (t) => {
  await daemon(t, { enableUpnp: false });
  const mapper = new PcpPortMapper(rig.gateway.lanIpv6);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 42200 });
  assert.equal(mapping.internalClient, rig.lan.ipv6);
  assert.equal(mapping.externalAddress, rig.lan.ipv6);
  assert.equal(mapping.externalPort, 42200);
  await mapping.release();
});
