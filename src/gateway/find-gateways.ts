import { UPNPResult } from "../compat/result-codes.js";
import { IGDStatus } from "../compat/result-codes.js";
import { InvalidArgumentError, NoGatewayError } from "../errors/errors.js";
import { ssdpSearchDefaults } from "../ssdp/ssdp-search-options.js";
import { searchSsdp, type SsdpReply, type SsdpSearchOptions } from "../ssdp/ssdp-search.js";
import { AsyncQueue } from "../util/async-queue.js";
import type { Gateway } from "./gateway.js";
import { probeGateway, type GatewayProbe, type ProbeOptions } from "./probe-gateway.js";

export interface FindGatewaysOptions extends Omit<SsdpSearchOptions, "signal" | "timeoutMs">, ProbeOptions {
  /** How long to listen for SSDP replies, in milliseconds. @default 2000 */
  timeoutMs?: number;
  /**
   * Most devices (distinct LOCATIONs) probed in one discovery; once reached, the search stops.
   * Anyone on the LAN can answer a search, so a flood of replies must not turn into a flood of
   * connections. With the listening time and `probeTimeoutMs` this bounds a whole discovery.
   * @default 16
   */
  maxDevices?: number;
}

/** Devices probed per discovery when the caller names no limit. */
export const defaultMaxDevices = 16;

export interface DiscoveredDevice {
  /** The first SSDP reply that named this description URL. */
  reply: SsdpReply;
  probe: GatewayProbe;
}

/**
 * Every device that answers the search, probed as soon as its reply arrives (one probe per
 * description URL, at most `maxDevices`), yielded in the order the probes finish. Ends at the
 * latest `timeoutMs + probeTimeoutMs` after the start.
 */
export async function* discoverDevices(options: FindGatewaysOptions = {}): AsyncGenerator<DiscoveredDevice> {
  const inner = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, inner.signal]) : inner.signal;
  const found = new AsyncQueue<DiscoveredDevice>();
  let pending = 0;
  let searching = true;
  const settle = (): void => {
    if (!searching && pending === 0) found.end();
  };
  const maxDevices = options.maxDevices ?? defaultMaxDevices;
  if (!Number.isInteger(maxDevices) || maxDevices < 1) throw new InvalidArgumentError(`maxDevices must be a whole number >= 1, got ${maxDevices}`);
  const search = async (): Promise<void> => {
    const probed = new Set<string>();
    for await (const reply of searchSsdp({ ...options, signal })) {
      if (probed.has(reply.location)) continue;
      probed.add(reply.location);
      pending++;
      // `timeoutMs` is the listening time here, not a probe's budget.
      probeGateway(reply.location, { ...options, timeoutMs: undefined, signal })
        .then((probe) => found.push({ reply, probe }), (error: unknown) => found.fail(error))
        .finally(() => {
          pending--;
          settle();
        });
      if (probed.size >= maxDevices) break;
    }
    searching = false;
    settle();
  };
  search().catch((error: unknown) => found.fail(error));
  try {
    yield* found;
  } finally {
    inner.abort();
  }
}

/** Every gateway (device with a WAN connection service) that answers, as soon as it is probed. */
export async function* findGateways(options: FindGatewaysOptions = {}): AsyncGenerator<Gateway> {
  for await (const { probe } of discoverDevices(options)) {
    if (probe.gateway) yield probe.gateway;
  }
}

export interface FindGatewayOptions extends FindGatewaysOptions {
  /**
   * Once a gateway is usable but not ideal (double NAT, disconnected), how long to wait for a
   * better one before settling. A connected gateway with a public address ends the search at once.
   * @default 150
   */
  graceMs?: number;
}

const stopSearching = Symbol("enough gateways");

function describeFailures(devices: DiscoveredDevice[]): string {
  return devices
    .map(({ probe }) => `${probe.descriptionUrl}: ${IGDStatus[probe.igdStatus]}${probe.error ? ` (${probe.error.message})` : ""}`)
    .join("; ");
}

/**
 * The best gateway on the network, returned as soon as it is known: the first connected gateway
 * with a public address ends the search; otherwise the best found within `graceMs` of the first
 * (ranked like miniupnpc). Rejects with `NoGatewayError` (`NO_DEVICES` when nothing answered,
 * `NO_GATEWAY` when nothing that answered can map ports).
 */
export async function findGateway(options: FindGatewayOptions = {}): Promise<Gateway> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const others: DiscoveredDevice[] = [];
  let best: Gateway | undefined;
  let grace: NodeJS.Timeout | undefined;
  try {
    for await (const device of discoverDevices({ ...options, signal })) {
      const gateway = device.probe.gateway;
      if (!gateway) {
        others.push(device);
        continue;
      }
      if (!best || gateway.status!.rank < best.status!.rank) best = gateway;
      if (best.status!.rank === 1) break;
      grace ??= setTimeout(() => stop.abort(stopSearching), options.graceMs ?? 150);
    }
  } catch (error) {
    if (!(stop.signal.aborted && stop.signal.reason === stopSearching)) throw error;
  } finally {
    clearTimeout(grace);
  }
  if (best) return best;
  if (others.length === 0) {
    throw new NoGatewayError(
      `no UPnP device answered within ${options.timeoutMs ?? ssdpSearchDefaults.timeoutMs} ms: UPnP may be off on the router, or multicast blocked on this network`,
      UPNPResult.NO_DEVICES,
    );
  }
  throw new NoGatewayError(`no usable gateway among ${others.length} device(s) that answered: ${describeFailures(others)}`);
}
