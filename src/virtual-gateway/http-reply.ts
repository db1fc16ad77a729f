import type { GatewayQuirks } from "./quirks.js";

export interface HttpReply {
  readonly status: number;
  readonly body: Buffer;
  /** Content type of a standard reply; `contentTypeHtml` overrides it. */
  readonly contentType: string;
}

const reasonPhrases: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

export const serverHeader = "Linux/6 UPnP/1.1 porthole-virtual-gateway/0.1";
export const xmlContentType = 'text/xml; charset="utf-8"';

/** What `trailingJunk` appends after the body; miniupnpc's test server adds bytes like these. */
const junk = Buffer.from("\r\n\0garbage after the body\r\n", "latin1");

function chunkedBody(body: Buffer): Buffer {
  // Two chunks at least, so a client has to join them (BiPAC 7404VNOX always sends chunked).
  const middle = Math.ceil(body.length / 2);
  const parts = [body.subarray(0, middle), body.subarray(middle)].filter((part) => part.length > 0);
  return Buffer.concat([
    ...parts.flatMap((part) => [Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]),
    Buffer.from("0\r\n\r\n"),
  ]);
}

/**
 * The bytes of a whole HTTP reply, written by hand so the wire-level quirks (HTTP/1.0 without
 * Content-Length, chunked encoding, junk after the body) come out exactly as routers send them.
 * The connection always closes after the reply, as miniupnpd's does.
 */
export function encodeHttpReply(reply: HttpReply, quirks: Readonly<GatewayQuirks>): Buffer {
  const http10 = quirks.http10NoContentLength ?? false;
  const chunked = !http10 && (quirks.chunkedReplies ?? false);
  const headers = [
    `${http10 ? "HTTP/1.0" : "HTTP/1.1"} ${reply.status} ${reasonPhrases[reply.status] ?? "Error"}`,
    `Content-Type: ${quirks.contentTypeHtml ? "text/html" : reply.contentType}`,
    `Server: ${serverHeader}`,
    "Connection: close",
    // UDA 1.1 section 3.2.2: control replies carry an empty EXT header.
    "EXT:",
  ];
  if (chunked) headers.push("Transfer-Encoding: chunked");
  else if (!http10) headers.push(`Content-Length: ${reply.body.length}`);
  return Buffer.concat([
    Buffer.from(headers.join("\r\n") + "\r\n\r\n", "latin1"),
    chunked ? chunkedBody(reply.body) : reply.body,
    quirks.trailingJunk ? junk : Buffer.alloc(0),
  ]);
}
