/**
 * The least any PCP client must do beyond the bare datagrams, for the cold-map rows: read the
 * default route to find the server, build each request once its socket is bound (PCP carries the
 * client's own address), bound the wait, and decode the reply and check its result and nonce. No
 * options checked, no resends, no epoch, no caller's signal: what porthole adds on top of this row
 * is its own layers.
 */
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { parseDefaultGateway } from "../src/net/default-gateway.js";
import { NATPMP_SERVER_PORT } from "../src/natpmp/natpmp-messages.js";
import { encodePcpRequest } from "../src/pcp/pcp-requests.js";
import { decodePcpResponse } from "../src/pcp/pcp-responses.js";
import type { PcpResponse } from "../src/pcp/pcp-messages.js";

const budgetMs = 2_000;

function ask(server: string, request: (clientAddress: string) => Uint8Array): Promise<PcpResponse> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const end = (settle: () => void): void => {
      clearTimeout(timer);
      socket.close();
      settle();
    };
    const timer = setTimeout(() => end(() => reject(new Error("no reply"))), budgetMs);
    socket.on("error", (error) => end(() => reject(error)));
    socket.on("message", (reply) => end(() => resolve(decodePcpResponse(reply))));
    socket.connect(NATPMP_SERVER_PORT, server, () => socket.send(request(socket.address().address)));
  });
}

/** ANNOUNCE, then MAP of UDP `internalPort` for `lifetimeSeconds`, as findPortMapper(pcp) + map() ask. */
export async function leastPcpClientMap(interfaceName: string, internalPort: number, lifetimeSeconds: number, nonce: Uint8Array): Promise<void> {
  const server = parseDefaultGateway(readFileSync("/proc/net/route", "utf8"), interfaceName);
  if (server === undefined) throw new Error("no default route");
  const announced = await ask(server, (clientAddress) => encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress, options: [] }));
  if (announced.resultCode !== 0) throw new Error(`ANNOUNCE refused: ${announced.resultCode}`);
  const mapped = await ask(server, (clientAddress) =>
    encodePcpRequest({ kind: "map", lifetimeSeconds, clientAddress, options: [], map: { nonce, protocol: 17, internalPort, externalPort: internalPort, externalAddress: "0.0.0.0" } }),
  );
  if (mapped.resultCode !== 0 || mapped.kind !== "map" || !mapped.map.nonce.every((byte, i) => byte === nonce[i])) throw new Error("MAP refused or not ours");
}
