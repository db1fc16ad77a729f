import diagnostics from "node:diagnostics_channel";

/** A request as `httpRequest` sends it, in the messages of the channels below. */
export interface TracedHttpRequest {
  method: string;
  /** The URL, IPv6 zone encoded as `%25zone`. */
  url: string;
  /** The headers as sent, `Host` and `Content-Length` included. */
  headers: Readonly<Record<string, string>>;
}

/*
 * `httpRequest` does not go through node:http, so node's `http.client.*` diagnostics channels do
 * not see it; these take their place (the CLI's `--verbose` trace listens to them). Publishing
 * costs nothing while nobody subscribes.
 */

/** `{ request: TracedHttpRequest }`, before the connection is opened. */
export const httpRequestStartChannel = diagnostics.channel("porthole:http.request.start");
/** `{ request: TracedHttpRequest, response: HttpResponse }` (see http-request.ts), once the whole reply is read. */
export const httpResponseFinishChannel = diagnostics.channel("porthole:http.response.finish");
/** `{ request: TracedHttpRequest, error: unknown }`, when the exchange fails or is aborted. */
export const httpRequestErrorChannel = diagnostics.channel("porthole:http.request.error");
