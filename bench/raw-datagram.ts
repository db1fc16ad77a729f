/**
 * The floor of NAT-PMP and PCP: the same datagrams porthole sends, prepared as bytes up front and
 * exchanged on a fresh UDP socket (as each porthole request uses its own), nothing else.
 */
import dgram from "node:dgram";
import { once } from "node:events";
import { NATPMP_SERVER_PORT } from "../src/natpmp/natpmp-messages.js";

const rawTimeoutMs = 2_000;

/** Sends `bytes` to the gateway's port 5351 from a fresh socket and resolves with the first reply. */
export async function exchangeDatagram(gateway: string, bytes: Uint8Array): Promise<Buffer> {
  const socket = dgram.createSocket("udp4");
  try {
    socket.connect(NATPMP_SERVER_PORT, gateway);
    await once(socket, "connect");
    const reply = once(socket, "message", { signal: AbortSignal.timeout(rawTimeoutMs) });
    socket.send(bytes);
    return (await reply)[0] as Buffer;
  } finally {
    socket.close();
  }
}
