import { NoGatewayError, TimeoutError } from "../../errors/errors.js";
import { AsyncQueue } from "../../util/async-queue.js";
import { checkOptionsObject, checkTimeoutMs, checkWholeNumber, maxTimeoutMs } from "../../util/check-arguments.js";
import { callEnded } from "../../util/call-scope.js";
import { startDeadline } from "../../util/deadline.js";
import { ssdpSearchDefaults, type SsdpReply, type SsdpSearchOptions } from "../ssdp/ssdp-search-options.js";
import { parseBootId } from "../ssdp/ssdp-message.js";
import { searchSsdp } from "../ssdp/ssdp-search.js";
import { checkProbeOptions, defaultProbeTimeoutMs, probeGateway, type GatewayProbe, type ProbeOptions } from "./probe-gateway.js";
import type { WanConnection } from "./wan-connection.js";

export interface FindGatewaysOptions extends SsdpSearchOptions, Omit<ProbeOptions, "timeoutMs"> {
  /**
   * Time budget of the whole discovery, listening and probing included. When it runs out the
   * iteration rejects with `TimeoutError` (`findGateway` returns the best gateway found by then,
   * if any). @default listenMs + probeTimeoutMs, the longest a discovery takes on its own
   */
  timeoutMs?: number | undefined;
  /** Time budget of each device's probe (its description and status questions). @default 10000 */
  probeTimeoutMs?: number | undefined;
  /**
   * Most devices (distinct LOCATIONs) probed in one discovery; once reached, the search stops.
   * Anyone on the LAN can answer a search, so a flood of replies must not turn into a flood of
   * connections. @default 16
   */
  maxDevices?: number | undefined;
  /**
   * Which search replies lead to a probe; others are passed over (and do not use up
   * `maxDevices`). The Redot API uses it for the engine's `device_filter`. @default every reply
   */
  acceptReply?: ((reply: SsdpReply) => boolean) | undefined;
}

/** Devices probed per discovery when the caller names no limit. */
export const defaultMaxDevices = 16;

export interface DiscoveredDevice {
  /** The first SSDP reply that named this description URL. */
  reply: SsdpReply;
  probe: GatewayProbe;
}

interface DiscoveryPlan {
  budgetMs: number;
  probeTimeoutMs: number;
  maxDevices: number;
}

function planDiscovery(options: FindGatewaysOptions): DiscoveryPlan {
  checkOptionsObject("options", options);
  checkProbeOptions(options);
  const listenMs = checkTimeoutMs("listenMs", options.listenMs) ?? ssdpSearchDefaults.listenMs;
  const probeTimeoutMs = checkTimeoutMs("probeTimeoutMs", options.probeTimeoutMs) ?? defaultProbeTimeoutMs;
  return {
    // Capped: a timer longer than 2^31-1 ms fires at once (Node's TimeoutOverflowWarning), so a
    // probe budget given as "no limit" must not turn into no time at all.
    budgetMs: options.timeoutMs ?? Math.min(maxTimeoutMs, listenMs + probeTimeoutMs),
    probeTimeoutMs,
    maxDevices: checkWholeNumber("maxDevices", options.maxDevices ?? defaultMaxDevices, 1, 1024),
  };
}

/**
 * Every device that answers the search, probed as soon as its reply arrives (one probe per
 * description URL, at most `maxDevices`), yielded in the order the probes finish. Ends by itself
 * at the latest `listenMs + probeTimeoutMs` after the start; rejects with `TimeoutError` when
 * `timeoutMs` runs out first.
 */
