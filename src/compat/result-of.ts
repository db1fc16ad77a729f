import {
  HttpError,
  InvalidArgumentError,
  InvalidResponseError,
  MappingDroppedError,
  NatPmpError,
  NoGatewayError,
  PcpError,
  PortholeError,
  PortUnavailableError,
  SocketError,
  TimeoutError,
  UpnpActionError,
  type InvalidArgumentProblem,
} from "../errors/errors.js";
import type { ProbeVerdict } from "../upnp/gateway/probe-gateway.js";
import { IGDStatus, resultForUpnpCode, UPNPResult } from "./result-codes.js";

const resultByProblem: Readonly<Record<InvalidArgumentProblem, UPNPResult>> = {
  port: UPNPResult.INVALID_PORT,
  protocol: UPNPResult.INVALID_PROTOCOL,
  lease: UPNPResult.INVALID_DURATION,
  range: UPNPResult.INCONSISTENT_PARAMETERS,
  value: UPNPResult.INVALID_ARGS,
};

/**
 * The nearest engine code for each NAT-PMP result (RFC 6886 §3.5). 3 (network failure) is what a
 * gateway behind another NAT answers, as UPnP's 501 there, hence ACTION_FAILED; 1 and 5 say the
 * gateway cannot do what was asked at all, which the engine has no closer word for.
 */
const resultByNatPmpCode: ReadonlyMap<number, UPNPResult> = new Map([
  [1, UPNPResult.ACTION_FAILED],
  [2, UPNPResult.NOT_AUTHORIZED],
  [3, UPNPResult.ACTION_FAILED],
  [4, UPNPResult.NO_PORT_MAPS_AVAILABLE],
  [5, UPNPResult.ACTION_FAILED],
]);

/**
 * The nearest engine code for each PCP result (RFC 6887 §7.4), by meaning: the parse errors as
 * UPnP's 402 (INVALID_ARGS), ADDRESS_MISMATCH as UPnP's 606 for a client not allowed to map for
 * that address (NOT_AUTHORIZED), CANNOT_PROVIDE_EXTERNAL as a taken port (718), the resource
 * errors as a full table (728).
 */
const resultByPcpCode: ReadonlyMap<number, UPNPResult> = new Map([
  [1, UPNPResult.ACTION_FAILED],
  [2, UPNPResult.NOT_AUTHORIZED],
  [3, UPNPResult.INVALID_ARGS],
  [4, UPNPResult.ACTION_FAILED],
  [5, UPNPResult.INVALID_ARGS],
  [6, UPNPResult.INVALID_ARGS],
  [7, UPNPResult.ACTION_FAILED],
  [8, UPNPResult.NO_PORT_MAPS_AVAILABLE],
  [9, UPNPResult.INVALID_PROTOCOL],
  [10, UPNPResult.NO_PORT_MAPS_AVAILABLE],
  [11, UPNPResult.CONFLICT_WITH_OTHER_MAPPING],
  [12, UPNPResult.NOT_AUTHORIZED],
  [13, UPNPResult.ACTION_FAILED],
]);

/**
 * The `UPNPResult` the engine would return for a failure. porthole's errors speak porthole's own
 * vocabulary (`code`); this is the one place that turns them into the engine's codes.
 */
export function resultOf(error: unknown): UPNPResult {
  if (!(error instanceof PortholeError)) return UPNPResult.UNKNOWN_ERROR;
  if (error instanceof UpnpActionError) return resultForUpnpCode(error.upnpCode);
  if (error instanceof NatPmpError) return resultByNatPmpCode.get(error.resultCode) ?? UPNPResult.UNKNOWN_ERROR;
  if (error instanceof PcpError) return resultByPcpCode.get(error.resultCode) ?? UPNPResult.UNKNOWN_ERROR;
  if (error instanceof PortUnavailableError) return UPNPResult.CONFLICT_WITH_OTHER_MAPPING;
  if (error instanceof InvalidArgumentError) return resultByProblem[error.problem];
  if (error instanceof NoGatewayError) return error.nothingAnswered ? UPNPResult.NO_DEVICES : UPNPResult.NO_GATEWAY;
  if (error instanceof HttpError || error instanceof TimeoutError) return UPNPResult.HTTP_ERROR;
  if (error instanceof InvalidResponseError) return UPNPResult.INVALID_RESPONSE;
  if (error instanceof SocketError) return UPNPResult.SOCKET_ERROR;
  if (error instanceof MappingDroppedError) return UPNPResult.ACTION_FAILED;
  if (error.code === "PORTHOLE_NO_EXTERNAL_ADDRESS") return UPNPResult.ACTION_FAILED;
  return UPNPResult.UNKNOWN_ERROR;
}

/** The engine's name of `resultOf(error)`, e.g. `"CONFLICT_WITH_OTHER_MAPPING"`. */
export function resultNameOf(error: unknown): string {
  return UPNPResult[resultOf(error)] ?? "UNKNOWN_ERROR";
}

/** Runs a call the engine reports by result code: SUCCESS, or the failure's code, never a throw. */
export async function toResult(call: () => Promise<unknown>): Promise<UPNPResult> {
  try {
    await call();
    return UPNPResult.SUCCESS;
  } catch (error) {
    return resultOf(error);
  }
}

const igdStatusByVerdict: Readonly<Record<ProbeVerdict, IGDStatus>> = {
  usable: IGDStatus.OK,
  disconnected: IGDStatus.DISCONNECTED,
  "http-error": IGDStatus.HTTP_ERROR,
  "empty-description": IGDStatus.HTTP_EMPTY,
  "unknown-device": IGDStatus.UNKNOWN_DEVICE,
  "invalid-control": IGDStatus.INVALID_CONTROL,
  "not-a-gateway": IGDStatus.NO_IGD,
};

/** The engine's validity code for a probed device. */
export function igdStatusOf(verdict: ProbeVerdict): IGDStatus {
  return igdStatusByVerdict[verdict];
}
