/**
 * The virtual gateway's NAT-PMP/PCP server on loopback for tests: a fake clock shared by the
 * gateway and the mappers, mapper options that point at its port, a loopback port where it
 * announces (never a multicast group), a raw client for byte-level requests, and a relay that
 * loses requests or answers on the way.
 */
import dgram from "node:dgram";
import { EventEmitter, once } from "node:events";
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { NatPmpPortMapper, PcpPortMapper, type NatPmpPortMapperOptions, type PcpPortMapperOptions, type VirtualGateway, type VirtualGatewayOptions } from "../../../src/index.js";
import { decodeNatPmpRequest } from "../../../src/natpmp/natpmp-requests.js";
import { decodePcpRequest } from "../../../src/pcp/pcp-requests.js";
import { EventQueue } from "./event-queue.js";
import { startUdpResponder, unusedUdpPort, type Endpoint, type UdpResponder } from "./udp-responder.js";
import { virtualGateway } from "./virtual-gateway-fixture.js";

/** Not reserved, so porthole calls it a public address. */
export const publicAddress = "11.22.33.44";

export async function portControlSetUp(t: TestContext, options: VirtualGatewayOptions = {}) {
  const clock = { now: 1_700_000_000_000 };
  const announcementPort = await unusedUdpPort();
  const gateway = await virtualGateway(t, {
    externalAddress: publicAddress,
    now: () => clock.now,
    portControlAnnounceTo: [{ address: "127.0.0.1", port: announcementPort }],
    ...options,
  });
  // Resends are rare at 1 s, so a test sees one request per call.
  const mapperOptions = {
    gatewayPort: gateway.portControlAddress.port,
    initialRetransmitMs: 1000,
    now: () => clock.now,
    announcementAddress: "127.0.0.1",
    announcementPort,
  };
  return {
    gateway,
    clock,
    announcementPort,
    mapperOptions,
    natPmp: (extra: NatPmpPortMapperOptions = {}) => new NatPmpPortMapper("127.0.0.1", { ...mapperOptions, ...extra }),
    pcp: (extra: PcpPortMapperOptions = {}) => new PcpPortMapper("127.0.0.1", { ...mapperOptions, ...extra }),
  };
}

/** The NAT-PMP external address request and a PCP ANNOUNCE from 127.0.0.1: what probes a gateway. */
export const natPmpAddressRequest = Uint8Array.of(0, 0);
export const pcpAnnounceRequest = Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);

export interface RawClient extends Endpoint {
  /** Datagrams from the gateway not read yet. */
  readonly inbox: EventQueue<Buffer>;
  send(bytes: Uint8Array): Promise<void>;
  /** Sends `bytes` and returns the next datagram from the gateway. */
  ask(bytes: Uint8Array): Promise<Buffer>;
  /**
   * Sends `bytes`, then a probe, and checks that the next datagram is the probe's answer: the
   * gateway answers in order from one socket, so it stayed silent to `bytes` (no waiting on time).
   */
  assertSilentTo(bytes: Uint8Array, message?: string): Promise<void>;
}

/** A UDP socket on 127.0.0.1 that talks to the gateway's NAT-PMP/PCP port byte by byte. */
export async function rawClient(t: TestContext, gateway: VirtualGateway): Promise<RawClient> {
  const target = gateway.portControlAddress;
  const socket = dgram.createSocket("udp4");
  const inbox = new EventQueue<Buffer>();
  socket.on("message", (message, sender) => {
    if (sender.port === target.port) inbox.push(message);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const send = (bytes: Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => socket.send(bytes, target.port, target.address, (error) => (error ? reject(error) : resolve())));
  const probeWithNatPmp = gateway.protocols.natPmp;
  return {
    address: "127.0.0.1",
    port: socket.address().port,
    inbox,
    send,
    async ask(bytes) {
      await send(bytes);
      return inbox.next();
    },
    async assertSilentTo(bytes, message) {
      await send(bytes);
      await send(probeWithNatPmp ? natPmpAddressRequest : pcpAnnounceRequest);
      const next = await inbox.next();
      // The answer to the probe: a 12-byte NAT-PMP address response, or a 24-byte PCP ANNOUNCE response.
      const probeAnswer = probeWithNatPmp ? next.length === 12 && next[0] === 0 && next[1] === 128 : next.length === 24 && next[0] === 2 && next[1] === 128;
      assert.ok(probeAnswer, `${message ?? "the gateway answered"}: ${next.toString("hex")}`);
    },
  };
}

/** The lifetime a NAT-PMP or PCP MAP request asks for (0 deletes); undefined for any other request. */
export function mapLifetimeOf(bytes: Uint8Array): number | undefined {
  const request = bytes[0] === 0 ? decodeNatPmpRequest(bytes) : decodePcpRequest(bytes);
  return request.kind === "map" ? request.lifetimeSeconds : undefined;
}

/**
 * Gateway options that also count the deletes the gateway carries out (a MAP with lifetime 0
 * answered with success), and a wait until it has carried out `count` of them. A delete sent as a
 * call gives up may still be on its way through a relay when the call returns (a stalled event
 * loop runs the call's timer before the datagram's arrival), so a test waits for the gateway to
 * act on it rather than reading the table at once; it fails after 5 s instead of hanging.
 */
export function watchDeletes(options: VirtualGatewayOptions = {}): { options: VirtualGatewayOptions; carriedOut(count: number): Promise<void> } {
  const deletes = new EventEmitter();
  let carried = 0;
  return {
    options: {
      ...options,
      onActivity: (activity) => {
        options.onActivity?.(activity);
        if ((activity.type === "natpmp" || activity.type === "pcp") && activity.mapping?.lifetimeSeconds === 0 && activity.granted !== undefined) {
          carried++;
          deletes.emit("delete");
        }
      },
    },
    async carriedOut(count) {
      const signal = AbortSignal.timeout(5000);
      while (carried < count) {
        await once(deletes, "delete", { signal }).catch(() => {
          throw new Error(`the gateway carried out ${carried} delete(s), not ${count}`);
        });
      }
    },
  };
}

/**
 * What a relay does with a request: passes it and its answer on, drops it (the gateway never sees
 * it), or passes it and drops the answer (the gateway acts on it, the client never hears).
 */
export type RelayRoute = "pass" | "drop-request" | "drop-answer";

/** A UDP relay on 127.0.0.1 between a client and the gateway's NAT-PMP/PCP port; `route` decides each request's fate. */
export async function startRelay(t: TestContext, gateway: VirtualGateway, route: (bytes: Buffer) => RelayRoute): Promise<UdpResponder> {
  const upstream = await rawClient(t, gateway);
  return startUdpResponder(t, async (bytes) => {
    const way = route(bytes);
    if (way === "drop-request") return undefined;
    const answer = await upstream.ask(bytes);
    return way === "pass" ? answer : undefined;
  });
}
