import { UPNPResult } from "../compat/result-codes.js";

export interface PortholeErrorOptions {
  result: UPNPResult;
  upnpCode?: number | undefined;
  cause?: unknown;
}

/**
 * Base of every error porthole throws. `result` is the Redot/Godot `UPNPResult` the compatible API
 * returns for it; `upnpCode` is the router's UPnP error code when the router sent one.
 */
export class PortholeError extends Error {
  override name: string = "PortholeError";
  readonly result: UPNPResult;
  readonly upnpCode: number | undefined;

  constructor(message: string, options: PortholeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.result = options.result;
    this.upnpCode = options.upnpCode;
  }

  /** `UPNPResult` name, e.g. `"CONFLICT_WITH_OTHER_MAPPING"`. */
  get resultName(): string {
    return UPNPResult[this.result] ?? "UNKNOWN_ERROR";
  }
}

/** A bad argument from the caller, caught before any network traffic. */
export class InvalidArgumentError extends PortholeError {
  override name = "InvalidArgumentError";
  constructor(message: string, result: UPNPResult = UPNPResult.INVALID_ARGS) {
    super(message, { result });
  }
}

/** The router answered a SOAP action with a UPnP fault (`UPnPError`). */
export class UpnpActionError extends PortholeError {
  override name = "UpnpActionError";
  readonly action: string;
  readonly upnpDescription: string;

  constructor(action: string, upnpCode: number, upnpDescription: string, result: UPNPResult) {
    super(`${action} failed: UPnP error ${upnpCode}${upnpDescription ? ` (${upnpDescription})` : ""}`, {
      result,
      upnpCode,
    });
    this.action = action;
    this.upnpDescription = upnpDescription;
  }
}

/** An HTTP exchange failed: connection refused or reset, non-2xx status without a UPnP fault. */
export class HttpError extends PortholeError {
  override name = "HttpError";
  readonly status: number | undefined;
  readonly url: string;

  constructor(message: string, url: string, status?: number, cause?: unknown) {
    super(message, { result: UPNPResult.HTTP_ERROR, cause });
    this.status = status;
    this.url = url;
  }
}

/**
 * The device answered 200 with an empty body (or only whitespace). An `HttpError` (status 200), so
 * callers who only care that the HTTP step failed need not know it, while the compatible API can
 * tell `IGDStatus.HTTP_EMPTY` from `IGDStatus.HTTP_ERROR`.
 */
export class EmptyDescriptionError extends HttpError {
  override name = "EmptyDescriptionError";

  constructor(url: string) {
    super(`the device description at ${url} is empty`, url, 200);
  }
}

/** A step took longer than its time budget. */
export class TimeoutError extends PortholeError {
  override name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number, result: UPNPResult = UPNPResult.HTTP_ERROR) {
    super(`${what} timed out after ${timeoutMs} ms`, { result });
    this.timeoutMs = timeoutMs;
  }
}

/** The peer sent something porthole cannot use: malformed XML, a missing element, too large. */
export class InvalidResponseError extends PortholeError {
  override name = "InvalidResponseError";
  constructor(message: string, cause?: unknown) {
    super(message, { result: UPNPResult.INVALID_RESPONSE, cause });
  }
}

/** A UDP socket could not be opened, bound or used. */
export class SocketError extends PortholeError {
  override name = "SocketError";
  constructor(message: string, cause?: unknown) {
    super(message, { result: UPNPResult.SOCKET_ERROR, cause });
  }
}

/** No usable gateway was found or none is selected. */
export class NoGatewayError extends PortholeError {
  override name = "NoGatewayError";
  constructor(message: string, result: UPNPResult = UPNPResult.NO_GATEWAY) {
    super(message, { result });
  }
}
