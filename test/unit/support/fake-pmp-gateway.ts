/**
 * A small NAT-PMP + PCP gateway on loopback for the mapper tests, built on porthole's own codecs:
 * one mapping table for both protocols, as miniupnpd keeps. It knows just enough to tell whether
 * the mappers ask the right things (renewals keep the port, deletes need the nonce, busy ports
 * move on). The full virtual gateway is a separate piece of work.
 */
import type { TestContext } from "node:test";
import { type TransportProtocol } from "../../../src/index.js";
import { decodeNatPmpRequest } from "../../../src/natpmp/natpmp-requests.js";
import { decodePcpRequest } from "../../../src/pcp/pcp-requests.js";
import { encodeNatPmpResponse } from "../../../src/natpmp/natpmp-responses.js";
import { encodePcpResponse } from "../../../src/pcp/pcp-responses.js";
import { type PcpResponse } from "../../../src/pcp/pcp-messages.js";
import { startUdpResponder, unusedUdpPort, type Endpoint, type UdpResponder } from "./udp-responder.js";

export interface FakeMapping {
  protocol: TransportProtocol;
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
  nonce?: Uint8Array | undefined;
}

export interface FakePmpGatewayOptions {
  externalAddress?: string;
  /** External ports some other host holds. */
  busyPorts?: readonly number[];
  /** PCP lifetimes are clamped to this range, as miniupnpd does. */
  pcpLifetimeRange?: readonly [number, number];
  /** Honour PREFER_FAILURE for a busy port (miniupnpd does not). @default false */
  honourPreferFailure?: boolean;
  /** Answer every NAT-PMP / PCP request with this result code. */
  refuseWith?: number;
  /** Refuse (NOT_AUTHORIZED) a PCP MAP for a mapping made with another nonce, as RFC 6887 servers may; miniupnpd lets it take the mapping over. @default false */
  strictNonces?: boolean;
  /** While this returns true, requests take effect but their replies are lost on the way back. */
  loseReplies?: () => boolean;
}

export interface FakePmpGateway extends UdpResponder {
  readonly table: FakeMapping[];
  /** The epoch every reply carries; tests move it. */
  epochSeconds: number;
  externalAddress: string;
  /** Sends `bytes` from the gateway's port, as its announcements come. */
  announce(bytes: Uint8Array, to: Endpoint): Promise<void>;
}

const protocolNames: Readonly<Record<number, TransportProtocol>> = { 6: "TCP", 17: "UDP" };

