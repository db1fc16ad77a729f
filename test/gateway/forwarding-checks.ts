/**
 * The end-to-end proof of a mapping: traffic from the ISP host to the gateway's WAN address and
 * external port reaches a listener on the LAN host, or (once the mapping is gone) does not.
 */
import assert from "node:assert/strict";
import { listenTcpOnLan, listenUdpOnLan, type LanListener } from "./lan-listeners.js";
import { connectTcpFromIsp, sendUdpFromIsp } from "./wan-probe.js";
import type { RigTopology } from "./rig-topology.js";

/** Long enough for a forwarded packet inside the namespaces, short enough to keep the suite fast. */
const arrivalTimeoutMs = 2_000;
/** How long to wait to be sure that nothing arrives. */
const silenceMs = 500;

let probeCount = 0;

/**
 * IPv4 goes to the gateway's WAN address and is translated (a NAT mapping); IPv6 goes straight to
 * the LAN host's own address and only passes the gateway's firewall (a pinhole).
 */
export type Family = 4 | 6;

/** How long the ISP host waits for a TCP handshake that an IPv6 firewall may drop silently. */
const droppedHandshakeMs = 1_000;

/** A UDP or TCP listener on the LAN host's IPv4 (or IPv6) address and `port`. */
export function listenOnLan(rig: RigTopology, protocol: "TCP" | "UDP", port: number, family: Family = 4): Promise<LanListener> {
  const address = family === 6 ? rig.lan.ipv6 : rig.lan.ipv4;
  return protocol === "UDP" ? listenUdpOnLan(rig, port, address) : listenTcpOnLan(rig, port, address);
}

/**
 * Sends a fresh payload from the ISP host to the WAN address and `externalPort`, and returns what
 * `listener` received: the payload itself when the gateway forwarded it, undefined when nothing
 * came within `waitMs`.
 */
async function probeThroughGateway(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number, waitMs: number, family: Family): Promise<{ sent: string; received: string | undefined }> {
  const sent = `probe ${++probeCount} to ${protocol} ${externalPort}`;
  const options = family === 6 ? { host: rig.lan.ipv6, timeoutMs: droppedHandshakeMs } : {};
  if (protocol === "UDP") {
    assert.equal((await sendUdpFromIsp(rig, externalPort, sent, options)).sent, true);
  } else {
    const outcome = await connectTcpFromIsp(rig, externalPort, sent, options);
    // Refused: the SYN reached the gateway itself, which has nothing on that port; timed out: a
    // firewall dropped it.
    if (!outcome.connected) return { sent, received: undefined };
  }
  return { sent, received: (await listener.nextArrival(waitMs))?.toString() };
}

/** Asserts that traffic to the gateway's `externalPort` (or over IPv6, to the LAN host's port) arrives at `listener`. */
export async function assertForwarded(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number, family: Family = 4): Promise<void> {
  const { sent, received } = await probeThroughGateway(rig, listener, protocol, externalPort, arrivalTimeoutMs, family);
  assert.equal(received, sent, `${protocol} to WAN port ${externalPort} should reach the LAN host's port ${listener.port}`);
}

/** Asserts that traffic to the gateway's `externalPort` (or over IPv6, to the LAN host's port) does not arrive at `listener`. */
export async function assertNotForwarded(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number, family: Family = 4): Promise<void> {
  const { received } = await probeThroughGateway(rig, listener, protocol, externalPort, silenceMs, family);
  assert.equal(received, undefined, `${protocol} to WAN port ${externalPort} should no longer reach the LAN host`);
}
