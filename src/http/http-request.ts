import http from "node:http";
import { HttpError, InvalidResponseError } from "../errors/errors.js";
import { parseHttpUrl } from "./http-url.js";

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

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Our address on this connection: the address the gateway sees us as. */
  localAddress: string | undefined;
}

export const defaultMaxBodyBytes = 1024 * 1024;
export const defaultMaxHeaderBytes = 16 * 1024;

/**
 * One HTTP/1.1 exchange on a fresh connection, without redirects. The parser is lenient
 * (`insecureHTTPParser`) because routers send malformed headers and trailing junk (miniupnpc
 * changelog); chunked, HTTP/1.0 and close-delimited bodies are all read.
 */
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const target = parseHttpUrl(options.url);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const body = options.body === undefined ? undefined : Buffer.from(options.body, "utf8");
  const headers: Record<string, string> = {
    Host: target.host.includes(":") ? `[${target.host.replace("%", "%25")}]:${target.port}` : `${target.host}:${target.port}`,
    Connection: "close",
    ...options.headers,
  };
  // Byte length, not string length: a description with non-ASCII text is longer in bytes.
  if (body !== undefined) headers["Content-Length"] = String(body.length);

  return new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = options;
    if (signal.aborted) return reject(signal.reason);
    let settled = false;
    const finish = (error: unknown, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (error !== undefined) {
        request.destroy();
        reject(error);
      } else resolve(response!);
    };
    const onAbort = (): void => finish(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });

    let request: http.ClientRequest;
    try {
      request = http.request({
        host: target.host,
        port: target.port,
        path: target.path,
        method: options.method,
        headers,
        agent: false,
        insecureHTTPParser: true,
        maxHeaderSize: options.maxHeaderBytes ?? defaultMaxHeaderBytes,
        localAddress: options.localAddress,
      });
    } catch (cause) {
      // Node checks headers and the local address synchronously; a throw here must still reject.
      signal.removeEventListener("abort", onAbort);
      return reject(new HttpError(`HTTP ${options.method} ${target.href} cannot be sent: ${(cause as Error).message}`, target.href, undefined, cause));
    }
    let currentResponse: http.IncomingMessage | undefined;
    request.on("socket", (socket) => socket.setNoDelay(true));
    request.on("error", (cause) => {
      // Junk after a complete reply (miniupnpc's /addcrap case) fails the parser once the message
      // is already whole; its "end" still comes, so the reply stands.
      if (currentResponse?.complete) return;
      finish(new HttpError(`HTTP ${options.method} ${target.href} failed: ${cause.message}`, target.href, undefined, cause));
    });
    request.on("response", (response) => {
      currentResponse = response;
      const localAddress = response.socket.localAddress;
      // A body announced as too large is refused before a byte of it is read (a 50 MB "description").
      const declaredLength = Number(response.headers["content-length"]);
      if (declaredLength > maxBodyBytes) {
        finish(new InvalidResponseError(`response from ${target.href} announces ${declaredLength} bytes, more than ${maxBodyBytes}`));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes) {
          finish(new InvalidResponseError(`response from ${target.href} is larger than ${maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      const complete = (): void =>
        finish(undefined, {
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          localAddress,
        });
      response.on("end", complete);
      response.on("error", (cause) => {
        finish(new HttpError(`reading the reply from ${target.href} failed: ${cause.message}`, target.href, response.statusCode, cause));
      });
      // A close-delimited body (HTTP/1.0, no Content-Length) may end with a reset instead of a FIN.
      // A body with a length or chunks that stops early is cut off, and is not passed on as whole.
      const closeDelimited = response.headers["content-length"] === undefined && !/chunked/i.test(String(response.headers["transfer-encoding"] ?? ""));
      response.on("aborted", () => {
        if (closeDelimited && chunks.length > 0) complete();
        else finish(new HttpError(`the reply from ${target.href} was cut off after ${received} bytes`, target.href, response.statusCode));
      });
    });
    // One write for headers and body: two segments meet Nagle + delayed ACK and stall 40 ms.
    request.end(body);
  });
}