export async function startFakePmpGateway(t: TestContext, options: FakePmpGatewayOptions = {}): Promise<FakePmpGateway> {
  const table: FakeMapping[] = [];
  const busy = new Set(options.busyPorts ?? []);
  // Read by the answers, which only run once the gateway below exists.
  let state: FakePmpGateway;
  const find = (protocol: TransportProtocol, internalPort: number): FakeMapping | undefined => table.find((m) => m.protocol === protocol && m.internalPort === internalPort);
  const taken = (protocol: TransportProtocol, port: number): boolean => busy.has(port) || table.some((m) => m.protocol === protocol && m.externalPort === port);
  const freePort = (protocol: TransportProtocol, from: number): number => {
    let port = from === 0 ? 40000 : from;
    while (taken(protocol, port)) port++;
    return port;
  };
  const remove = (mapping: FakeMapping): void => void table.splice(table.indexOf(mapping), 1);

  function answerNatPmp(bytes: Buffer): Uint8Array | undefined {
    const request = decodeNatPmpRequest(bytes);
    const header = { resultCode: options.refuseWith ?? 0, epochSeconds: state.epochSeconds };
    if (request.kind === "external-address") return encodeNatPmpResponse({ kind: "external-address", ...header, externalAddress: state.externalAddress });
    if (request.kind !== "map") return encodeNatPmpResponse({ kind: "error", opcode: request.opcode, ...header, resultCode: request.kind === "unsupported-version" ? 1 : 5 });
    const reply = (externalPort: number, lifetimeSeconds: number) => encodeNatPmpResponse({ kind: "map", ...header, protocol: request.protocol, internalPort: request.internalPort, externalPort, lifetimeSeconds });
    if (options.refuseWith !== undefined) return reply(0, 0);
    const existing = find(request.protocol, request.internalPort);
    if (request.lifetimeSeconds === 0) {
      if (existing !== undefined) remove(existing);
      return reply(0, 0);
    }
    const mapping = existing ?? { protocol: request.protocol, internalPort: request.internalPort, externalPort: freePort(request.protocol, request.suggestedExternalPort), lifetimeSeconds: 0 };
    mapping.lifetimeSeconds = request.lifetimeSeconds;
    if (existing === undefined) table.push(mapping);
    return reply(mapping.externalPort, mapping.lifetimeSeconds);
  }

  function answerPcp(bytes: Buffer): Uint8Array | undefined {
    const request = decodePcpRequest(bytes);
    const header = { version: 2, epochSeconds: state.epochSeconds };
    if (request.kind === "announce") return encodePcpResponse({ kind: "announce", ...header, resultCode: options.refuseWith ?? 0, lifetimeSeconds: 0, options: [] });
    if (request.kind !== "map") return undefined;
    const { map } = request;
    const protocol = protocolNames[map.protocol]!;
    const reply = (resultCode: number, externalPort: number, lifetimeSeconds: number): Uint8Array =>
      encodePcpResponse({ kind: "map", ...header, resultCode, lifetimeSeconds, map: { ...map, externalPort, externalAddress: state.externalAddress }, options: request.options } as PcpResponse);
    if (options.refuseWith !== undefined) return reply(options.refuseWith, 0, 30);
    const existing = find(protocol, map.internalPort);
    if (options.strictNonces === true && existing !== undefined && !Buffer.from(existing.nonce ?? []).equals(Buffer.from(map.nonce))) return reply(2, 0, 0);
    if (request.lifetimeSeconds === 0) {
      if (existing === undefined) return reply(0, 0, 0);
      if (!Buffer.from(existing.nonce ?? []).equals(Buffer.from(map.nonce))) return reply(2, 0, 0);
      remove(existing);
      return reply(0, 0, 0);
    }
    const preferFailure = request.options.some((option) => option.code === 2);
    if (existing === undefined && preferFailure && options.honourPreferFailure === true && taken(protocol, map.externalPort)) return reply(11, 0, 30);
    const [min, max] = options.pcpLifetimeRange ?? [0, 0xffffffff];
    const mapping = existing ?? { protocol, internalPort: map.internalPort, externalPort: freePort(protocol, map.externalPort), lifetimeSeconds: 0 };
    mapping.lifetimeSeconds = Math.min(max, Math.max(min, request.lifetimeSeconds));
    mapping.nonce = map.nonce;
    if (existing === undefined) table.push(mapping);
    return reply(0, mapping.externalPort, mapping.lifetimeSeconds);
  }

  const responder = await startUdpResponder(t, (bytes) => {
    const answer = bytes[0] === 0 ? answerNatPmp(bytes) : answerPcp(bytes);
    return options.loseReplies?.() === true ? undefined : answer;
  });
  state = Object.assign(responder, {
    table,
    epochSeconds: 100,
    externalAddress: options.externalAddress ?? "203.0.113.7",
    announce: (bytes: Uint8Array, to: Endpoint) => responder.send(bytes, to),
  });
  return state;
}

/**
 * A fake gateway, a clock the test moves, and the mapper options that point at both:
 * announcements listened for on a loopback port (never a multicast group), and a first resend
 * after a second, so that a test that counts datagrams does not see a resend on a busy machine
 * (with 20 ms, 6 of 8 runs side by side failed).
 */
export async function fakeGatewaySetUp(t: TestContext, gatewayOptions: FakePmpGatewayOptions = {}) {
  const gateway = await startFakePmpGateway(t, gatewayOptions);
  const clock = { now: 1_700_000_000_000 };
  const announcementPort = await unusedUdpPort();
  const options = { gatewayPort: gateway.port, initialRetransmitMs: 1000, now: () => clock.now, announcementAddress: "127.0.0.1", announcementPort };
  return { gateway, clock, announcementPort, options };
}
