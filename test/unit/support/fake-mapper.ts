import { leaseTimes, type GatewayEvent, type Mapping, type MappingCheck, type MappingKey, type MapRequest, type PortMapper } from "../../../src/mapping/port-mapper.js";
import type { CallOptions } from "../../../src/util/deadline.js";

/** What a test changes in the fake mapper's behaviour; each hook replaces one answer. */
export interface FakeMapperHooks {
  release?: (mapping: Mapping, options: CallOptions | undefined) => Promise<void>;
  check?: (mapping: Mapping) => Promise<MappingCheck>;
  watch?: (listener: (event: GatewayEvent) => void) => Promise<void>;
}

/** A PortMapper without a network: a table in memory, answers at once, every call counted. */
export class FakeMapper implements PortMapper {
  readonly method = "pcp";
  readonly gatewayAddress = "192.0.2.1";
  readonly table = new Map<number, MapRequest>();
  readonly calls: string[] = [];

  constructor(
    private readonly now: () => number,
    private readonly hooks: FakeMapperHooks = {},
  ) {}

  async map(request: MapRequest, _options?: CallOptions): Promise<Mapping> {
    this.calls.push("map");
    const externalPort = request.externalPort ?? request.internalPort;
    this.table.set(externalPort, request);
    const leaseSeconds = request.leaseSeconds ?? 3600;
    const mapping: Mapping = {
      method: this.method,
      protocol: request.protocol.toUpperCase() as "TCP" | "UDP",
      externalAddress: "198.51.100.10",
      externalPort,
      internalClient: "192.0.2.2",
      internalPort: request.internalPort,
      leaseSeconds,
      ...leaseTimes(this.now(), leaseSeconds),
      renew: (options) => this.map({ ...request, externalPort }, options),
      release: (options) => (this.hooks.release ?? ((released) => this.unmap(released)))(mapping, options),
    };
    return mapping;
  }

  async unmap(key: MappingKey): Promise<void> {
    this.calls.push("unmap");
    this.table.delete(key.externalPort);
  }

  async getExternalAddress(): Promise<string> {
    this.calls.push("getExternalAddress");
    return "198.51.100.10";
  }

  check(mapping: Mapping): Promise<MappingCheck> {
    this.calls.push("check");
    return this.hooks.check?.(mapping) ?? Promise.resolve({ state: this.table.has(mapping.externalPort) ? "present" : "missing", gatewayRestarted: false });
  }

  watch(listener: (event: GatewayEvent) => void): Promise<void> {
    return this.hooks.watch?.(listener) ?? Promise.resolve();
  }
}
