import { EmptyDescriptionError, HttpError } from "../../errors/errors.js";
import { httpRequest } from "../../http/http-request.js";
import { withDeadline, type CallOptions } from "../../util/deadline.js";
import { unmapIPv4 } from "../../net/local-address.js";
import type { XmlLimits } from "../../xml/parse-xml.js";
import { decodeDescriptionBody } from "./decode-description.js";
import { parseDeviceDescription, type DeviceDescription } from "./device-description.js";

/** Options of {@link fetchDeviceDescription}. */
export interface FetchDescriptionOptions extends CallOptions {
  /**
   * Time budget for connecting, sending and reading the whole description.
   * @default 3000
   */
  timeoutMs?: number | undefined;
  /**
   * Largest description accepted; a longer one rejects with `InvalidResponseError`.
   * @default 1048576
   */
  maxBodyBytes?: number | undefined;
  /** Nesting and element limits of the document. @default { maxDepth: 64, maxElements: 20000 } */
  xmlLimits?: XmlLimits | undefined;
}

/** A fetched and parsed description, with the address we reached the device from. */
export interface FetchedDescription {
  description: DeviceDescription;
  /**
   * Our local address on the connection to the device: the address the gateway sees, and the
   * internal client to map ports to. Plain IPv4 even on a dual-stack socket.
   */
  localAddress: string | undefined;
}

const defaultDescriptionTimeoutMs = 3000;

/**
 * Fetches a device description (GET) and parses it.
 *
 * Rejects with `HttpError` (with `status`) for a non-200 reply or a failed connection,
 * `EmptyDescriptionError` for a 200 reply with nothing in it, `InvalidResponseError` when the body
 * is not a description or is too large, `TimeoutError` when the budget runs out, and
 * `signal.reason` when the caller aborts.
 */
export async function fetchDeviceDescription(url: string, options: FetchDescriptionOptions = {}): Promise<FetchedDescription> {
  const timeoutMs = options.timeoutMs ?? defaultDescriptionTimeoutMs;
  const response = await withDeadline(`fetching the device description from ${url}`, timeoutMs, options.signal, (signal) =>
    httpRequest({ method: "GET", url, signal, maxBodyBytes: options.maxBodyBytes }),
  );
  if (response.status !== 200) {
    throw new HttpError(`fetching the device description from ${url} failed: HTTP ${response.status}`, url, response.status);
  }
  const text = decodeDescriptionBody(response.body);
  if (text.trim() === "") throw new EmptyDescriptionError(url);
  return {
    description: parseDeviceDescription(text, url, options.xmlLimits),
    localAddress: response.localAddress === undefined ? undefined : unmapIPv4(response.localAddress),
  };
}
