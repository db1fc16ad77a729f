// The NAT-PMP reference client against the virtual gateway: `porthole gateway` bound to the LAN
// side address of the rig's gateway namespace, on NAT-PMP's own port 5351 (natpmpc knows no other),
// and natpmpc on the LAN host. upnpc lists what NAT-PMP made (one table for every protocol), and
// porthole's own NAT-PMP and PCP mappers meet natpmpc's mappings as they meet miniupnpd's.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { NatPmpPortMapper, PcpPortMapper, PortUnavailableError, type GatewayEvent } from "../../src/index.js";
import { EventQueue } from "../unit/support/event-queue.js";
import { startCliGateway, stopCliGateway, type RunningCliGateway } from "./cli-gateway.js";
import { addressWithNatpmpc, mapWithNatpmpc } from "./natpmpc-commands.js";
import { rigFromEnvironment } from "./rig.js";
import { listWithUpnpc } from "./upnpc-commands.js";

const rig = rigFromEnvironment();
const gatewayAddress = rig.gateway.lanIpv4;
/** Not reserved; only reported, never contacted. */
const externalAddress = "11.22.33.44";

async function virtualGatewayOn5351(t: TestContext): Promise<RunningCliGateway> {
  const running = await startCliGateway(rig, [
    "--address", gatewayAddress, "--multicast-interface", gatewayAddress, "--http-port", "5000", "--port-control-port", "5351", "--external-address", externalAddress,
  ]);
  t.after(async () => {
    assert.equal(await stopCliGateway(running), 0, running.stderr());
  });
  assert.deepEqual(running.info.portControl, { address: gatewayAddress, port: 5351 });
  return running;
}

test("natpmpc reads the virtual gateway's address and epoch, maps UDP and TCP through it, upnpc lists them, and lifetime 0 deletes them", async (t) => {
  const running = await virtualGatewayOn5351(t);
  const address = await addressWithNatpmpc(rig);
  assert.equal(address.publicAddress, externalAddress);
  assert.ok(address.epochSeconds >= 0 && address.epochSeconds < 60, `epoch ${address.epochSeconds}`);

  const udp = await mapWithNatpmpc(rig, { publicPort: 41000, privatePort: 41000, protocol: "UDP", lifetimeSeconds: 600 });
  assert.deepEqual(udp, { publicPort: 41000, protocol: "UDP", privatePort: 41000, lifetimeSeconds: 600 });
  const tcp = await mapWithNatpmpc(rig, { publicPort: 0, privatePort: 41001, protocol: "TCP", lifetimeSeconds: 3_600_000 });
  assert.deepEqual(tcp, { publicPort: 41001, protocol: "TCP", privatePort: 41001, lifetimeSeconds: 3_600_000 }, "port 0: the private port; the lifetime as asked");

  const listed = await listWithUpnpc(rig, running.info.descriptionUrl!);
  assert.deepEqual(
    listed.map((entry) => [entry.protocol, entry.externalPort, entry.internalClient, entry.internalPort, entry.description]),
    [
      ["UDP", 41000, rig.lan.ipv4, 41000, "NAT-PMP 41000 udp"],
      ["TCP", 41001, rig.lan.ipv4, 41001, "NAT-PMP 41001 tcp"],
    ],
  );

  const deleted = await mapWithNatpmpc(rig, { publicPort: 0, privatePort: 41000, protocol: "UDP", lifetimeSeconds: 0 });
  assert.deepEqual([deleted.publicPort, deleted.lifetimeSeconds], [0, 0]);
  assert.deepEqual((await listWithUpnpc(rig, running.info.descriptionUrl!)).map((entry) => entry.externalPort), [41001]);
  assert.match(running.stderr(), new RegExp(`NAT-PMP map UDP 41000 \\(suggested 41000, 600 s\\) from ${rig.lan.ipv4.replaceAll(".", "\\.")}:\\d+ → ok: external port 41000, 600 s`));
});

test("natpmpc asking for the public port porthole's NAT-PMP mapping holds is given another one (RFC 6886 §3.3), and porthole's PCP mapper is moved past natpmpc's", async (t) => {
  await virtualGatewayOn5351(t);
  const natPmp = new NatPmpPortMapper(gatewayAddress);
  const mine = await natPmp.map({ protocol: "UDP", internalPort: 41100 });
  assert.deepEqual([mine.externalAddress, mine.externalPort, mine.internalClient], [externalAddress, 41100, rig.lan.ipv4]);
  const theirs = await mapWithNatpmpc(rig, { publicPort: 41100, privatePort: 41101, protocol: "UDP", lifetimeSeconds: 600 });
  assert.notEqual(theirs.publicPort, mine.externalPort);

  const taken = await mapWithNatpmpc(rig, { publicPort: 41110, privatePort: 41111, protocol: "TCP", lifetimeSeconds: 600 });
  const pcp = new PcpPortMapper(gatewayAddress);
  const moved = await pcp.map({ protocol: "TCP", internalPort: 41112, externalPort: taken.publicPort });
  assert.notEqual(moved.externalPort, taken.publicPort);
  await assert.rejects(pcp.map({ protocol: "TCP", internalPort: 41113, externalPort: taken.publicPort, anyPort: false }), PortUnavailableError);
  await moved.release();
  await mine.release();
});

test("a mapping natpmpc made is removed by porthole's NAT-PMP unmap: upnpc lists nothing after", async (t) => {
  const running = await virtualGatewayOn5351(t);
  const made = await mapWithNatpmpc(rig, { publicPort: 41200, privatePort: 41200, protocol: "UDP", lifetimeSeconds: 600 });
  await new NatPmpPortMapper(gatewayAddress).unmap({ protocol: "UDP", internalPort: 41200, externalPort: made.publicPort });
  assert.deepEqual(await listWithUpnpc(rig, running.info.descriptionUrl!), []);
});

test("porthole's watch() on the LAN host hears the virtual gateway's start announcement on 224.0.0.1:5350, the group of a real gateway", async (t) => {
  const controller = new AbortController();
  t.after(() => controller.abort());
  const events = new EventQueue<GatewayEvent>();
  await new NatPmpPortMapper(gatewayAddress).watch(events.push, { signal: controller.signal });
  await virtualGatewayOn5351(t);
  assert.deepEqual(await events.next(), { type: "external-address", address: externalAddress });
});
