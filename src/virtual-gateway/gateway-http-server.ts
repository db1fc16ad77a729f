import { createServer, type AddressInfo, type Socket } from "node:net";
import { SocketError } from "../errors/errors.js";
import { delay } from "../util/deadline.js";
import { unmapIPv4 } from "../net/local-address.js";
import type { GatewayState } from "./action-context.js";
import { rootDescription, httpOrigin, serviceDescription } from "./description-documents.js";
import { descriptionPath, servedServices } from "./device-model.js";
import { parseHttpRequest, type ParsedHttpRequest } from "./http-request-parser.js";
import { encodeHttpReply, xmlContentType, type HttpReply } from "./http-reply.js";
import { answerControlRequest, type SoapRequestRecord } from "./soap-server.js";

/** A client that has not sent its whole request by then is dropped. */
const requestTimeoutMs = 30_000;

export interface GatewayHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const xmlReply = (status: number, body: string | Buffer): HttpReply => ({
  status,
  body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
  contentType: xmlContentType,
});
const emptyReply = (status: number): HttpReply => ({ status, body: Buffer.alloc(0), contentType: xmlContentType });

/** The reply to one request; GETs and refused requests are reported here, control requests by the SOAP server. */
function route(request: ParsedHttpRequest, clientAddress: string, state: GatewayState, origin: string, log: SoapRequestRecord[]): HttpReply {
  const reply = routeRequest(request, clientAddress, state, origin, log);
  if (request.method !== "POST" || reply.status === 404 || reply.status === 405) {
    state.config.notify({ type: "http", method: request.method, path: request.path, status: reply.status, clientAddress });
  }
  return reply;
}

function routeRequest(request: ParsedHttpRequest, clientAddress: string, state: GatewayState, origin: string, log: SoapRequestRecord[]): HttpReply {
  const { method, path } = request;
  if (path === descriptionPath(state.config)) {
    return method === "GET" ? xmlReply(200, rootDescription(state.model, state.config, origin)) : emptyReply(405);
  }
  for (const service of servedServices(state.model)) {
    if (path === service.scpdPath) return method === "GET" ? xmlReply(200, serviceDescription(service)) : emptyReply(405);
    if (path === service.controlPath) {
      if (method !== "POST") return emptyReply(405);
      const body = request.body.toString("utf8");
      const reply = answerControlRequest(service, { body, soapAction: request.headers["soapaction"], clientAddress }, state, log);
      return xmlReply(reply.status, reply.body);
    }
  }
  return emptyReply(404);
}

/**
 * The description and control server: a small HTTP/1.x server of its own rather than node:http, so
 * that replies go out byte for byte as http-reply.ts writes them, and so a client that half-closes
 * after its request still gets its reply. One request per connection, as miniupnpd serves.
 */
export async function startGatewayHttpServer(
  state: GatewayState,
  log: SoapRequestRecord[],
  closing: AbortSignal,
): Promise<GatewayHttpServer> {
  const { config } = state;
  const connections = new Set<Socket>();
  let origin = "";

  const reply = (socket: Socket, answer: () => HttpReply): void => {
    delay(config.quirks.responseDelayMs ?? 0, closing)
      .then(() => socket.end(encodeHttpReply(answer(), config.quirks)))
      .catch(() => socket.destroy());
  };

  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(requestTimeoutMs, () => socket.destroy());
    let received = Buffer.alloc(0);
    let answered = false;
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      received = Buffer.concat([received, chunk]);
      const parsed = parseHttpRequest(received);
      if (parsed.state === "incomplete") return;
      answered = true;
      socket.setTimeout(0);
      const clientAddress = unmapIPv4(socket.remoteAddress ?? "");
      reply(socket, () =>
        parsed.state === "complete" ? route(parsed.request, clientAddress, state, origin, log) : emptyReply(parsed.status),
      );
    });
    // The client gave up before sending a whole request.
    socket.on("end", () => {
      if (!answered) socket.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new SocketError(`virtual gateway HTTP server: ${error.message}`, error));
    server.once("error", onError);
    server.listen({ host: config.address, port: config.httpPort }, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = httpOrigin(config.address, port);

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
