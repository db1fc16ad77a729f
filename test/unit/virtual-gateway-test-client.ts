/**
 * A deliberately plain client for the virtual gateway's tests: raw TCP for HTTP (so wire quirks
 * can be seen) and raw UDP for M-SEARCH, sent to loopback only. Not porthole's client.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { childText, descendants, escapeXmlText, parseXml } from "../../src/xml/parse-xml.js";
import { startVirtualGateway, type VirtualGateway, type VirtualGatewayOptions } from "../../src/virtual-gateway/index.js";

export interface RawHttpResponse {
  /** Every byte the server sent. */
  readonly raw: Buffer;
  readonly statusLine: string;
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body after de-chunking, cut at Content-Length when there is one. */
  readonly body: Buffer;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** One HTTP exchange on a fresh connection; the virtual gateway closes it after replying. */
export function rawHttp(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawHttpResponse> {
  const target = new URL(url);
  const body = Buffer.from(options.body ?? "", "utf8");
  const headerLines = Object.entries({
    Host: target.host,
    ...(options.body === undefined || options.headers?.["Transfer-Encoding"] ? {} : { "Content-Length": String(body.length) }),
    ...options.headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  const request = Buffer.concat([
    Buffer.from(`${options.method ?? "GET"} ${target.pathname} HTTP/1.1\r\n${headerLines.join("")}Connection: close\r\n\r\n`),
    body,
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ""), port: Number(target.port), ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error(`no complete reply from ${url}`)));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const raw = Buffer.concat(chunks);
      const headEnd = raw.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = raw.subarray(0, headEnd).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = raw.subarray(headEnd + 4);
      const length = headers["content-length"];
      const responseBody =
        headers["transfer-encoding"] === "chunked"
          ? decodeChunked(rest)
          : length === undefined
            ? rest
            : rest.subarray(0, Number(length));
      resolve({ raw, statusLine, status: Number(statusLine.split(" ")[1]), headers, body: responseBody });
    });
    socket.end(request);
  });
}

export interface SoapResult {
  readonly status: number;
  /** Output arguments by name, when the call succeeded. */
  readonly values: Readonly<Record<string, string>>;
  /** The UPnP fault, when it failed. */
  readonly fault?: { code: number; description: string };
  readonly response: RawHttpResponse;
}

export interface SoapCallOptions {
  /** @default "/ctl/IPConn" */
  controlPath?: string;
  /** @default WANIPConnection of the gateway's version */
  serviceType?: string;
  /** Address to connect from, e.g. `127.0.0.2` to play another LAN host. @default the OS choice */
  localAddress?: string;
}

export const wanIpConnection = (version: 1 | 2): string => `urn:schemas-upnp-org:service:WANIPConnection:${version}`;

/** Posts an action with the arguments written in exactly the order given. */
export async function soapCall(
  gateway: VirtualGateway,
  action: string,
  args: ReadonlyArray<readonly [string, string]> = [],
  options: SoapCallOptions = {},
): Promise<SoapResult> {
  const serviceType = options.serviceType ?? wanIpConnection(2);
  const argumentXml = args.map(([name, value]) => `<${name}>${escapeXmlText(value)}</${name}>`).join("");
  const body =
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>` +
    `<u:${action} xmlns:u="${serviceType}">${argumentXml}</u:${action}></s:Body></s:Envelope>`;
  const origin = new URL(gateway.descriptionUrl).origin;
  const response = await rawHttp(origin + (options.controlPath ?? "/ctl/IPConn"), {
    method: "POST",
    headers: { "Content-Type": 'text/xml; charset="utf-8"', SOAPAction: `"${serviceType}#${action}"` },
    body,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  if (response.body.length === 0) return { status: response.status, values: {}, response };
  const document = parseXml(response.body.toString("utf8"));
  const upnpError = descendants(document, "UPnPError")[0];
  if (upnpError) {
    const fault = { code: Number(childText(upnpError, "errorCode")), description: childText(upnpError, "errorDescription") ?? "" };
    return { status: response.status, values: {}, fault, response };
  }
  const actionResponse = descendants(document, `${action}Response`)[0];
  const values = Object.fromEntries((actionResponse?.children ?? []).map((child) => [child.name, child.text]));
  return { status: response.status, values, response };
}

/** The eight AddPortMapping arguments in template order. */
export function mappingArgs(fields: {
  externalPort: number | string;
  protocol?: string;
  internalPort?: number | string;
  internalClient?: string;
  description?: string;
  lease?: number | string;
  remoteHost?: string;
}): Array<[string, string]> {
  return [
    ["NewRemoteHost", fields.remoteHost ?? ""],
    ["NewExternalPort", String(fields.externalPort)],
    ["NewProtocol", fields.protocol ?? "TCP"],
    ["NewInternalPort", String(fields.internalPort ?? fields.externalPort)],
    ["NewInternalClient", fields.internalClient ?? "127.0.0.1"],
    ["NewEnabled", "1"],
    ["NewPortMappingDescription", fields.description ?? "test"],
    ["NewLeaseDuration", String(fields.lease ?? 3600)],
  ];
}

export interface SearchReply {
  readonly from: { address: string; port: number };
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Sends one datagram per entry of `messages` to the gateway's SSDP port and collects replies
 * until `expected` have come (or 3 s pass, which fails the caller's count assertion).
 */
export function ssdpExchange(
  target: { address: string; port: number },
  messages: readonly string[],
  expected: number,
): Promise<SearchReply[]> {
  const socket = createSocket(target.address.includes(":") ? "udp6" : "udp4");
  const replies: SearchReply[] = [];
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      socket.close();
      resolve(replies);
    };
    const timer = setTimeout(finish, 3000);
    socket.on("error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on("message", (message, from) => {
      const headers: Record<string, string> = {};
      for (const line of message.toString("latin1").split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).toUpperCase()] = line.slice(colon + 1).trim();
      }
      replies.push({ from: { address: from.address, port: from.port }, headers });
      if (replies.length >= expected) finish();
    });
    socket.bind({ address: target.address, port: 0 }, () => {
      for (const message of messages) socket.send(message, target.port, target.address);
    });
  });
}

export function mSearch(searchTarget: string): string {
  return `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${searchTarget}\r\n\r\n`;
}

/** Runs `body` against a virtual gateway started with `options`, closing it whatever happens. */
export async function withGateway(options: VirtualGatewayOptions, body: (gateway: VirtualGateway) => Promise<void>): Promise<void> {
  const gateway = await startVirtualGateway(options);
  try {
    await body(gateway);
  } finally {
    await gateway.close();
  }
}
