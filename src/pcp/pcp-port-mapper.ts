import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { InvalidArgumentError, NoExternalAddressError, SocketError } from "../errors/errors.js";
import type { AnnouncementListening } from "../port-control/gateway-announcement.js";
import { LeasedPortMapper, leaseKeyOf, outcomeIsKnown, type CheckedKey, type GrantedLease } from "../port-control/leased-port-mapper.js";
import { lifetimeForLease, type CheckedMapRequest } from "../mapping/map-request.js";
import { removalGraceMs } from "../mapping/port-mapper.js";
import { localAddressToward } from "../net/local-address.js";
import { withCallScope } from "../util/call-scope.js";
import { checkCallOptions, maxTimeoutMs } from "../util/check-arguments.js";
import type { CallOptions, SequentialBudget } from "../util/deadline.js";
import { DEFAULT_PCP_TIMEOUT_MS, PcpClient, type PcpClientOptions } from "./pcp-client.js";
import { randomNonce, type PcpNonceSource } from "./pcp-nonce.js";

export interface PcpPortMapperOptions extends PcpClientOptions, AnnouncementListening {
  /**
   * Gives each mapping its nonce (RFC 6887 §11.1). A PCP server renews and deletes a mapping only
   * for the nonce it was made with, so a program that must remove a mapping from another process
   * (the CLI's `unmap` after its `map`) passes `derivedNonces(secret)`. @default a fresh random
   * nonce per mapping, kept by this mapper (so only this mapper can remove it)
   */
  nonceFor?: PcpNonceSource | undefined;
}

/** How long the throw-away mapping that shows the external address may live (RFC 6887 §11.6); it is deleted at once. */
const addressProbeLifetimeSeconds = 60;
/**
 * How long the answer to that mapping's delete (RFC 6887 §15: MAP with lifetime 0) is waited for.
 * The address is known by then, and the gateway deletes the mapping when the request arrives: its
 * answer only confirms it. A gateway that does not answer must not hold the caller for the rest of
 * the budget; a delete lost on the way leaves a mapping to a closed port, gone with its short lifetime.
 */
const addressProbeDeleteWaitMs = 500;

/**
 * The one mapping interface (`PortMapper`) over PCP (RFC 6887). IPv4 mappings go through an IPv4
 * gateway address; an IPv6 gateway address makes IPv6 mappings (firewall pinholes). Every call
 * takes `timeoutMs` (default 10 s) for the whole call, and `signal`. A gateway that does not speak
 * PCP makes calls reject with a `PcpError` whose `natPmpFallback` is true.
 */
export class PcpPortMapper extends LeasedPortMapper {
  readonly client: PcpClient;
  readonly #nonceFor: PcpNonceSource | undefined;
  /** The nonces of this mapper's mappings by protocol and internal port, when they are random. */
  readonly #nonces = new Map<string, Uint8Array>();
  #localAddress: string | undefined;

  constructor(gatewayAddress: string, options: PcpPortMapperOptions = {}) {
    const client = new PcpClient(gatewayAddress, options);
    super({ method: "pcp", client, defaultTimeoutMs: DEFAULT_PCP_TIMEOUT_MS, options });
    this.client = client;
    if (options.nonceFor !== undefined && typeof options.nonceFor !== "function") throw new InvalidArgumentError("nonceFor must be a function");
    this.#nonceFor = options.nonceFor;
    this.#localAddress = options.localAddress;
  }

  /** PREFER_FAILURE when no other port will do; the reply carries the external address. */
  protected async grant(request: CheckedMapRequest, budget: SequentialBudget, onSent: () => void): Promise<GrantedLease> {
    const nonce = await this.#nonce(request);
    const granted = await this.client.map(
      { nonce, protocol: request.protocol, internalPort: request.internalPort, suggestedExternalPort: request.externalPort, lifetimeSeconds: lifetimeForLease(request.leaseSeconds), preferFailure: !request.anyPort },
      { ...budget.next(), onSent },
    );
    return { externalAddress: this.learnt(granted.externalAddress), externalPort: granted.externalPort, internalClient: granted.localAddress, lifetimeSeconds: granted.lifetimeSeconds };
  }

