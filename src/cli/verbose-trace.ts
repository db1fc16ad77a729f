import type diagnostics from "node:diagnostics_channel";
import {
  httpRequestErrorChannel,
  httpRequestStartChannel,
  httpResponseFinishChannel,
  type HttpResponse,
  type SsdpTraceEvent,
  type TracedHttpRequest,
} from "../index.js";
import type { Terminal } from "./terminal.js";

const endpoint = (event: { family: 4 | 6; address: string; port: number }): string =>
  event.family === 6 ? `[${event.address}]:${event.port}` : `${event.address}:${event.port}`;

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
        return terminal.trace(`ssdp ✗ ${endpoint(event)}  M-SEARCH ${event.searchTarget}: ${String(event.error)}`);
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
    terminal.trace(shown ? `${heading}\n${shown.replace(/^/gm, "       ")}` : heading);
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
