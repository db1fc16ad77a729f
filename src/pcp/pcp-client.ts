import { isIP, isIPv6 } from "node:net";
import { InvalidArgumentError, PcpError } from "../errors/errors.js";
import { EpochWatch } from "../port-control/epoch-watch.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { decodeNatPmpResponse } from "../natpmp/natpmp-responses.js";
import { malformed } from "../net/wire-fields.js";
import { checkExchangeOptions, exchangeUdp, type ExchangeOptions, type LocalEndpoint } from "../net/udp-exchange.js";
import { checkGatewayClientOptions, type GatewayClientOptions } from "../port-control/gateway-client-options.js";
import type { CallOptions } from "../util/deadline.js";
import { pcpEpochInvalid } from "./pcp-epoch.js";
import { ianaProtocolNumbers, PCP_NONCE_BYTES, PCP_VERSION, pcpOpcodes, pcpOptionCodes, type PcpRequest, type PcpResponse } from "./pcp-messages.js";
import { encodePcpRequest } from "./pcp-requests.js";
import { decodePcpResponse } from "./pcp-responses.js";

/** Time budget of one PCP request, resends included: sends at 0, about 3 and about 9 s (RFC 6887 §8.1.1). */
export const DEFAULT_PCP_TIMEOUT_MS = 10_000;
/** RFC 6887 §8.1.1: IRT 3 s, MRT 1024 s, each wait with ±10 % of jitter, no limit on sends. */
const rfcInitialRetransmitMs = 3_000;
const rfcMaxRetransmitMs = 1_024_000;

export interface PcpClientOptions extends GatewayClientOptions {
  /** Random numbers in [0, 1) for the resend jitter. @default Math.random */
  random?: (() => number) | undefined;
}

/** What every reply also tells. */
export interface PcpReplyInfo {
  /** The server's epoch in this reply (RFC 6887 §8.5). */
  epochSeconds: number;
  /** True when the epoch shows the server lost its state since its previous reply. */
  gatewayLostState: boolean;
  /** Our address toward the gateway, as sent in the request: the mapping's internal address. */
  localAddress: string;
}

/** A MAP request, in porthole's terms. */
export interface PcpMapRequest {
  /** 12 bytes; the same for every renewal and the delete of one mapping (see `PcpNonceSource`). */
  nonce: Uint8Array;
  protocol: TransportProtocol;
  internalPort: number;
  /** 0 lets the server choose. */
  suggestedExternalPort: number;
  /** @default any address of our address's family (`0.0.0.0` for IPv4, `::` for an IPv6 pinhole) */
  suggestedExternalAddress?: string | undefined;
  /** 0 deletes the mapping (RFC 6887 §15). */
  lifetimeSeconds: number;
  /** PREFER_FAILURE (RFC 6887 §13.2): refuse with CANNOT_PROVIDE_EXTERNAL rather than grant another port or address. */
  preferFailure?: boolean | undefined;
}

export interface PcpMapReply extends PcpReplyInfo {
  protocol: TransportProtocol;
  internalPort: number;
  /** Assigned; after a delete, what the server put there (miniupnpd: 0). */
  externalPort: number;
  externalAddress: string;
  /** Granted, which may be less or more than asked (miniupnpd clamps to 120..86400 s); 0 after a delete. */
  lifetimeSeconds: number;
}

/** The resend schedule of RFC 6887 §8.1.1: each wait twice the last, each with ±10 % of jitter, at most about 1024 s. */
export function* pcpRetransmitDelays(random: () => number = Math.random, initialMs = rfcInitialRetransmitMs): Generator<number> {
  const jitter = (): number => 1 + (random() * 0.2 - 0.1);
  let wait = jitter() * initialMs;
  for (;;) {
    yield wait;
    wait = jitter() * 2 * wait;
    if (wait > rfcMaxRetransmitMs) wait = jitter() * rfcMaxRetransmitMs;
  }
}

