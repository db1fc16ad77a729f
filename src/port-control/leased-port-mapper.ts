import { InvalidArgumentError, InvalidResponseError, NatPmpError, NoGatewayError, PcpError, PortholeError, PortUnavailableError } from "../errors/errors.js";
import { addressScope } from "../net/address-scope.js";
import { isUsableAddressScope } from "../net/address-scope.js";
import { checkCallOptions, checkPort, checkRequiredObject, checkSignal, checkString } from "../util/check-arguments.js";
import { SequentialBudget, type CallOptions } from "../util/deadline.js";
import type { EpochWatch } from "./epoch-watch.js";
import { listenForAnnouncements, type AnnouncementListening } from "./gateway-announcement.js";
import { GrantedMapping } from "../mapping/granted-mapping.js";
import { checkMappingKey, checkMapRequest, type CheckedMapRequest } from "../mapping/map-request.js";
import { methodName } from "../mapping/method-names.js";
import { removalGraceMs, type GatewayEvent, type Mapping, type MappingCheck, type MappingKey, type MapRequest, type PortMapper, type TransportProtocol } from "../mapping/port-mapper.js";
import { RestartLedger } from "./restart-ledger.js";
import type { GatewayClientOptions } from "./gateway-client-options.js";

/** What a NAT-PMP or PCP gateway granted for a request. */
export interface GrantedLease {
  externalAddress: string | undefined;
  externalPort: number;
  /** Our address toward the gateway, the one the mapping leads to. */
  internalClient: string;
  lifetimeSeconds: number;
}

/** The key of a mapping, checked. */
export interface CheckedKey {
  protocol: TransportProtocol;
  internalPort: number;
  externalPort: number;
}

/** What names a mapping to a NAT-PMP or PCP gateway: its protocol and internal port (with our address). */
export function leaseKeyOf(key: { protocol: TransportProtocol; internalPort: number }): string {
  return `${key.protocol}/${key.internalPort}`;
}

/**
 * Whether a request that failed was answered: refused with a result code, or met by ICMP port
 * unreachable (nothing listens there). A time-out, an abort or replies that could not be read
 * leave it unknown whether the gateway acted on it.
 */
export function outcomeIsKnown(error: unknown): boolean {
  return error instanceof NatPmpError || error instanceof PcpError || error instanceof NoGatewayError;
}

export interface LeasedPortMapperInit {
  method: "natpmp" | "pcp";
  /** The protocol's client: where the gateway is, and its epochs. */
  client: { gatewayAddress: string; gatewayPort: number; epoch: EpochWatch };
  defaultTimeoutMs: number;
  /** The mapper's options: its clock and where it listens for announcements. */
  options: Pick<GatewayClientOptions, "now"> & AnnouncementListening;
}

/**
 * What NAT-PMP and PCP mappers share: leases with an epoch, and announcements on port 5350. The
 * protocol fills in how a mapping is granted and removed, and which request shows the epoch.
 */
export abstract class LeasedPortMapper implements PortMapper {
  readonly method: "natpmp" | "pcp";
  readonly #gateway: { address: string; port: number };
  readonly #epoch: EpochWatch;
  readonly #defaultTimeoutMs: number;
  readonly #now: () => number;
  readonly #listening: AnnouncementListening;
  readonly #restarts: RestartLedger;
  /** The mappings (`leaseKeyOf`) this mapper was granted and has not removed: the caller knows of them. */
  readonly #held = new Set<string>();
  /** The external address last learnt, so that an announcement of the same one is no news. */
  #knownExternalAddress: string | undefined;

