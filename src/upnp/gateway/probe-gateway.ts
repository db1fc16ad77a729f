import { EmptyDescriptionError, InvalidResponseError, NoGatewayError, PortholeError, TimeoutError } from "../../errors/errors.js";
import { checkCallOptions, checkRequiredString, checkTimeoutMs } from "../../util/check-arguments.js";
import { callEnded } from "../../util/call-scope.js";
import { startDeadline, withDeadline, type CallOptions } from "../../util/deadline.js";
import type { XmlLimits } from "../../xml/parse-xml.js";
import { servicesOnDescriptionHost, type RefusedService } from "../description/control-url-policy.js";
import type { DeviceDescription } from "../description/device-description.js";
import { fetchDeviceDescription } from "../description/fetch-description.js";
import { isUsableRank } from "./connection-status.js";
import { WanConnection } from "./wan-connection.js";

/**
 * What a probe concluded about one device:
 * - `usable`: a WAN connection service is connected with an external address (maybe behind double NAT);
 * - `disconnected`: it has WAN connection services, none connected with a usable address;
 * - `http-error`: the description or every status question failed (refused, HTTP error, time-out);
 * - `empty-description`: the description came back empty;
 * - `unknown-device`: the description is not a device description;
 * - `invalid-control`: a gateway whose control URLs may not be followed (another host, or none);
 * - `not-a-gateway`: a device without WAN connection services (a printer, a media renderer).
 */
export type ProbeVerdict = "usable" | "disconnected" | "http-error" | "empty-description" | "unknown-device" | "invalid-control" | "not-a-gateway";

/** What became of one device found by discovery or named by URL. */
export interface GatewayProbe {
  descriptionUrl: string;
  verdict: ProbeVerdict;
  /** The best WAN connection service, set whenever the device has one, even a disconnected one. */
  gateway: WanConnection | undefined;
  description: DeviceDescription | undefined;
  /** Why the verdict is not `usable`, when a request failed. */
  error: PortholeError | undefined;
  /** WAN connection services left out because their control URL is on another host. */
  refusedServices?: RefusedService[];
}

export interface ProbeOptions extends CallOptions {
  /**
   * Time budget of the whole probe: the description and the status questions of every WAN
   * connection service it lists. When it runs out the best service answered so far is kept, or
   * the probe's `error` is a `TimeoutError`.
   * @default 10000
   */
  timeoutMs?: number | undefined;
  /** Time budget of the description request. @default 3000 */
  descriptionTimeoutMs?: number | undefined;
  /** Time budget of each status question to the gateway. @default 5000 */
  controlTimeoutMs?: number | undefined;
  /** Largest description accepted, in bytes. @default 1048576 */
  maxDescriptionBytes?: number | undefined;
  /** Nesting and element limits of the description. @default { maxDepth: 64, maxElements: 20000 } */
  descriptionXmlLimits?: XmlLimits | undefined;
  /**
   * Drive WAN connection services whose control URL is on another host than the description.
   * Off, such a service is skipped (listed in `refusedServices`): a description is untrusted text
   * and must not make porthole POST to an arbitrary address.
   * @default false
   */
  allowForeignControlUrls?: boolean | undefined;
}

/** Time budget of one whole probe when the caller gives none. */
export const defaultProbeTimeoutMs = 10_000;

/**
 * WAN connection services asked at once, best first by type: real routers list one to three, and
 * a description is untrusted text that must not turn into hundreds of connections.
 */
export const maxProbedServices = 8;

function descriptionFailure(error: PortholeError): ProbeVerdict {
  if (error instanceof EmptyDescriptionError) return "empty-description";
  if (error instanceof InvalidResponseError) return "unknown-device";
  return "http-error";
}

/** Checks the probe options a caller passes (they are handed on to every device's probe). */
export function checkProbeOptions(options: ProbeOptions): void {
  checkCallOptions(options);
  checkTimeoutMs("descriptionTimeoutMs", options.descriptionTimeoutMs);
  checkTimeoutMs("controlTimeoutMs", options.controlTimeoutMs);
}

/**
 * Fetches a device's description, asks every WAN connection service it lists for its status at
 * once and keeps the best (connected with a public address before double NAT, then the
 * description's order). Every device gets its own answer (the engine gave every device the best
 * gateway's: flaw 1). Resolves within `timeoutMs`; rejects only when the caller aborts or with
 * `InvalidArgumentError` for bad options.
 */
export async function probeGateway(descriptionUrl: string, options: ProbeOptions = {}): Promise<GatewayProbe> {
  checkRequiredString("descriptionUrl", descriptionUrl);
  checkProbeOptions(options);
  const timeoutMs = options.timeoutMs ?? defaultProbeTimeoutMs;
  // Every step catches the budget's TimeoutError as this device's answer; only the caller's abort
  // comes out of here as a rejection.
  return withDeadline(`probing ${descriptionUrl}`, timeoutMs, options.signal, (signal) => probeWithin(descriptionUrl, options, signal));
}

