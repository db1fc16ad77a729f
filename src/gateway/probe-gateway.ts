import { IGDStatus } from "../compat/result-codes.js";
import type { DeviceDescription } from "../description/device-description.js";
import { fetchDeviceDescription } from "../description/fetch-description.js";
import { EmptyDescriptionError, HttpError, InvalidResponseError, NoGatewayError, PortholeError } from "../errors/errors.js";
import { servicesOnDescriptionHost, type RefusedService } from "../description/control-url-policy.js";
import { withDeadline, type CallOptions } from "../util/deadline.js";
import type { XmlLimits } from "../xml/parse-xml.js";
import { Gateway } from "./gateway.js";
import { igdStatusOf, type GatewayStatus } from "./gateway-status.js";

/** What became of one device found by discovery or named by URL. */
export interface GatewayProbe {
  descriptionUrl: string;
  /** The engine's validity code: OK, or why the device is not a usable gateway. */
  igdStatus: IGDStatus;
  /** Set whenever the device has a WAN connection service, even a disconnected one. */
  gateway: Gateway | undefined;
  description: DeviceDescription | undefined;
  /** Why `igdStatus` is not OK, when a request failed. */
  error: PortholeError | undefined;
  /** WAN connection services left out because their control URL is on another host. */
  refusedServices?: RefusedService[];
}

export interface ProbeOptions extends CallOptions {
  /** Time budget for fetching the description. @default 3000 */
  descriptionTimeoutMs?: number;
  /** Time budget for each status question to the gateway. @default 3000 */
  controlTimeoutMs?: number;
  /**
   * Time budget for the whole probe of one device: the description and the status questions of
   * every WAN connection service it lists. When it runs out the best service found so far is
   * kept, or the probe reports a `TimeoutError`.
   * @default 10000
   */
  probeTimeoutMs?: number;
  /** Largest description accepted, in bytes. @default 1048576 */
  maxDescriptionBytes?: number;
  /** Nesting and element limits of the description. @default { maxDepth: 64, maxElements: 20000 } */
  descriptionXmlLimits?: XmlLimits;
  /**
   * Drive WAN connection services whose control URL is on another host than the description.
   * Off, such a service is skipped (listed in `refusedServices`): a description is untrusted text
   * and must not make porthole POST to an arbitrary address.
   * @default false
   */
  allowForeignControlUrls?: boolean;
}

/** Time budget of one whole probe when the caller gives none. */
export const defaultProbeTimeoutMs = 10_000;

function descriptionFailure(error: PortholeError): IGDStatus {
  if (error instanceof EmptyDescriptionError) return IGDStatus.HTTP_EMPTY;
  if (error instanceof HttpError) return IGDStatus.HTTP_ERROR;
  if (error instanceof InvalidResponseError) return IGDStatus.UNKNOWN_DEVICE;
  return IGDStatus.HTTP_ERROR;
}

/**
 * Fetches a device's description, picks its WAN connection service and asks it for its status.
 * Every device gets its own answer (the engine gave every device the best gateway's: flaw 1).
 * The whole probe runs within `probeTimeoutMs`. Rejects only when the caller aborts.
 */
export async function probeGateway(descriptionUrl: string, options: ProbeOptions = {}): Promise<GatewayProbe> {
  const timeoutMs = options.probeTimeoutMs ?? defaultProbeTimeoutMs;
  return withDeadline(`probing ${descriptionUrl}`, timeoutMs, options.signal, (signal) => probeWithin(descriptionUrl, options, signal));
}

async function probeWithin(descriptionUrl: string, options: ProbeOptions, signal: AbortSignal): Promise<GatewayProbe> {
  const probe: GatewayProbe = { descriptionUrl, igdStatus: IGDStatus.UNKNOWN_ERROR, gateway: undefined, description: undefined, error: undefined };
  // Only the caller's abort ends the probe with a rejection; a failure, the probe's own budget
  // included, is this device's answer.
  const isOwnFailure = (error: unknown): error is PortholeError => error instanceof PortholeError && !options.signal?.aborted;
  let fetched: Awaited<ReturnType<typeof fetchDeviceDescription>>;
  try {
    fetched = await fetchDeviceDescription(descriptionUrl, {
      signal,
      timeoutMs: options.descriptionTimeoutMs,
      maxBodyBytes: options.maxDescriptionBytes,
      xmlLimits: options.descriptionXmlLimits,
    });
  } catch (error) {
    if (!isOwnFailure(error)) throw error;
    return { ...probe, igdStatus: descriptionFailure(error), error };
  }
  const { description, localAddress } = fetched;
  probe.description = description;
  const { services, refused } = servicesOnDescriptionHost(description, options.allowForeignControlUrls);
  if (refused.length > 0) probe.refusedServices = refused;
  if (services.length === 0) {
    const error = refused.length > 0 ? new InvalidResponseError(refused.map((entry) => entry.reason).join("; ")) : undefined;
    return { ...probe, igdStatus: description.isGatewayDevice || refused.length > 0 ? IGDStatus.INVALID_CONTROL : IGDStatus.NO_IGD, error };
  }
  // Several WAN connections (e.g. PPP and IP on one modem): prefer a connected one.
  for (const service of services) {
    const gateway = Gateway.fromService(service, { descriptionUrl: description.descriptionUrl, description, localAddress });
    let status: GatewayStatus;
    try {
      status = await gateway.refreshStatus({ signal, timeoutMs: options.controlTimeoutMs });
    } catch (error) {
      if (!isOwnFailure(error)) throw error;
      // The probe's budget ran out: the best service so far stands.
      if (probe.gateway === undefined) return { ...probe, igdStatus: IGDStatus.HTTP_ERROR, error };
      break;
    }
    if (probe.gateway === undefined || status.rank < probe.gateway.status!.rank) {
      probe.gateway = gateway;
      probe.igdStatus = igdStatusOf(status);
      probe.error = status.problems[0];
    }
    if (status.rank <= 2) break;
  }
  return probe;
}

/**
 * A gateway straight from its description URL, skipping discovery: the fast path for a gateway
 * remembered from an earlier run (godot PR #68276). Rejects with `NoGatewayError` when the URL
 * does not lead to a WAN connection service; a disconnected one is returned with its status.
 */
export async function gatewayFromUrl(descriptionUrl: string, options: ProbeOptions = {}): Promise<Gateway> {
  // Here `timeoutMs` is the budget of the whole call, as everywhere a single call takes it.
  const probe = await probeGateway(descriptionUrl, { ...options, probeTimeoutMs: options.probeTimeoutMs ?? options.timeoutMs });
  if (probe.gateway) return probe.gateway;
  throw new NoGatewayError(
    `${descriptionUrl} is not a usable gateway (${IGDStatus[probe.igdStatus]})${probe.error ? `: ${probe.error.message}` : ""}`,
  );
}
