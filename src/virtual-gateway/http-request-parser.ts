/** A request received by the virtual gateway's HTTP server. */
export interface ParsedHttpRequest {
  readonly method: string;
  /** Path of the request target, without query. */
  readonly path: string;
  /** Header values by lower-case name; the first of repeated headers wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type RequestParse =
  | { readonly state: "incomplete" }
  | { readonly state: "complete"; readonly request: ParsedHttpRequest }
  | { readonly state: "invalid"; readonly status: 400 | 413 | 431 };

/** Control requests are a few hundred bytes; anything much larger is refused. */
const maxHeadBytes = 16 * 1024;
const maxBodyBytes = 64 * 1024;
/**
 * Most bytes a request may take before it is whole. A chunked body can stay incomplete forever (a
 * chunk-size line or trailer that never ends); without this the server would buffer it until the
 * request timeout. The slack is for chunk framing and trailers.
 */
const maxRequestBytes = maxHeadBytes + maxBodyBytes + 4096;

const incomplete: RequestParse = { state: "incomplete" };
const invalid = (status: 400 | 413 | 431): RequestParse => ({ state: "invalid", status });

/** Body of a chunked request, or a parse state when it is not all there or is malformed. */
function dechunk(data: Buffer): Buffer | RequestParse {
  const parts: Buffer[] = [];
  let size = 0;
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return incomplete;
    const sizeText = data.subarray(at, lineEnd).toString("latin1").split(";")[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return invalid(400);
    const chunkSize = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (chunkSize === 0) break;
    size += chunkSize;
    if (size > maxBodyBytes) return invalid(413);
    if (data.length < at + chunkSize + 2) return incomplete;
    parts.push(data.subarray(at, at + chunkSize));
    at += chunkSize + 2;
  }
  // Trailer lines, then an empty line (RFC 9112 section 7.1).
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return incomplete;
    if (lineEnd === at) return Buffer.concat(parts);
    at = lineEnd + 2;
  }
}

/**
 * Reads one HTTP/1.x request from the bytes received so far. Called again with more bytes while it
 * answers "incomplete". Bodies are delimited by Content-Length or chunked encoding.
 */
export function parseHttpRequest(data: Buffer): RequestParse {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd === -1) return data.length > maxHeadBytes ? invalid(431) : incomplete;
  if (headEnd > maxHeadBytes) return invalid(431);
  const [requestLine = "", ...headerLines] = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const match = /^([A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (!match) return invalid(400);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return invalid(400);
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }

  const rest = data.subarray(headEnd + 4);
  let body: Buffer;
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const decoded = dechunk(rest);
    if (!Buffer.isBuffer(decoded)) return decoded.state === "incomplete" && data.length > maxRequestBytes ? invalid(413) : decoded;
    body = decoded;
  } else {
    const lengthText = headers["content-length"] ?? "0";
    if (!/^\d{1,10}$/.test(lengthText)) return invalid(400);
    const length = Number(lengthText);
    if (length > maxBodyBytes) return invalid(413);
    if (rest.length < length) return incomplete;
    body = rest.subarray(0, length);
  }

  let path: string;
  try {
    path = new URL(match[2]!, "http://gateway").pathname;
  } catch {
    return invalid(400);
  }
  return { state: "complete", request: { method: match[1]!.toUpperCase(), path, headers, body } };
}
