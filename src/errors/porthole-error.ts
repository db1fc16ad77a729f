/** The port-mapping protocols porthole speaks to a gateway. */
export type GatewayProtocol = "upnp" | "natpmp" | "pcp";

/**
 * Stable identifiers of porthole's errors, one per error class (as undici's `UND_ERR_*`): branch
 * on `error.code`, which survives bundling, minifying and a second copy of the package.
 */
export type PortholeErrorCode =
  | "PORTHOLE_INVALID_ARGUMENT"
  | "PORTHOLE_TIMEOUT"
  | "PORTHOLE_HTTP_ERROR"
  | "PORTHOLE_EMPTY_DESCRIPTION"
  | "PORTHOLE_INVALID_RESPONSE"
  | "PORTHOLE_SOCKET_ERROR"
  | "PORTHOLE_NO_GATEWAY"
  | "PORTHOLE_NO_EXTERNAL_ADDRESS"
  | "PORTHOLE_UPNP_ERROR"
  | "PORTHOLE_NATPMP_ERROR"
  | "PORTHOLE_PCP_ERROR"
  | "PORTHOLE_MAPPING_DROPPED"
  | "PORTHOLE_PORT_UNAVAILABLE"
  | "PORTHOLE_PORT_CLOSED";

export interface PortholeErrorOptions {
  code: PortholeErrorCode;
  /** The protocol whose gateway answered with `protocolCode`. */
  protocol?: GatewayProtocol | undefined;
  /** The gateway's own numeric code: UPnP `errorCode`, NAT-PMP or PCP result code. */
  protocolCode?: number | undefined;
  cause?: unknown;
}

/** Brand shared by every copy of porthole in a process, so `isPortholeError` works across realms and versions. */
const brand = Symbol.for("porthole.error");

/**
 * Base of every error porthole throws. `code` says what went wrong in porthole's own words;
 * `protocol` and `protocolCode` carry the gateway's answer when it sent one (e.g. `"upnp"`, 718).
 */
export class PortholeError extends Error {
  override name: string = "PortholeError";
  readonly code: PortholeErrorCode;
  readonly protocol: GatewayProtocol | undefined;
  readonly protocolCode: number | undefined;

  constructor(message: string, options: PortholeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.protocol = options.protocol;
    this.protocolCode = options.protocolCode;
    Object.defineProperty(this, brand, { value: true });
  }

  /** The UPnP error code when a UPnP gateway sent one, else undefined. */
  get upnpCode(): number | undefined {
    return this.protocol === "upnp" ? this.protocolCode : undefined;
  }
}

/**
 * True for an error thrown by any copy of porthole, even from another realm (a worker, a `vm`
 * context) or another installed version, where `instanceof PortholeError` is false.
 */
export function isPortholeError(value: unknown): value is PortholeError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
