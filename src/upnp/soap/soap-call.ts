import { HttpError, UpnpActionError } from "../../errors/errors.js";
import { httpRequest } from "../../http/http-request.js";
import { withDeadline, type CallOptions } from "../../util/deadline.js";
import type { XmlLimits } from "../../xml/parse-xml.js";
import { buildSoapEnvelope, soapActionHeader, type SoapArgument } from "./soap-envelope.js";
import { parseSoapResponse } from "./soap-response.js";

/** Time budget of one SOAP call when the caller gives none, in milliseconds. */
const defaultSoapTimeoutMs = 5000;

export interface SoapCallRequest extends CallOptions {
  /** Absolute http: URL of the service's control endpoint. */
  controlUrl: string;
  /** Service type, e.g. `urn:schemas-upnp-org:service:WANIPConnection:2`. */
  serviceType: string;
  /** Action name, e.g. `AddPortMapping`. */
  action: string;
  /** In-arguments in the order of the service description. */
  args: ReadonlyArray<SoapArgument>;
  /** Time budget for the whole exchange. @default 5000 */
  timeoutMs?: number | undefined;
  /** Local address to connect from. @default the OS choice */
  localAddress?: string | undefined;
  /** Largest reply body accepted, in bytes. @default 1048576 */
  maxBodyBytes?: number | undefined;
  /** Nesting and element limits of the reply. @default { maxDepth: 64, maxElements: 20000 } */
  xmlLimits?: XmlLimits | undefined;
  /**
   * Whether the action declares out-arguments. Without any, an empty `<{action}>` element is
   * accepted as the response as well as `<{action}Response>` (see `parseSoapResponse`).
   * @default true
   */
  hasOutArguments?: boolean | undefined;
}

/**
 * POSTs one UPnP action and returns its out-arguments (name -> trimmed text).
 *
 * The envelope is built before any connection is made, so a bad argument fails without traffic.
 *
 * @throws InvalidArgumentError for an argument the envelope cannot carry (no request sent).
 * @throws UpnpActionError when the router answers with a UPnP fault, whatever the HTTP status
 * (UDA says 500; some routers send 200).
 * @throws HttpError on a connection failure, or a non-2xx status without a UPnP fault (an HTML
 * error page, an empty body, a bare SOAP fault); `status` is set when a status arrived.
 * @throws InvalidResponseError when a 2xx reply is not the action's response.
 * @throws TimeoutError when `timeoutMs` runs out; `signal.reason` when the caller aborts.
 */
export async function soapCall(request: SoapCallRequest): Promise<Record<string, string>> {
  const { controlUrl, serviceType, action } = request;
  const body = buildSoapEnvelope(serviceType, action, request.args);
  const headers = {
    "Content-Type": 'text/xml; charset="utf-8"',
    SOAPAction: soapActionHeader(serviceType, action),
  };
  const timeoutMs = request.timeoutMs ?? defaultSoapTimeoutMs;

  return withDeadline(`${action} at ${controlUrl}`, timeoutMs, request.signal, async (signal) => {
    const response = await httpRequest({
      method: "POST",
      url: controlUrl,
      headers,
      body,
      signal,
      maxBodyBytes: request.maxBodyBytes,
      localAddress: request.localAddress,
    });
    // Invalid UTF-8 becomes U+FFFD instead of failing the whole reply (aioupnp#7).
    const text = response.body.toString("utf8");
    if (response.status >= 200 && response.status < 300) return parseSoapResponse(text, action, request.xmlLimits, request.hasOutArguments);
    throw errorForStatus(text, response.status, action, controlUrl, request.xmlLimits);
  });
}

function errorForStatus(text: string, status: number, action: string, controlUrl: string, xmlLimits: XmlLimits | undefined): Error {
  let cause: unknown;
  try {
    parseSoapResponse(text, action, xmlLimits);
  } catch (error) {
    if (error instanceof UpnpActionError) return error;
    cause = error;
  }
  const detail = cause instanceof Error ? `: ${cause.message}` : "";
  return new HttpError(`${action} at ${controlUrl} answered HTTP ${status}${detail}`, controlUrl, status, cause);
}
