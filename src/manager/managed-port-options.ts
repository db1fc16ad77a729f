import type { MapRequest, PortMapper, TransportProtocol } from "../mapping/port-mapper.js";
import {
  checkBoolean,
  checkChoice,
  checkOptionsObject,
  checkPort,
  checkRequiredObject,
  checkSignal,
  checkString,
  checkTimeoutMs,
  checkWholeNumber,
  maxTimeoutMs,
} from "../util/check-arguments.js";
import { InvalidArgumentError } from "../errors/errors.js";
import type { Clock } from "./clock.js";
import { defaultRetryPolicy, type RetryPolicy } from "./retry-policy.js";

/** Where a manager gets its `PortMapper` from, and again whenever the one it had stops answering. */
export type FindMapper = (signal: AbortSignal) => Promise<PortMapper>;

/**
 * What to keep open, and how closely to watch it: a mapping request (see `MapRequest`: protocol,
 * internal and external port, lease, description) and how to manage it. The lease, when not
 * given, is the mapper's (3600 s on UPnP): finite, renewed about half-way through; 0 asks for a
 * permanent mapping, which is checked, never renewed, and removed on close.
 */
export interface ManagedPortOptions extends Omit<MapRequest, "anyPort"> {
  /**
   * When the external port is taken by another host, take another one and tell it with
   * `port-changed`. Off, a taken port is an `error` and is asked for again later. @default false
   */
  anyPort?: boolean | undefined;
  /** How often to ask the gateway whether the mapping still stands, in ms. @default 60000 */
  checkIntervalMs?: number | undefined;
  /**
   * Release the mapping when the process gets SIGINT or SIGTERM (see docs/managed-mappings.md for
   * exactly what happens to the program's own handling of those signals). @default false
   */
  releaseOnExit?: boolean | undefined;
  /** Time budget of `close()`, releasing the mapping included. @default 5000 */
  closeTimeoutMs?: number | undefined;
  /** Aborting it closes the port, as `close()` does. */
  signal?: AbortSignal | undefined;
}

/** What the many mappings of one manager share: where the gateway comes from, the clock, the pace. */
export interface MappingManagerOptions {
  /**
   * The gateway to use first. Without `findMapper`, the same one is asked again (with back-off)
   * when it stops answering.
   */
  mapper?: PortMapper | undefined;
  /**
   * Finds a gateway: at the start (unless `mapper` is given) and whenever the one in use stops
   * answering. @default PCP, NAT-PMP and UPnP asked at once (`findAnyPortMapper`)
   */
  findMapper?: FindMapper | undefined;
  /** Time and timers of every renewal, check and back-off. @default systemClock */
  clock?: Clock | undefined;
  /** Source of the jitter, from 0 (inclusive) to 1. @default Math.random */
  random?: (() => number) | undefined;
  /** Back-off between failed discoveries, and between refused attempts of one port. */
  retry?: RetryPolicy | undefined;
  /** Time budget of one `findMapper` call. @default 15000 */
  discoveryTimeoutMs?: number | undefined;
  /** Time budget of each request to the gateway (one map, renewal, check or release). @default 20000 */
  operationTimeoutMs?: number | undefined;
  /** Least time between two requests' starts, in ms: the pace the gateway is asked at. @default 10 */
  spacingMs?: number | undefined;
  /** Most requests to the gateway at once. @default 4 */
  concurrency?: number | undefined;
}

/** A port's settings, checked and with defaults. */
export interface PortSettings {
  readonly request: MapRequest & { protocol: TransportProtocol; anyPort: boolean };
  readonly checkIntervalMs: number;
  readonly releaseOnExit: boolean;
  readonly closeTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

export const defaultCheckIntervalMs = 60_000;
export const defaultCloseTimeoutMs = 5000;

export function checkPortOptions(options: ManagedPortOptions): PortSettings {
  checkRequiredObject("options", options);
  const protocol = checkChoice("protocol", options.protocol, ["TCP", "UDP", "tcp", "udp"] as const);
  if (protocol === undefined) throw new InvalidArgumentError('protocol must be "TCP" or "UDP"', "protocol");
  const internalPort = checkPort("internalPort", options.internalPort);
  return {
    request: {
      protocol: protocol.toUpperCase() as TransportProtocol,
      internalPort,
      externalPort: options.externalPort === undefined ? internalPort : checkPort("externalPort", options.externalPort),
      leaseSeconds: options.leaseSeconds === undefined ? undefined : checkWholeNumber("leaseSeconds", options.leaseSeconds, 0, 0xffffffff, "lease"),
      description: checkString("description", options.description),
      anyPort: checkBoolean("anyPort", options.anyPort) ?? false,
    },
    checkIntervalMs: options.checkIntervalMs === undefined ? defaultCheckIntervalMs : checkWholeNumber("checkIntervalMs", options.checkIntervalMs, 1, maxTimeoutMs),
    releaseOnExit: checkBoolean("releaseOnExit", options.releaseOnExit) ?? false,
    closeTimeoutMs: checkTimeoutMs("closeTimeoutMs", options.closeTimeoutMs) ?? defaultCloseTimeoutMs,
    signal: checkSignal("signal", options.signal),
  };
}

/** A manager's settings, checked and with defaults (the mapper source is resolved by the manager). */
export interface ManagerSettings {
  readonly clock: Clock | undefined;
  readonly random: () => number;
  readonly retry: Required<RetryPolicy>;
  readonly discoveryTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly spacingMs: number;
  readonly concurrency: number;
}

export function checkManagerOptions(options: MappingManagerOptions): ManagerSettings {
  checkOptionsObject("options", options);
  checkOptionsObject("retry", options.retry);
  if (options.findMapper !== undefined && typeof options.findMapper !== "function") throw new InvalidArgumentError("findMapper must be a function");
  if (options.random !== undefined && typeof options.random !== "function") throw new InvalidArgumentError("random must be a function");
  if (options.mapper !== undefined) checkRequiredObject("mapper", options.mapper);
  if (options.clock !== undefined) checkRequiredObject("clock", options.clock);
  const retry = {
    initialDelayMs: checkTimeoutMs("retry.initialDelayMs", options.retry?.initialDelayMs) ?? defaultRetryPolicy.initialDelayMs,
    maxDelayMs: checkTimeoutMs("retry.maxDelayMs", options.retry?.maxDelayMs) ?? defaultRetryPolicy.maxDelayMs,
  };
  return {
    clock: options.clock,
    random: options.random ?? Math.random,
    retry,
    discoveryTimeoutMs: checkTimeoutMs("discoveryTimeoutMs", options.discoveryTimeoutMs) ?? 15_000,
    operationTimeoutMs: checkTimeoutMs("operationTimeoutMs", options.operationTimeoutMs) ?? 20_000,
    spacingMs: checkTimeoutMs("spacingMs", options.spacingMs) ?? 10,
    concurrency: options.concurrency === undefined ? 4 : checkWholeNumber("concurrency", options.concurrency, 1, 1024),
  };
}
