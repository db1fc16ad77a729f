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

/** A UDP or TCP listener on the LAN host's address and `port`. */
export function listenOnLan(rig: RigTopology, protocol: "TCP" | "UDP", port: number): Promise<LanListener> {
  return protocol === "UDP" ? listenUdpOnLan(rig, port) : listenTcpOnLan(rig, port);
}

/**
 * Sends a fresh payload from the ISP host to the WAN address and `externalPort`, and returns what
 * `listener` received: the payload itself when the gateway forwarded it, undefined when nothing
 * came within `waitMs`.
 */
async function probeThroughGateway(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number, waitMs: number): Promise<{ sent: string; received: string | undefined }> {
  const sent = `probe ${++probeCount} to ${protocol} ${externalPort}`;
  if (protocol === "UDP") {
    assert.equal((await sendUdpFromIsp(rig, externalPort, sent)).sent, true);
  } else {
    const outcome = await connectTcpFromIsp(rig, externalPort, sent);
    // Refused: the SYN reached the gateway itself, which has nothing on that port.
    if (!outcome.connected) return { sent, received: undefined };
  }
  return { sent, received: (await listener.nextArrival(waitMs))?.toString() };
}

/** Asserts that traffic to the gateway's `externalPort` arrives at `listener`. */
export async function assertForwarded(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number): Promise<void> {
  const { sent, received } = await probeThroughGateway(rig, listener, protocol, externalPort, arrivalTimeoutMs);
  assert.equal(received, sent, `${protocol} to WAN port ${externalPort} should reach the LAN host's port ${listener.port}`);
}

/** Asserts that traffic to the gateway's `externalPort` does not arrive at `listener`. */
export async function assertNotForwarded(rig: RigTopology, listener: LanListener, protocol: "TCP" | "UDP", externalPort: number): Promise<void> {
  const { received } = await probeThroughGateway(rig, listener, protocol, externalPort, silenceMs);
  assert.equal(received, undefined, `${protocol} to WAN port ${externalPort} should no longer reach the LAN host`);
}