function emptyProbe(descriptionUrl: string, verdict: ProbeVerdict, error: PortholeError | undefined): GatewayProbe {
  return { descriptionUrl, verdict, gateway: undefined, description: undefined, error };
}

async function probeWithin(descriptionUrl: string, options: ProbeOptions, signal: AbortSignal): Promise<GatewayProbe> {
  let fetched: Awaited<ReturnType<typeof fetchDeviceDescription>>;
  try {
    fetched = await fetchDeviceDescription(descriptionUrl, {
      signal,
      timeoutMs: options.descriptionTimeoutMs,
      maxBodyBytes: options.maxDescriptionBytes,
      xmlLimits: options.descriptionXmlLimits,
    });
  } catch (error) {
    // Only the caller's abort ends the probe with a rejection; a failure is this device's answer.
    if (!(error instanceof PortholeError) || options.signal?.aborted) throw error;
    return emptyProbe(descriptionUrl, descriptionFailure(error), error);
  }
  const { description, localAddress } = fetched;
  const { services, refused } = servicesOnDescriptionHost(description, options.allowForeignControlUrls);
  const probe: GatewayProbe = { ...emptyProbe(descriptionUrl, "not-a-gateway", undefined), description };
  if (refused.length > 0) probe.refusedServices = refused;
  if (services.length === 0) {
    probe.verdict = description.isGatewayDevice || refused.length > 0 ? "invalid-control" : "not-a-gateway";
    if (refused.length > 0) probe.error = new InvalidResponseError(refused.map((entry) => entry.reason).join("; "));
    return probe;
  }
  const connections = services.slice(0, maxProbedServices).map((service) => WanConnection.fromService(service, { descriptionUrl: description.descriptionUrl, description, localAddress }));
  const { best, error } = await bestConnection(connections, signal, options);
  probe.gateway = best;
  if (best === undefined) return { ...probe, verdict: "http-error", error };
  probe.verdict = isUsableRank(best.status!.rank) ? "usable" : "disconnected";
  probe.error = best.status!.problems[0];
  return probe;
}

/**
 * Asks every service for its status at once (a router may list a PPP and an IP connection, or
 * two IP connections of which only one is public) and returns the best. A connected service with
 * a public address ends the wait: nothing can beat it. Otherwise all are waited for, within the
 * probe's budget; when that runs out the best answered so far stands.
 */
async function bestConnection(connections: WanConnection[], signal: AbortSignal, options: ProbeOptions): Promise<{ best?: WanConnection; error?: PortholeError }> {
  // The probe's signal, and our own stop once a service can not be beaten.
  const asking = startDeadline("asking the WAN connection services", Infinity, signal);
  let enough = false;
  let best: { connection: WanConnection; order: number } | undefined;
  let error: PortholeError | undefined;
  try {
    await Promise.all(
      connections.map(async (connection, order) => {
        try {
          const { rank } = await connection.refreshStatus({ signal: asking.signal, timeoutMs: options.controlTimeoutMs });
          const bestRank = best?.connection.status!.rank;
          if (bestRank === undefined || rank < bestRank || (rank === bestRank && order < best!.order)) best = { connection, order };
          if (rank === 1 && !enough) {
            enough = true;
            asking.end(callEnded);
          }
        } catch (failure) {
          if (enough) return;
          if (!(failure instanceof PortholeError) || options.signal?.aborted) throw failure;
          error ??= failure;
        }
      }),
    );
  } finally {
    asking.dispose();
  }
  return best === undefined ? { error: error ?? new TimeoutError("probing the WAN connection services", options.timeoutMs ?? defaultProbeTimeoutMs) } : { best: best.connection };
}

/**
 * A gateway straight from its description URL, skipping discovery: the fast path for a gateway
 * remembered from an earlier run (godot PR #68276). `timeoutMs` bounds the whole call. Rejects
 * with `TimeoutError` when it runs out, and `NoGatewayError` when the URL does not lead to a WAN
 * connection service; a disconnected one is returned with its status.
 */
export async function gatewayFromUrl(descriptionUrl: string, options: ProbeOptions = {}): Promise<WanConnection> {
  const probe = await probeGateway(descriptionUrl, options);
  if (probe.gateway) return probe.gateway;
  if (probe.error instanceof TimeoutError) throw probe.error;
  throw new NoGatewayError(`${descriptionUrl} is not a usable gateway (${probe.verdict})${probe.error ? `: ${probe.error.message}` : ""}`, {
    cause: probe.error,
  });
}
