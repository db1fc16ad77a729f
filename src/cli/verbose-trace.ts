import diagnostics from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { SsdpTraceEvent } from "../index.js";
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

function describe(request: ClientRequest): string {
  return `${request.method} http://${String(request.getHeader("host"))}${request.path}`;
}

/** ` #AddPortMapping` from the SOAPAction header, or "". */
function soapActionName(request: ClientRequest): string {
  const action = /#([^"]+)"?$/.exec(String(request.getHeader("soapaction") ?? ""))?.[1];
  return action === undefined ? "" : ` #${action}`;
}

/** Longest reply body the trace shows. */
const maxTracedBodyChars = 4000;

/**
 * Traces every HTTP exchange of this process (descriptions and SOAP calls) from node's own
 * diagnostics channels: request line and SOAPAction out, status and body back. The library's
 * HTTP layer offers no trace hook, and these channels see its requests without touching them.
 * Returns the unsubscriber.
 */
export function traceHttp(terminal: Terminal): () => void {
  const onRequest = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    const soapAction = request.getHeader("soapaction");
    terminal.trace(`http → ${describe(request)}${soapAction ? `  SOAPAction: ${String(soapAction)}` : ""}`);
  };
  const onResponse = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.once("end", () => {
      const body = Buffer.concat(chunks).toString("utf8").replace(/\r\n?/g, "\n").trim();
      const shown = body.length > maxTracedBodyChars ? `${body.slice(0, maxTracedBodyChars)}…` : body;
      // Requests run in parallel: each reply names the request it answers.
      const heading = `http ← ${response.statusCode ?? "?"} for ${describe(request)}${soapActionName(request)} (${Buffer.byteLength(body)} bytes)`;
      terminal.trace(shown ? `${heading}\n${shown.replace(/^/gm, "       ")}` : heading);
    });
  };
  const onError = (message: unknown): void => {
    const { error } = message as { error: Error };
    terminal.trace(`http ✗ ${error.message}`);
  };
  const channels: Array<[string, (message: unknown) => void]> = [
    ["http.client.request.start", onRequest],
    ["http.client.response.finish", onResponse],
    ["http.client.request.error", onError],
  ];
  for (const [name, listener] of channels) diagnostics.subscribe(name, listener);
  return () => {
    for (const [name, listener] of channels) diagnostics.unsubscribe(name, listener);
  };
}
