import { NoExternalAddressError } from "../errors/errors.js";
import type { AnnouncementListening } from "../port-control/gateway-announcement.js";
import { LeasedPortMapper, type CheckedKey, type GrantedLease } from "../port-control/leased-port-mapper.js";
import { lifetimeForLease, type CheckedMapRequest } from "../mapping/map-request.js";
import { withCallScope } from "../util/call-scope.js";
import { maxTimeoutMs } from "../util/check-arguments.js";
import type { CallOptions, SequentialBudget } from "../util/deadline.js";
import { DEFAULT_NATPMP_TIMEOUT_MS, NatPmpClient, type NatPmpClientOptions, type NatPmpMapReply } from "./natpmp-client.js";

export interface NatPmpPortMapperOptions extends NatPmpClientOptions, AnnouncementListening {}

/**
 * The one mapping interface (`PortMapper`) over NAT-PMP (RFC 6886). Every call takes `timeoutMs`
 * (default 10 s) for the whole call, and `signal`.
 */
export class NatPmpPortMapper extends LeasedPortMapper {
  readonly client: NatPmpClient;

  constructor(gatewayAddress: string, options: NatPmpPortMapperOptions = {}) {
    const client = new NatPmpClient(gatewayAddress, options);
    super({ method: "natpmp", client, defaultTimeoutMs: DEFAULT_NATPMP_TIMEOUT_MS, options });
    this.client = client;
  }

  /**
   * The mapping reply does not carry the external address (RFC 6886 §3.3), so it is asked at the
   * same moment, unless the gateway gave it a moment ago in this epoch (the protocol search's
   * question, a renewal's): then only a MAP reply that starts a new epoch makes it asked again.
   */
  protected async grant(request: CheckedMapRequest, budget: SequentialBudget, onSent: () => void): Promise<GrantedLease> {
    const map = { protocol: request.protocol, internalPort: request.internalPort, suggestedExternalPort: request.externalPort, lifetimeSeconds: lifetimeForLease(request.leaseSeconds) };
    const recent = this.client.recentExternalAddress();
    if (recent === undefined) {
      // A refused MAP ends the call at once: the address request, no longer waited for, stops with the scope.
      const { signal, timeoutMs } = budget.next();
      const [granted, externalAddress] = await withCallScope(`NAT-PMP map ${request.protocol} ${request.internalPort} and the external address`, timeoutMs, signal, (scope) => {
        const both = { signal: scope, timeoutMs: maxTimeoutMs };
        return Promise.all([this.client.map(map, { ...both, onSent }), this.#usableExternalAddress(both)]);
      });
      return leaseOf(granted, externalAddress);
    }
    const granted = await this.client.map(map, { ...budget.next(), onSent });
    // A reply that starts a new epoch may come with a new address (RFC 6886 §3.6): asked again.
    return leaseOf(granted, this.client.recentExternalAddress() === recent ? this.learnt(recent) : await this.#usableExternalAddress(budget.next()));
  }

  /** The external address if the gateway gives a usable one; its failure does not fail a mapping. */
  #usableExternalAddress(options: CallOptions): Promise<string | undefined> {
    return this.client.getExternalAddress(options).then(
      (reply) => this.learnt(reply.externalAddress),
      () => undefined,
    );
  }

  /** RFC 6886 §3.4: lifetime 0 and suggested port 0 delete the mapping of that internal port. */
  protected async remove(key: CheckedKey, options: CallOptions): Promise<void> {
    await this.client.map({ protocol: key.protocol, internalPort: key.internalPort, suggestedExternalPort: 0, lifetimeSeconds: 0 }, options);
  }

  protected async askEpoch(options: CallOptions): Promise<string | undefined> {
    return this.learnt((await this.client.getExternalAddress(options)).externalAddress);
  }

  async getExternalAddress(options?: CallOptions): Promise<string> {
    const reply = await this.client.getExternalAddress(options);
    const usable = this.learnt(reply.externalAddress);
    if (usable === undefined) throw new NoExternalAddressError(reply.externalAddress);
    return usable;
  }
}

function leaseOf(granted: NatPmpMapReply, externalAddress: string | undefined): GrantedLease {
  return { externalAddress, externalPort: granted.externalPort, internalClient: granted.localAddress, lifetimeSeconds: granted.lifetimeSeconds };
}
