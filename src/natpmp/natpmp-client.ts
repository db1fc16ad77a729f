import { isIPv4 } from "node:net";
import { InvalidArgumentError, NatPmpError } from "../errors/errors.js";
import { EpochWatch } from "../port-control/epoch-watch.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { checkExchangeOptions, exchangeUdp, type ExchangeOptions } from "../net/udp-exchange.js";
import { checkGatewayClientOptions, type GatewayClientOptions } from "../port-control/gateway-client-options.js";
import type { CallOptions } from "../util/deadline.js";
import { natPmpEpochLost } from "./natpmp-epoch.js";
import { mapOpcode, natPmpOpcodes, type NatPmpRequest, type NatPmpResponse } from "./natpmp-messages.js";
import { encodeNatPmpRequest } from "./natpmp-requests.js";
import { decodeNatPmpResponse } from "./natpmp-responses.js";

/** Time budget of one NAT-PMP request, resends included: sends at 0, 0.25, 0.75, 1.75, 3.75 and 7.75 s. */
export const DEFAULT_NATPMP_TIMEOUT_MS = 10_000;
/** RFC 6886 §3.1: the first resend after 250 ms, each wait twice the one before, 9 sends at most. */
const rfcInitialRetransmitMs = 250;
const rfcMaxSends = 9;
/**
 * How long an external address the gateway gave stays fit to report beside a new mapping without
 * asking again, within one epoch: a gateway whose address changes starts a new epoch (RFC 6886
 * §3.6), and the bound covers one that does not.
 */
const externalAddressReuseMs = 60_000;

export type NatPmpClientOptions = GatewayClientOptions;

/** What every reply also tells. */
export interface NatPmpReplyInfo {
  /** The gateway's epoch in this reply (RFC 6886 §3.6). */
  epochSeconds: number;
  /** True when the epoch shows the gateway lost its mappings since its previous reply. */
  gatewayLostState: boolean;
  /** Our address toward the gateway, as the socket was bound: the mapping's internal client. */
  localAddress: string;
}

export interface NatPmpExternalAddressReply extends NatPmpReplyInfo {
  externalAddress: string;
}

export interface NatPmpMapReply extends NatPmpReplyInfo {
  protocol: TransportProtocol;
  internalPort: number;
  /** 0 after a delete. */
  externalPort: number;
  /** The lifetime granted; 0 after a delete. */
  lifetimeSeconds: number;
}

/** The resend schedule of RFC 6886 §3.1. */
export function* natPmpRetransmitDelays(initialMs = rfcInitialRetransmitMs): Generator<number> {
  for (let send = 1; send < rfcMaxSends; send++) yield initialMs * 2 ** (send - 1);
}

/** A PCP server's UNSUPP_VERSION (version 2, response bit, result 1): it does not speak NAT-PMP (RFC 6887 §9). */
function isPcpVersionRefusal(reply: Buffer): boolean {
  return reply.length >= 24 && reply[0] === 2 && (reply[1]! & 0x80) !== 0 && reply[3] === 1;
}

/**
 * A NAT-PMP client for one gateway (RFC 6886): the external address request and mapping
 * requests, each over its own socket with resends, and the gateway's epoch checked on every reply.
 */
export class NatPmpClient {
  readonly gatewayAddress: string;
  readonly gatewayPort: number;
  /** The gateway's epochs as received; its `losses` count the times it lost its mappings. */
  readonly epoch: EpochWatch;
  readonly #localAddress: string | undefined;
  readonly #initialRetransmitMs: number;
  readonly #now: () => number;
  /** The external address last given, with the epoch's losses and the time then. */
  #lastAddress: { address: string; losses: number; at: number } | undefined;

  constructor(gatewayAddress: string, options: NatPmpClientOptions = {}) {
    if (typeof gatewayAddress !== "string" || !isIPv4(gatewayAddress)) {
      throw new InvalidArgumentError(`NAT-PMP speaks to an IPv4 gateway address, got ${JSON.stringify(gatewayAddress)}`);
    }
    const checked = checkGatewayClientOptions(options, rfcInitialRetransmitMs);
    this.gatewayAddress = gatewayAddress;
    this.gatewayPort = checked.gatewayPort;
    this.#localAddress = checked.localAddress;
    this.#initialRetransmitMs = checked.initialRetransmitMs;
    this.#now = checked.now;
    this.epoch = new EpochWatch(natPmpEpochLost, checked.now);
  }

