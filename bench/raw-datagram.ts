/**
 * The floor of NAT-PMP and PCP: the same datagrams porthole sends, prepared as bytes up front and
 * exchanged on a fresh UDP socket (as each porthole request uses its own), nothing else. Callbacks
 * and a plain timer, no promises of events and no AbortSignal: those cost more than the
 * exchange's own work on this path, and the floor is the least that can be done.
 */
import dgram from "node:dgram";
import { NATPMP_SERVER_PORT } from "../src/natpmp/natpmp-messages.js";

const rawTimeoutMs = 2_000;

/**
 * Sends `request` to the gateway's port 5351 from a fresh socket and resolves with the first
 * reply. A function is given the socket's own address once bound (a PCP request carries it).
 */
export function exchangeDatagram(gateway: string, request: Uint8Array | ((clientAddress: string) => Uint8Array)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const end = (settle: () => void): void => {
      clearTimeout(timer);
      socket.close();
      settle();
    };
    const timer = setTimeout(() => end(() => reject(new Error(`no reply from ${gateway} within ${rawTimeoutMs} ms`))), rawTimeoutMs);
    socket.on("error", (error) => end(() => reject(error)));
    socket.on("message", (reply) => end(() => resolve(reply)));
    socket.connect(NATPMP_SERVER_PORT, gateway, () => socket.send(typeof request === "function" ? request(socket.address().address) : request));
  });
}
