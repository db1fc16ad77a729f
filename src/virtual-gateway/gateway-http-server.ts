import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { SocketError } from "../errors/errors.js";
import { delay } from "../util/deadline.js";
import type { GatewayState } from "./action-context.js";
import { rootDescription, httpOrigin, serviceDescription } from "./description-documents.js";
import { allServices, descriptionPath } from "./device-model.js";
import { encodeHttpReply, xmlContentType, type HttpReply } from "./http-reply.js";
import { answerControlRequest, type SoapRequestRecord } from "./soap-server.js";

/** Control requests are a few hundred bytes; anything much larger is refused unread. */
const maxRequestBodyBytes = 64 * 1024;
/** A client that has not sent its whole request by then is dropped. */
const requestTimeoutMs = 30_000;

export interface GatewayHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly soapAction: string | undefined;
  readonly clientAddress: string;
}

const xmlReply = (status: number, body: string | Buffer): HttpReply => ({
  status,
  body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
  contentType: xmlContentType,
});
const emptyReply = (status: number): HttpReply => ({ status, body: Buffer.alloc(0), contentType: xmlContentType });

function route(request: ReceivedRequest, state: GatewayState, origin: string, log: SoapRequestRecord[]): HttpReply {
  const { method, path } = request;
  if (path === descriptionPath(state.config)) {
    return method === "GET" ? xmlReply(200, rootDescription(state.model, state.config, origin)) : emptyReply(405);
  }
  for (const { service } of allServices(state.model.root)) {
    if (path === service.scpdPath) return method === "GET" ? xmlReply(200, serviceDescription(service)) : emptyReply(405);
    if (path === service.controlPath) {
      if (method !== "POST") return emptyReply(405);
      const reply = answerControlRequest(service, request, state, log);
      return xmlReply(reply.status, reply.body);
    }
  }
  return emptyReply(404);
}

function clientAddressOf(message: IncomingMessage): string {
  const address = message.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

async function readRequest(message: IncomingMessage): Promise<ReceivedRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxRequestBodyBytes) return undefined;
    chunks.push(chunk);
  }
  const soapAction = message.headers["soapaction"];
  return {
    method: message.method ?? "",
    path: new URL(message.url ?? "/", "http://gateway").pathname,
    body: Buffer.concat(chunks).toString("utf8"),
    soapAction: Array.isArray(soapAction) ? soapAction[0] : soapAction,
    clientAddress: clientAddressOf(message),
  };
}

/**
 * The description and control server. Replies are written straight to the socket (see
 * http-reply.ts) and every connection closes after one reply.
 */
export async function startGatewayHttpServer(
  state: GatewayState,
  log: SoapRequestRecord[],
  closing: AbortSignal,
): Promise<GatewayHttpServer> {
  const { config } = state;
  const server = createServer({ requestTimeout: requestTimeoutMs });
  let origin = "";

  server.on("request", (message: IncomingMessage) => {
    const socket = message.socket;
    readRequest(message)
      .then(async (request) => {
        const reply = request ? route(request, state, origin, log) : emptyReply(413);
        await delay(config.quirks.responseDelayMs ?? 0, closing);
        socket.end(encodeHttpReply(reply, config.quirks));
      })
      .catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new SocketError(`virtual gateway HTTP server: ${error.message}`, error)));
    server.listen({ host: config.address, port: config.httpPort }, resolve);
  });
  // Errors after listening concern single connections, which are already dropped on failure.
  server.on("error", () => {});
  const port = (server.address() as AddressInfo).port;
  origin = httpOrigin(config.address, port);

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
