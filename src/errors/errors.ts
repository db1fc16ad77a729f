import { PortholeError } from "./porthole-error.js";

export { PortholeError, isPortholeError, type PortholeErrorCode, type PortholeErrorOptions, type GatewayProtocol } from "./porthole-error.js";
export { NatPmpError, natPmpResultCodes, type ResultCodeMeaning } from "./natpmp-error.js";
export { PcpError, pcpResultCodes } from "./pcp-error.js";

/** Which part of a call was refused: the Redot API reports each as its own result code. */
export type InvalidArgumentProblem = "port" | "protocol" | "lease" | "range" | "value";

/** A bad argument from the caller, caught before any network traffic. */
export class InvalidArgumentError extends PortholeError {
  override name = "InvalidArgumentError";
  /** What was wrong: a port, a protocol name, a lease, a range that ends before it starts, or another value. */
  readonly problem: InvalidArgumentProblem;

  constructor(message: string, problem: InvalidArgumentProblem = "value") {
    super(message, { code: "PORTHOLE_INVALID_ARGUMENT" });
    this.problem = problem;
  }
}

/** The router answered a SOAP action with a UPnP fault (`UPnPError`). */
export class UpnpActionError extends PortholeError {
  override name = "UpnpActionError";
  readonly action: string;
  readonly upnpDescription: string;

  constructor(action: string, upnpCode: number, upnpDescription: string) {
    super(`${action} failed: UPnP error ${upnpCode}${upnpDescription ? ` (${upnpDescription})` : ""}`, {
      code: "PORTHOLE_UPNP_ERROR",
      protocol: "upnp",
      protocolCode: upnpCode,
    });
    this.action = action;
    this.upnpDescription = upnpDescription;
  }

  override get upnpCode(): number {
    return this.protocolCode!;
  }
}

/** An HTTP exchange failed: connection refused or reset, non-2xx status without a UPnP fault. */
export class HttpError extends PortholeError {
  override name = "HttpError";
  readonly status: number | undefined;
  readonly url: string;

  constructor(message: string, url: string, status?: number, cause?: unknown) {
    super(message, { code: "PORTHOLE_HTTP_ERROR", cause });
    this.status = status;
    this.url = url;
  }
}

/**
 * The device answered 200 with an empty body (or only whitespace). An `HttpError` (status 200), so
 * callers who only care that the HTTP step failed need not know it, while the Redot API can tell
 * `IGDStatus.HTTP_EMPTY` from `IGDStatus.HTTP_ERROR`.
 */
export class EmptyDescriptionError extends HttpError {
  override name = "EmptyDescriptionError";

  constructor(url: string) {
    super(`the device description at ${url} is empty`, url, 200);
    Object.defineProperty(this, "code", { value: "PORTHOLE_EMPTY_DESCRIPTION" });
  }
}

/** A call took longer than its time budget (`timeoutMs`). */
export class TimeoutError extends PortholeError {
  override name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super(`${what} timed out after ${timeoutMs} ms`, { code: "PORTHOLE_TIMEOUT" });
    this.timeoutMs = timeoutMs;
  }
}

/** The peer sent something porthole cannot use: malformed XML or bytes, a missing element, too large. */
export class InvalidResponseError extends PortholeError {
  override name = "InvalidResponseError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "PORTHOLE_INVALID_RESPONSE", cause });
  }
}

/** A socket could not be opened, bound or used (no route, no such interface, port taken). */
export class SocketError extends PortholeError {
  override name = "SocketError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "PORTHOLE_SOCKET_ERROR", cause });
  }
}

/** No usable gateway was found, or none is selected. */
export class NoGatewayError extends PortholeError {
  override name = "NoGatewayError";
  /** True when nothing answered at all; false when devices answered but none can map ports. */
  readonly nothingAnswered: boolean;

  constructor(message: string, options: { nothingAnswered?: boolean; cause?: unknown } = {}) {
    super(message, { code: "PORTHOLE_NO_GATEWAY", cause: options.cause });
    this.nothingAnswered = options.nothingAnswered ?? false;
  }
}

/** The gateway answers but has no usable external address (none, 0.0.0.0, loopback, not an address). */
export class NoExternalAddressError extends PortholeError {
  override name = "NoExternalAddressError";
  /** What the gateway reported, "" when nothing. */
  readonly reported: string;

  constructor(reported: string, message?: string) {
    super(
      message ??
        (reported === "" ? "the gateway reports no usable external address" : `the gateway reports no usable external address (it said ${JSON.stringify(reported.slice(0, 64))})`),
      { code: "PORTHOLE_NO_EXTERNAL_ADDRESS" },
    );
    this.reported = reported;
  }
}

/**
 * The gateway accepted a mapping but no longer has it when asked right after (DD-WRT and others:
 * tailscale#18196): mappings on it cannot be relied on.
 */
export class MappingDroppedError extends PortholeError {
  override name = "MappingDroppedError";

  constructor(message: string, options: { protocol: PortholeError["protocol"]; protocolCode?: number; cause?: unknown }) {
    super(message, { code: "PORTHOLE_MAPPING_DROPPED", ...options });
  }
}

/**
 * The gateway granted another external port than the one asked, and the caller accepts no other
 * (`anyPort: false`). NAT-PMP has no way to ask for "this port or nothing", and miniupnpd ignores
 * PCP's PREFER_FAILURE for a busy port, so the other port is released and this is thrown instead.
 */
export class PortUnavailableError extends PortholeError {
  override name = "PortUnavailableError";
  readonly wantedPort: number;
  readonly offeredPort: number;

  constructor(wantedPort: number, offeredPort: number, protocol: PortholeError["protocol"]) {
    super(`external port ${wantedPort} is not available (the gateway offered ${offeredPort})`, { code: "PORTHOLE_PORT_UNAVAILABLE", protocol });
    this.wantedPort = wantedPort;
    this.offeredPort = offeredPort;
  }
}

/** A managed port was closed while something still waited for it (`ready()`). */
export class PortClosedError extends PortholeError {
  override name = "PortClosedError";

  constructor(message: string) {
    super(message, { code: "PORTHOLE_PORT_CLOSED" });
  }
}
