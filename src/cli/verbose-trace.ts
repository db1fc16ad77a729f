import type diagnostics from "node:diagnostics_channel";
import { httpRequestErrorChannel, httpRequestStartChannel, httpResponseFinishChannel, type TracedHttpRequest } from "../http/http-diagnostics.js";
import type { HttpResponse } from "../http/http-request.js";
import type { SsdpTraceEvent } from "../upnp/ssdp/ssdp-search-options.js";
import type { Terminal } from "./terminal.js";
import { joinText } from "./terminal-text.js";
import { hostPort } from "./wording.js";

const endpoint = (event: { address: string; port: number }): string => hostPort(event.address, event.port);

/** A socket error as its code ("ENETUNREACH"): Node's message repeats the address without brackets. */
const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);

function assertNever(event: never): void {
  throw new Error(`unknown SSDP trace event ${JSON.stringify(event)}`);
}

/** The `onTrace` of a search, writing one `--verbose` line per datagram. */
export function ssdpTracer(terminal: Terminal): (event: SsdpTraceEvent) => void {
  return (event) => {
    switch (event.type) {
      case "sent":
        return terminal.trace(`ssdp → ${endpoint(event)}  M-SEARCH ${event.searchTarget} (send ${event.attempt + 1})`);
      case "send-failed":
        return terminal.trace(`ssdp ✗ ${endpoint(event)}  M-SEARCH ${event.searchTarget}: ${errorCode(event.error)}`);
      case "received":
        return terminal.trace(`ssdp ← ${endpoint(event)}  ${event.reply.st}  LOCATION ${event.reply.location}`);
      case "duplicate":
        return terminal.trace(`ssdp ← ${endpoint(event)}  (duplicate of an earlier reply)`);
      case "ignored":
        return terminal.trace(`ssdp ← ${endpoint(event)}  ignored, ${event.reason} (${event.bytes} bytes)`);
      case "location-refused":
        return terminal.trace(`ssdp ← ${endpoint(event)}  LOCATION ${event.reply.location} not followed: ${event.reason}`);
      default:
        return assertNever(event);
    }
  };
}

function describe(request: TracedHttpRequest): string {
  return `${request.method} ${request.url}`;
}

/** The SOAPAction header, whatever case the caller gave its name in. */
function soapActionHeader(request: TracedHttpRequest): string | undefined {
  return Object.entries(request.headers).find(([name]) => name.toLowerCase() === "soapaction")?.[1];
}

/** ` #AddPortMapping` from the SOAPAction header, or "". */
function soapActionName(request: TracedHttpRequest): string {
  const action = /#([^"]+)"?$/.exec(soapActionHeader(request) ?? "")?.[1];
  return action === undefined ? "" : ` #${action}`;
}

/** Longest reply body the trace shows. */
const maxTracedBodyChars = 4000;

/**
 * Traces every HTTP exchange of this process (descriptions and SOAP calls) from the diagnostics
 * channels of the library's HTTP layer: request line and SOAPAction out, status and body back.
 * Returns the unsubscriber.
 */
export function traceHttp(terminal: Terminal): () => void {
  const onRequest = (message: unknown): void => {
    const { request } = message as { request: TracedHttpRequest };
    const soapAction = soapActionHeader(request);
    terminal.trace(`http → ${describe(request)}${soapAction ? `  SOAPAction: ${soapAction}` : ""}`);
  };
  const onResponse = (message: unknown): void => {
    const { request, response } = message as { request: TracedHttpRequest; response: HttpResponse };
    const body = response.body.toString("utf8").replace(/\r\n?/g, "\n").trim();
    const shown = body.length > maxTracedBodyChars ? `${body.slice(0, maxTracedBodyChars)}…` : body;
    // Requests run in parallel: each reply names the request it answers.
    const heading = `http ← ${response.status} for ${describe(request)}${soapActionName(request)} (${Buffer.byteLength(body)} bytes)`;
    // The body is the router's: each of its lines is escaped on its own, under the heading.
    terminal.trace(shown ? joinText([heading, ...shown.split("\n").map((line) => `       ${line}`)]) : heading);
  };
  const onError = (message: unknown): void => {
    const { error } = message as { error: unknown };
    terminal.trace(`http ✗ ${error instanceof Error ? error.message : String(error)}`);
  };
  const channels: Array<[diagnostics.Channel, (message: unknown) => void]> = [
    [httpRequestStartChannel, onRequest],
    [httpResponseFinishChannel, onResponse],
    [httpRequestErrorChannel, onError],
  ];
  for (const [channel, listener] of channels) channel.subscribe(listener);
  return () => {
    for (const [channel, listener] of channels) channel.unsubscribe(listener);
  };
}