function sameNonce(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * A PCP client for one server (RFC 6887): ANNOUNCE and MAP, each over its own socket with
 * resends, every reply checked against the request (opcode, and for MAP the nonce, protocol and
 * internal port) and its epoch checked. A server that does not speak PCP version 2 (UNSUPP_VERSION,
 * or a NAT-PMP server's "unsupported version") makes the call reject with a `PcpError` whose
 * `natPmpFallback` is true: speak NAT-PMP to it (RFC 6887 §9).
 */
export class PcpClient {
  readonly gatewayAddress: string;
  readonly gatewayPort: number;
  /** The server's epochs as received; its `losses` count the times it lost its state. */
  readonly epoch: EpochWatch;
  readonly #localAddress: string | undefined;
  readonly #random: () => number;
  readonly #initialRetransmitMs: number;

  constructor(gatewayAddress: string, options: PcpClientOptions = {}) {
    if (typeof gatewayAddress !== "string" || isIP(gatewayAddress.split("%")[0]!) === 0) {
      throw new InvalidArgumentError(`the PCP server must be an IP address, got ${JSON.stringify(gatewayAddress)}`);
    }
    const checked = checkGatewayClientOptions(options, rfcInitialRetransmitMs);
    this.gatewayAddress = gatewayAddress;
    this.gatewayPort = checked.gatewayPort;
    this.#localAddress = checked.localAddress;
    this.#random = options.random ?? Math.random;
    this.#initialRetransmitMs = checked.initialRetransmitMs;
    this.epoch = new EpochWatch(pcpEpochInvalid, checked.now);
  }

  /** ANNOUNCE (RFC 6887 §14.1): the server's epoch, and the proof that it speaks PCP. */
  async announce(options: CallOptions = {}): Promise<PcpReplyInfo> {
    return this.#ask("ANNOUNCE", pcpOpcodes.announce, (local) => ({ kind: "announce", lifetimeSeconds: 0, clientAddress: local.address, options: [] }), options, (response) =>
      response.kind === "announce" ? {} : undefined,
    );
  }

  /**
   * MAP (RFC 6887 §11): creates, renews (same nonce) or deletes (lifetime 0) a mapping; rejects
   * with `PcpError` when refused. `onSent` tells when the server may have acted on it.
   */
  async map(request: PcpMapRequest, options: ExchangeOptions = {}): Promise<PcpMapReply> {
    if (!(request.nonce instanceof Uint8Array) || request.nonce.length !== PCP_NONCE_BYTES) {
      throw new InvalidArgumentError(`a PCP nonce has ${PCP_NONCE_BYTES} bytes`);
    }
    const what = `MAP ${request.lifetimeSeconds === 0 ? "delete " : ""}${request.protocol} ${request.internalPort}`;
    const protocol = ianaProtocolNumbers[request.protocol];
    const build = (local: LocalEndpoint): PcpRequest => ({
      kind: "map",
      lifetimeSeconds: request.lifetimeSeconds,
      clientAddress: local.address,
      map: {
        nonce: request.nonce,
        protocol,
        internalPort: request.internalPort,
        externalPort: request.suggestedExternalPort,
        externalAddress: request.suggestedExternalAddress ?? (isIPv6(local.address) ? "::" : "0.0.0.0"),
      },
      options: request.preferFailure === true ? [{ code: pcpOptionCodes.preferFailure, data: new Uint8Array(0) }] : [],
    });
    return this.#ask(what, pcpOpcodes.map, build, options, (response) => {
      // A refusal copies the request's fields (RFC 6887 §7.2), so its nonce is checked too.
      if (response.kind !== "map" || !sameNonce(response.map.nonce, request.nonce)) return undefined;
      const { map } = response;
      if (response.resultCode === 0 && (map.protocol !== protocol || map.internalPort !== request.internalPort)) return undefined;
      return { protocol: request.protocol, internalPort: map.internalPort, externalPort: map.externalPort, externalAddress: map.externalAddress, lifetimeSeconds: response.lifetimeSeconds };
    });
  }

  /**
   * Sends the request until a reply `read` takes, or a refusal of it comes; replies to other
   * requests are ignored. `read` sees only version-2 responses of the request's opcode.
   */
  #ask<T>(
    what: string,
    opcode: number,
    build: (local: LocalEndpoint) => PcpRequest,
    options: ExchangeOptions,
    read: (response: PcpResponse) => T | undefined,
  ): Promise<T & PcpReplyInfo> {
    checkExchangeOptions(options);
    return exchangeUdp({
      what: `PCP ${what} at ${this.gatewayAddress}`,
      host: this.gatewayAddress,
      port: this.gatewayPort,
      localAddress: this.#localAddress,
      request: (local) => encodePcpRequest(build(local)),
      retransmitDelaysMs: pcpRetransmitDelays(this.#random, this.#initialRetransmitMs),
      timeoutMs: options.timeoutMs ?? DEFAULT_PCP_TIMEOUT_MS,
      signal: options.signal,
      onSent: options.onSent,
      accept: (reply, local) => {
        if (reply[0] === 0) throw natPmpAnswer(what, reply);
        const response = decodePcpResponse(reply);
        if (response.version !== PCP_VERSION) throw new PcpError(what, response.resultCode, { lifetimeSeconds: response.lifetimeSeconds, serverVersion: response.version });
        const value = response.kind === "error" ? undefined : read(response);
        if (response.kind === "error" ? response.opcode !== opcode : value === undefined) return undefined;
        const gatewayLostState = this.epoch.observe(response.epochSeconds);
        if (response.resultCode !== 0) throw new PcpError(what, response.resultCode, { lifetimeSeconds: response.lifetimeSeconds });
        return { ...value!, epochSeconds: response.epochSeconds, gatewayLostState, localAddress: local.address };
      },
    });
  }
}

/**
 * A version-0 reply: a NAT-PMP server refusing PCP's version (RFC 6887 §9) means "speak NAT-PMP";
 * any other is malformed for a PCP request.
 */
function natPmpAnswer(what: string, reply: Buffer): Error {
  const response = decodeNatPmpResponse(reply);
  if (response.resultCode === 1) return new PcpError(what, 1, { serverVersion: 0 });
  return malformed("PCP", `a NAT-PMP reply with result ${response.resultCode} to a PCP request`);
}