  constructor({ method, client, defaultTimeoutMs, options }: LeasedPortMapperInit) {
    this.method = method;
    this.#gateway = { address: client.gatewayAddress, port: client.gatewayPort };
    this.#epoch = client.epoch;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#listening = {
      announcementAddress: checkString("announcementAddress", options.announcementAddress),
      announcementPort: options.announcementPort === undefined ? undefined : checkPort("announcementPort", options.announcementPort),
    };
    this.#restarts = new RestartLedger(client.epoch);
  }

  get gatewayAddress(): string {
    return this.#gateway.address;
  }

  /**
   * Asks the gateway for a mapping (or the renewal of one), each request within what is left of
   * `budget`; the MAP request calls `onSent` as it goes out (see `ExchangeOptions`).
   */
  protected abstract grant(request: CheckedMapRequest, budget: SequentialBudget, onSent: () => void): Promise<GrantedLease>;
  /** Deletes a mapping. */
  protected abstract remove(key: CheckedKey, options: CallOptions): Promise<void>;
  /** A request whose reply carries the epoch; resolves with the external address when it learnt one. */
  protected abstract askEpoch(options: CallOptions): Promise<string | undefined>;
  abstract getExternalAddress(options?: CallOptions): Promise<string>;

  /**
   * Maps a port. With `anyPort: false`, a port other than the one asked is released again and the
   * call rejects with `PortUnavailableError`: NAT-PMP cannot ask for "that port or none", and
   * miniupnpd grants the next port even to a PCP request that prefers failure.
   */
  async map(request: MapRequest, options: CallOptions = {}): Promise<Mapping> {
    const checked = checkMapRequest(request, options);
    const what = `${methodName(this.method)} map ${checked.protocol} ${checked.internalPort}`;
    // Every request below is awaited in turn, so the budget is shared out rather than enforced by
    // a deadline (NAT-PMP's side request has a scope of its own).
    const budget = new SequentialBudget(options.timeoutMs ?? this.#defaultTimeoutMs, options.signal);
    const granted = await this.#grantOrWithdraw(checked, budget);
    if (granted.lifetimeSeconds === 0) throw new InvalidResponseError(`${what}: the gateway granted a lifetime of 0, which deletes the mapping`);
    if (!checked.anyPort && granted.externalPort !== checked.externalPort) {
      await this.#remove(checked, budget.next()).catch(() => undefined);
      throw new PortUnavailableError(checked.externalPort, granted.externalPort, this.method);
    }
    const mapping = new GrantedMapping(
      { method: this.method, protocol: checked.protocol, externalAddress: granted.externalAddress, externalPort: granted.externalPort, internalClient: granted.internalClient, internalPort: checked.internalPort, leaseSeconds: granted.lifetimeSeconds },
      this.#now(),
      {
        // A renewal asks for the same external port again, under the first request's port policy.
        renew: (mapping, renewOptions) => this.map({ ...checked, externalPort: mapping.externalPort }, renewOptions),
        release: (mapping, releaseOptions) => this.unmap(mapping, releaseOptions),
      },
    );
    this.#restarts.granted(mapping);
    this.#held.add(leaseKeyOf(checked));
    return mapping;
  }

  /**
   * A gateway acts on a MAP when it arrives (RFC 6886 §3.3, RFC 6887 §11.3), so one that went out
   * and was never answered may have made a mapping the caller will not hear of, which would stay
   * for the whole lifetime asked. It is deleted again, unless the caller holds it (a renewal).
   */
  async #grantOrWithdraw(request: CheckedMapRequest, budget: SequentialBudget): Promise<GrantedLease> {
    let sent = false;
    try {
      return await this.grant(request, budget, () => {
        sent = true;
      });
    } catch (error) {
      if (sent && !outcomeIsKnown(error) && !this.#held.has(leaseKeyOf(request))) await this.#withdraw(request);
      throw error;
    }
  }

  /**
   * Deletes a mapping the gateway may have made (RFC 6886 §3.4, RFC 6887 §15). A MAP sent and not
   * answered fails when the caller's budget ends or earlier (an abort, a socket error), so a delete
   * given `removalGraceMs` from then ends at most that much after the budget. Not on the caller's
   * signal, often the reason the MAP failed. A delete that fails as well leaves the mapping to its
   * lifetime; the caller gets the MAP's own error either way.
   */
  #withdraw(key: CheckedKey): Promise<void> {
    return this.remove(key, { timeoutMs: removalGraceMs }).catch(() => undefined);
  }

  /** Deletes a mapping; once the gateway confirmed it, the caller no longer holds it. */
  async #remove(key: CheckedKey, options: CallOptions): Promise<void> {
    await this.remove(key, options);
    this.#held.delete(leaseKeyOf(key));
  }

  /** Removes a mapping by its key, also one another process made (PCP: given the same nonce). */
  async unmap(key: MappingKey, options: CallOptions = {}): Promise<void> {
    return this.#remove(checkMappingKey(key, options), options);
  }

  /**
   * Sends a request whose reply carries the epoch: lower than expected means the gateway lost
   * every mapping (RFC 6886 §3.6, RFC 6887 §8.5). The mapping itself cannot be read back without
   * renewing it, so its state is `unknown`. A failed request says nothing, unless `signal` aborted.
   */
  async check(mapping: Mapping, options: CallOptions = {}): Promise<MappingCheck> {
    checkRequiredObject("mapping", mapping);
    checkCallOptions(options);
    const lossesBefore = this.#epoch.losses;
    let externalAddress: string | undefined;
    try {
      externalAddress = await this.askEpoch(options);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!(error instanceof PortholeError)) throw error;
    }
    return { state: "unknown", gatewayRestarted: this.#restarts.restartedSince(mapping, lossesBefore), externalAddress };
  }

  /**
   * Listens on 224.0.0.1:5350 (ff02::1 for an IPv6 gateway) for what the gateway announces: a
   * NAT-PMP address announcement with a new address is an `external-address` event (RFC 6886
   * §3.2.1); an epoch lower than expected in it or in a PCP ANNOUNCE (RFC 6887 §14.1.1) is a
   * `restarted` one. Both protocols' epochs are the gateway's one clock (miniupnpd announces a
   * restart with a PCP ANNOUNCE only), so each mapper reads both.
   */
  async watch(listener: (event: GatewayEvent) => void, options: { signal: AbortSignal }): Promise<void> {
    checkRequiredObject("options", options);
    if (checkSignal("signal", options.signal) === undefined) throw new InvalidArgumentError("watch() needs a signal: it listens until the signal aborts");
    await listenForAnnouncements(this.#gateway, this.#listening, options.signal, (announcement) => {
      if (this.#epoch.observe(announcement.epochSeconds)) {
        const kind = announcement.protocol === "pcp" ? "PCP ANNOUNCE" : "NAT-PMP address announcement";
        listener({ type: "restarted", reason: `${kind} with epoch ${announcement.epochSeconds} s, lower than expected: the gateway lost its mappings` });
      }
      if (announcement.protocol !== "natpmp") return;
      const previous = this.#knownExternalAddress;
      const address = this.learnt(announcement.externalAddress);
      if (address !== undefined && address !== previous) listener({ type: "external-address", address });
    });
  }

  /** Remembers a usable external address; undefined for one that is none (0.0.0.0, loopback and the like). */
  protected learnt(address: string): string | undefined {
    if (!isUsableAddressScope(addressScope(address))) return undefined;
    this.#knownExternalAddress = address;
    return address;
  }
}