  /** The gateway's external IPv4 address (RFC 6886 §3.2); rejects with `NatPmpError` when refused. */
  async getExternalAddress(options: CallOptions = {}): Promise<NatPmpExternalAddressReply> {
    const reply = await this.#ask({ kind: "external-address" }, "external address request", options, (response) =>
      response.kind === "external-address" ? { externalAddress: response.externalAddress } : undefined,
    );
    this.#lastAddress = { address: reply.externalAddress, losses: this.epoch.losses, at: this.#now() };
    return reply;
  }

  /**
   * The external address the gateway gave last, if it did so in its current epoch and less than a
   * minute ago; undefined otherwise. A mapper reports it beside a new mapping instead of asking again.
   */
  recentExternalAddress(): string | undefined {
    const last = this.#lastAddress;
    return last !== undefined && last.losses === this.epoch.losses && this.#now() - last.at < externalAddressReuseMs ? last.address : undefined;
  }

  /**
   * Asks for a mapping, renews it (same internal port), or deletes it (lifetime 0, RFC 6886 §3.4);
   * rejects with `NatPmpError` when refused. `onSent` tells when the gateway may have acted on it.
   */
  async map(request: Omit<Extract<NatPmpRequest, { kind: "map" }>, "kind">, options: ExchangeOptions = {}): Promise<NatPmpMapReply> {
    const what = `${request.lifetimeSeconds === 0 ? "delete" : "map"} ${request.protocol} ${request.internalPort}`;
    return this.#ask({ kind: "map", ...request }, what, options, (response) =>
      response.kind === "map" && response.protocol === request.protocol && response.internalPort === request.internalPort
        ? { protocol: response.protocol, internalPort: response.internalPort, externalPort: response.externalPort, lifetimeSeconds: response.lifetimeSeconds }
        : undefined,
    );
  }

  /**
   * Sends `request` until a reply `read` takes (one that answers it: its kind, and for a mapping
   * its protocol and internal port) or a refusal of it comes; other replies are ignored.
   */
  #ask<T>(request: NatPmpRequest, what: string, options: ExchangeOptions, read: (response: NatPmpResponse) => T | undefined): Promise<T & NatPmpReplyInfo> {
    checkExchangeOptions(options);
    const bytes = encodeNatPmpRequest(request);
    const opcode = request.kind === "external-address" ? natPmpOpcodes.externalAddress : mapOpcode(request.protocol);
    return exchangeUdp({
      what: `NAT-PMP ${what} at ${this.gatewayAddress}`,
      host: this.gatewayAddress,
      port: this.gatewayPort,
      localAddress: this.#localAddress,
      request: () => bytes,
      retransmitDelaysMs: natPmpRetransmitDelays(this.#initialRetransmitMs),
      timeoutMs: options.timeoutMs ?? DEFAULT_NATPMP_TIMEOUT_MS,
      signal: options.signal,
      onSent: options.onSent,
      accept: (reply, local) => {
        if (isPcpVersionRefusal(reply)) throw new NatPmpError(`${what} (the gateway speaks PCP only)`, 1);
        const response = decodeNatPmpResponse(reply);
        const value = response.kind === "error" ? undefined : read(response);
        if (response.kind === "error" ? !refuses(opcode, response) : value === undefined) return undefined;
        const gatewayLostState = this.epoch.observe(response.epochSeconds);
        if (response.resultCode !== 0) throw new NatPmpError(what, response.resultCode);
        return { ...value!, epochSeconds: response.epochSeconds, gatewayLostState, localAddress: local.address };
      },
    });
  }
}

/** True when a refusal without fields answers a request of `opcode`. */
function refuses(opcode: number, response: Extract<NatPmpResponse, { kind: "error" }>): boolean {
  // An unsupported version may be answered with opcode 128 whatever was asked (RFC 6886 erratum 3618).
  return response.opcode === opcode || (response.resultCode === 1 && response.opcode === 0);
}
