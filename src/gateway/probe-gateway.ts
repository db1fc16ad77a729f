import { IGDStatus } from "../compat/result-codes.js";
import type { DeviceDescription } from "../description/device-description.js";
import { fetchDeviceDescription } from "../description/fetch-description.js";
import { HttpError, InvalidResponseError, NoGatewayError, PortholeError } from "../errors/errors.js";
import type { CallOptions } from "../util/deadline.js";
import { Gateway } from "./gateway.js";
import { igdStatusOf } from "./gateway-status.js";

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
}

export interface ProbeOptions extends CallOptions {
  /** Time budget for fetching the description. @default 3000 */
  descriptionTimeoutMs?: number;
  /** Time budget for each status question to the gateway. @default 3000 */
  controlTimeoutMs?: number;
}

function descriptionFailure(error: PortholeError): IGDStatus {
  if (error instanceof HttpError) return error.status === 200 ? IGDStatus.HTTP_EMPTY : IGDStatus.HTTP_ERROR;
  if (error instanceof InvalidResponseError) return IGDStatus.UNKNOWN_DEVICE;
  return IGDStatus.HTTP_ERROR;
}

/**
 * Fetches a device's description, picks its WAN connection service and asks it for its status.
 * Every device gets its own answer (the engine gave every device the best gateway's: flaw 1).
 * Rejects only when the caller aborts.
 */
export async function probeGateway(descriptionUrl: string, options: ProbeOptions = {}): Promise<GatewayProbe> {
  const probe: GatewayProbe = { descriptionUrl, igdStatus: IGDStatus.UNKNOWN_ERROR, gateway: undefined, description: undefined, error: undefined };
  let fetched: Awaited<ReturnType<typeof fetchDeviceDescription>>;
  try {
    fetched = await fetchDeviceDescription(descriptionUrl, { signal: options.signal, timeoutMs: options.descriptionTimeoutMs });
  } catch (error) {
    if (!(error instanceof PortholeError) || options.signal?.aborted) throw error;
    return { ...probe, igdStatus: descriptionFailure(error), error };
  }
  const { description, localAddress } = fetched;
  probe.description = description;
  const services = description.wanConnectionServices;
  if (services.length === 0) {
    return { ...probe, igdStatus: description.isGatewayDevice ? IGDStatus.INVALID_CONTROL : IGDStatus.NO_IGD };
  }
  // Several WAN connections (e.g. PPP and IP on one modem): prefer a connected one.
  for (const service of services) {
    const gateway = Gateway.fromService(service, { descriptionUrl: description.descriptionUrl, description, localAddress });
    const status = await gateway.refreshStatus({ signal: options.signal, timeoutMs: options.controlTimeoutMs });
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
  const probe = await probeGateway(descriptionUrl, options);
  if (probe.gateway) return probe.gateway;
  throw new NoGatewayError(
    `${descriptionUrl} is not a usable gateway (${IGDStatus[probe.igdStatus]})${probe.error ? `: ${probe.error.message}` : ""}`,
  );
}