export async function* discoverDevices(options: FindGatewaysOptions = {}): AsyncGenerator<DiscoveredDevice> {
  const plan = planDiscovery(options);
  // Its signal also stops the search and the probes still running once the caller stops reading.
  const deadline = startDeadline("discovering gateways", plan.budgetMs, options.signal);
  const { signal } = deadline;
  const found = new AsyncQueue<DiscoveredDevice>();
  let pending = 0;
  let searching = true;
  const settle = (): void => {
    if (!searching && pending === 0) found.end();
  };
  const probeOptions: ProbeOptions = { ...options, timeoutMs: plan.probeTimeoutMs, signal };
  const search = async (): Promise<void> => {
    const probed = new Set<string>();
    for await (const reply of searchSsdp({ ...options, signal })) {
      if (probed.has(reply.location) || options.acceptReply?.(reply) === false) continue;
      probed.add(reply.location);
      pending++;
      probeGateway(reply.location, probeOptions)
        .then(
          (probe) => {
            if (probe.gateway) probe.gateway.bootId = parseBootId(reply.headers["bootid.upnp.org"]);
            found.push({ reply, probe });
          },
          (error: unknown) => found.fail(error),
        )
        .finally(() => {
          pending--;
          settle();
        });
      if (probed.size >= plan.maxDevices) break;
    }
    searching = false;
    settle();
  };
  search().catch((error: unknown) => found.fail(error));
  try {
    yield* found;
  } finally {
    deadline.end(callEnded);
  }
}

/** Every gateway (device with a WAN connection service) that answers, as soon as it is probed. */
export async function* findGateways(options: FindGatewaysOptions = {}): AsyncGenerator<WanConnection> {
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
  graceMs?: number | undefined;
}

const stopSearching = Symbol("enough gateways");

function describeFailures(devices: readonly DiscoveredDevice[]): string {
  return devices
    .map(({ probe }) => `${probe.descriptionUrl}: ${probe.verdict}${probe.error ? ` (${probe.error.message})` : ""}`)
    .join("; ");
}

/**
 * The gateway `findGateway` chooses among the devices a discovery found: the best ranked (like
 * miniupnpc, see `GatewayRank`), the first found among equals. Throws `NoGatewayError` when none
 * is a gateway (`nothingAnswered` when no device answered a search that listened `listenMs`).
 */
export function bestGateway(devices: readonly DiscoveredDevice[], listenMs: number = ssdpSearchDefaults.listenMs): WanConnection {
  let best: WanConnection | undefined;
  for (const { probe } of devices) {
    if (probe.gateway && (!best || probe.gateway.status!.rank < best.status!.rank)) best = probe.gateway;
  }
  if (best) return best;
  if (devices.length === 0) {
    throw new NoGatewayError(`no UPnP device answered within ${listenMs} ms: UPnP may be off on the router, or multicast blocked on this network`, { nothingAnswered: true });
  }
  throw new NoGatewayError(`no usable gateway among ${devices.length} device(s) that answered: ${describeFailures(devices)}`);
}

/**
 * The best gateway on the network, returned as soon as it is known: the first connected gateway
 * with a public address ends the search; otherwise the best found within `graceMs` of the first
 * (`bestGateway`). Rejects with `NoGatewayError` (`nothingAnswered` when no device answered), or
 * `TimeoutError` when `timeoutMs` runs out before any gateway.
 */
export async function findGateway(options: FindGatewayOptions = {}): Promise<WanConnection> {
  const graceMs = checkTimeoutMs("graceMs", options.graceMs) ?? 150;
  // The caller's signal, and our own stop when the grace after a usable gateway is over.
  const scope = startDeadline("finding a gateway", Infinity, options.signal);
  const devices: DiscoveredDevice[] = [];
  let grace: NodeJS.Timeout | undefined;
  try {
    for await (const device of discoverDevices({ ...options, signal: scope.signal })) {
      devices.push(device);
      const rank = device.probe.gateway?.status!.rank;
      if (rank === undefined) continue;
      if (rank === 1) break;
      grace ??= setTimeout(() => scope.end(stopSearching), graceMs);
    }
  } catch (error) {
    const stoppedByUs = scope.signal.aborted && scope.signal.reason === stopSearching;
    const outOfTime = error instanceof TimeoutError && !options.signal?.aborted && devices.some(({ probe }) => probe.gateway);
    if (!stoppedByUs && !outOfTime) throw error;
  } finally {
    clearTimeout(grace);
    scope.dispose();
  }
  return bestGateway(devices, options.listenMs);
}
