/**
 * The least any NAT-PMP or PCP client must do beyond the bare datagrams, for the cold-map rows:
 * read the default route to find the server, send each request from a fresh socket (a PCP request
 * carries the client's own address, so it is built once the socket is bound), bound the wait, and
 * decode each reply and check its result (and PCP's nonce). No options checked, no resends, no
 * epoch, no caller's signal: what porthole takes beyond this row is its own layers.
 */
import { readFileSync } from "node:fs";
import { parseDefaultGateway } from "../src/net/default-gateway.js";
import { encodeNatPmpRequest } from "../src/natpmp/natpmp-requests.js";
import { decodeNatPmpResponse } from "../src/natpmp/natpmp-responses.js";
import { encodePcpRequest } from "../src/pcp/pcp-requests.js";
import { decodePcpResponse } from "../src/pcp/pcp-responses.js";
import { exchangeDatagram } from "./raw-datagram.js";

/** One request from a fresh socket, as the floor's, and its reply decoded. */
async function ask<T>(server: string, request: Parameters<typeof exchangeDatagram>[1], decode: (reply: Buffer) => T): Promise<T> {
  return decode(await exchangeDatagram(server, request));
}

function defaultGateway(interfaceName: string): string {
  const server = parseDefaultGateway(readFileSync("/proc/net/route", "utf8"), interfaceName);
  if (server === undefined) throw new Error("no default route");
  return server;
}

function refused(what: string, resultCode: number): Error {
  return new Error(`${what} refused: ${resultCode}`);
}

/** ANNOUNCE, then MAP of UDP `internalPort` for `lifetimeSeconds`, as findPortMapper(pcp) + map() ask. */
export async function leastPcpClientMap(interfaceName: string, internalPort: number, lifetimeSeconds: number, nonce: Uint8Array): Promise<void> {
  const server = defaultGateway(interfaceName);
  const announced = await ask(server, (clientAddress) => encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress, options: [] }), decodePcpResponse);
  if (announced.resultCode !== 0) throw refused("ANNOUNCE", announced.resultCode);
  const mapped = await ask(
    server,
    (clientAddress) => encodePcpRequest({ kind: "map", lifetimeSeconds, clientAddress, options: [], map: { nonce, protocol: 17, internalPort, externalPort: internalPort, externalAddress: "0.0.0.0" } }),
    decodePcpResponse,
  );
  if (mapped.resultCode !== 0 || mapped.kind !== "map" || !mapped.map.nonce.every((byte, i) => byte === nonce[i])) throw refused("MAP", mapped.resultCode);
}

/** The external address, then MAP of UDP `internalPort` for `lifetimeSeconds`, as findPortMapper(natpmp) + map() ask. */
export async function leastNatPmpClientMap(interfaceName: string, internalPort: number, lifetimeSeconds: number): Promise<void> {
  const server = defaultGateway(interfaceName);
  const address = await ask(server, encodeNatPmpRequest({ kind: "external-address" }), decodeNatPmpResponse);
  if (address.resultCode !== 0) throw refused("external address request", address.resultCode);
  const mapped = await ask(server, encodeNatPmpRequest({ kind: "map", protocol: "UDP", internalPort, suggestedExternalPort: internalPort, lifetimeSeconds }), decodeNatPmpResponse);
  if (mapped.resultCode !== 0) throw refused("MAP", mapped.resultCode);
}
