import net from "node:net";
import { HttpError } from "../errors/errors.js";
import { httpRequestErrorChannel, httpRequestStartChannel, httpResponseFinishChannel, type TracedHttpRequest } from "./http-diagnostics.js";
import { HttpResponseParser, type ParsedHttpResponse } from "./http-response-parser.js";
import { hostHeader, parseHttpUrl, type HttpTarget } from "./http-url.js";

export interface HttpRequestOptions {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Rejects the request when it aborts (deadline or caller). */
  signal: AbortSignal;
  /** Largest body accepted; a longer one is cut off with an error. @default 1048576 */
  maxBodyBytes?: number;
  /** Largest header block accepted. @default 16384 */
  maxHeaderBytes?: number;
  /** Local address to connect from. */
  localAddress?: string;
}

export interface HttpResponse extends ParsedHttpResponse {
  /** Our address on this connection: the address the gateway sees us as. */
  localAddress: string | undefined;
}

const defaultMaxBodyBytes = 1024 * 1024;
const defaultMaxHeaderBytes = 16 * 1024;

/**
 * `code` of the cause of an `HttpError` for a request refused before any byte left (a header that
 * would break the head, an unusable local address): callers can tell that nothing reached the
 * server, as they can from ECONNREFUSED.
 */
export const NOT_SENT_CODE = "ERR_NOT_SENT";

/**
 * One HTTP/1.1 exchange on a fresh connection, without redirects. Written on `node:net` rather
 * than `node:http`, whose client machinery costs more than the whole exchange with a LAN router;
 * the reply is read by `HttpResponseParser`, lenient where router firmware needs it (malformed
 * headers, trailing junk: miniupnpc changelog). Chunked, HTTP/1.0 and close-delimited bodies are
 * all read.
 */
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const target = parseHttpUrl(options.url);
  const { signal } = options;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const traced: TracedHttpRequest = { method: options.method, url: target.href, headers: requestHeaders(options, target) };
    let request: Buffer;
    let socket: net.Socket;
    try {
      request = serializeRequest(traced, target, options.body);
      socket = net.connect({ host: target.host, port: target.port, localAddress: options.localAddress, noDelay: true });
    } catch (cause) {
      // A header that cannot be sent or an unusable local address is found before anything is sent.
      const notSent = Object.assign(new Error((cause as Error).message, { cause }), { code: NOT_SENT_CODE });
      return reject(new HttpError(`HTTP ${options.method} ${target.href} cannot be sent: ${notSent.message}`, target.href, undefined, notSent));
    }
    if (httpRequestStartChannel.hasSubscribers) httpRequestStartChannel.publish({ request: traced });
    const parser = new HttpResponseParser({
      url: target.href,
      maxHeaderBytes: options.maxHeaderBytes ?? defaultMaxHeaderBytes,
      maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    });
    let localAddress: string | undefined;
    let settled = false;
    const finish = (error: unknown, response?: ParsedHttpResponse): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (response === undefined) {
        if (httpRequestErrorChannel.hasSubscribers) httpRequestErrorChannel.publish({ request: traced, error });
        return reject(error);
      }
      const complete = { ...response, localAddress };
      if (httpResponseFinishChannel.hasSubscribers) httpResponseFinishChannel.publish({ request: traced, response: complete });
      resolve(complete);
    };
    /** Finishes with what `read` returns once the reply is complete, or with what it throws. */
    const settle = (read: () => ParsedHttpResponse | undefined): void => {
      if (settled) return;
      try {
        const response = read();
        if (response !== undefined) finish(undefined, response);
      } catch (error) {
        finish(error);
      }
    };
    const onAbort = (): void => finish(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });

    socket.once("connect", () => {
      localAddress = socket.localAddress;
      // One write for head and body: two segments meet Nagle + delayed ACK and stall 40 ms. No
      // half-close after it: some embedded servers take the FIN for a client that went away.
      socket.write(request);
    });
    socket.on("data", (chunk: Buffer) => settle(() => parser.push(chunk)));
    socket.on("error", (cause) =>
      settle(() => {
        // Refused, unreachable or reset before a status line: the errno stays as the cause.
        if (parser.status === undefined) throw new HttpError(`HTTP ${options.method} ${target.href} failed: ${cause.message}`, target.href, undefined, cause);
        return parser.end(cause);
      }),
    );
    socket.on("close", () => settle(() => parser.end()));
  });
}

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const fieldValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;
const requestTargetPattern = /^[\x21-\x7e]+$/;

function requestHeaders(options: HttpRequestOptions, target: HttpTarget): Record<string, string> {
  const headers: Record<string, string> = {
    Host: hostHeader(target.host, target.port),
    Connection: "close",
    ...options.headers,
  };
  // Byte length, not string length: a description with non-ASCII text is longer in bytes.
  if (options.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(options.body, "utf8"));
  return headers;
}

/** The request head and body as the bytes of one write; throws for a header that would break the head. */
function serializeRequest(request: TracedHttpRequest, target: HttpTarget, body: string | undefined): Buffer {
  if (!requestTargetPattern.test(target.path)) throw new Error(`invalid request path ${JSON.stringify(target.path)}`);
  let head = `${request.method} ${target.path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(request.headers)) {
    if (!tokenPattern.test(name) || !fieldValuePattern.test(value)) throw new Error(`invalid header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    head += `${name}: ${value}\r\n`;
  }
  const headBytes = Buffer.from(`${head}\r\n`, "latin1");
  return body === undefined ? headBytes : Buffer.concat([headBytes, Buffer.from(body, "utf8")]);
}
