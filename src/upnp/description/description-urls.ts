import { InvalidResponseError } from "../../errors/errors.js";
import { parseHttpUrl } from "../../http/http-url.js";

/**
 * The base for the description's relative URLs: `URLBase` when the document has a usable one,
 * otherwise the URL the description came from (UDA 1.0 device description: URLBase is optional
 * and UDA 1.1 drops it). Resolving through `parseHttpUrl` keeps an IPv6 zone id, including the
 * description URL's zone on a URLBase that names the link-local address without one (a router
 * cannot know our interface name).
 */
export function resolveBaseUrl(urlBase: string | undefined, descriptionUrl: string): string {
  if (urlBase) {
    const resolved = resolveHttpUrl(urlBase, descriptionUrl);
    if (resolved !== undefined) return resolved;
  }
  return parseHttpUrl(descriptionUrl).href;
}

/**
 * A control, event or SCPD URL resolved against the base as RFC 3986 says (relative with or
 * without a leading `/`, or absolute). Undefined when it is empty, malformed, or not http:
 * (porthole only speaks plain HTTP to gateways).
 */
export function resolveHttpUrl(text: string | undefined, baseUrl: string): string | undefined {
  if (!text) return undefined;
  try {
    return parseHttpUrl(text, baseUrl).href;
  } catch (error) {
    if (error instanceof InvalidResponseError) return undefined;
    throw error;
  }
}