  /** RFC 6887 §15: MAP with lifetime 0 and the mapping's nonce. */
  protected async remove(key: CheckedKey, options: CallOptions): Promise<void> {
    const nonce = await this.#nonce(key);
    await this.client.map({ nonce, protocol: key.protocol, internalPort: key.internalPort, suggestedExternalPort: 0, lifetimeSeconds: 0 }, options);
    this.#nonces.delete(leaseKeyOf(key));
  }

  /** ANNOUNCE: the cheapest request whose reply carries the epoch; it says nothing of the address. */
  protected async askEpoch(options: CallOptions): Promise<undefined> {
    await this.client.announce(options);
    return undefined;
  }

  /**
   * PCP has no request for the external address alone: as RFC 6887 §11.6 suggests, it maps a
   * port for a moment and reads the address from the reply. The port is one of a socket held
   * meanwhile, so the mapping leads nowhere another program listens; it is deleted at once,
   * its answer waited for only briefly (`addressProbeDeleteWaitMs`).
   */
  async getExternalAddress(options: CallOptions = {}): Promise<string> {
    checkCallOptions(options);
    return withCallScope(`PCP external address at ${this.gatewayAddress}`, options.timeoutMs ?? DEFAULT_PCP_TIMEOUT_MS, options.signal, async (signal) => {
      const anchor = await bindAnchor(isIPv6(this.gatewayAddress.split("%")[0]!));
      try {
        const request = { nonce: randomNonce(), protocol: "UDP", internalPort: anchor.port, suggestedExternalPort: anchor.port } as const;
        let sent = false;
        const granted = await this.client.map({ ...request, lifetimeSeconds: addressProbeLifetimeSeconds }, { signal, timeoutMs: maxTimeoutMs, onSent: () => (sent = true) }).catch(async (error: unknown) => {
          // Unanswered, it may have been made all the same (RFC 6887 §11.3): deleted again as
          // `map()` does, off the call's signal, which has often ended.
          if (sent && !outcomeIsKnown(error)) await this.client.map({ ...request, lifetimeSeconds: 0 }, { timeoutMs: removalGraceMs }).catch(() => undefined);
          throw error;
        });
        await this.client.map({ ...request, lifetimeSeconds: 0 }, { signal, timeoutMs: addressProbeDeleteWaitMs }).catch(() => undefined);
        const usable = this.learnt(granted.externalAddress);
        if (usable === undefined) throw new NoExternalAddressError(granted.externalAddress);
        return usable;
      } finally {
        anchor.close();
      }
    });
  }

  /**
   * The mapping's nonce: from `nonceFor`, else the one this mapper made it with, else a fresh one,
   * kept before the request goes: a gateway may make the mapping and its reply be lost, and a
   * retry or a release must then carry the nonce it was made with (RFC 6887 §11.1).
   */
  async #nonce(key: { protocol: CheckedKey["protocol"]; internalPort: number }): Promise<Uint8Array> {
    if (this.#nonceFor === undefined) {
      const known = this.#nonces.get(leaseKeyOf(key));
      if (known !== undefined) return known;
      const fresh = randomNonce();
      this.#nonces.set(leaseKeyOf(key), fresh);
      return fresh;
    }
    this.#localAddress ??= await localAddressToward(this.client.gatewayAddress, this.client.gatewayPort);
    return this.#nonceFor({ internalAddress: this.#localAddress, internalPort: key.internalPort, protocol: key.protocol });
  }
}

/** A UDP socket on a free port, held while that port is mapped for a moment. */
function bindAnchor(ipv6: boolean): Promise<{ port: number; close(): void }> {
  const socket = dgram.createSocket(ipv6 ? "udp6" : "udp4");
  let open = true;
  const close = (): void => {
    if (open) socket.close();
    open = false;
  };
  return new Promise((resolve, reject) => {
    socket.on("error", (error) => {
      close();
      reject(new SocketError(`cannot bind a UDP socket: ${error.message}`, error));
    });
    socket.bind(0, () => resolve({ port: socket.address().port, close }));
  });
}
