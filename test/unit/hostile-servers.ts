/**
 * Servers that misbehave on purpose, on 127.0.0.1 only, for the hostile-input tests: each
 * connection gets the raw socket treatment a broken or malicious device could give.
 */
import net from "node:net";
import type { TestContext } from "node:test";

/** What a hostile server does with one connection, once the request has arrived. */
export type Misbehaviour = (socket: net.Socket) => void;

export interface HostileServer {
  url(path?: string): string;
  /** Connections accepted so far. */
  readonly connections: number;
}

/** Starts a raw TCP server that applies `misbehave` to each connection; closed when the test ends. */
export async function startHostileServer(t: TestContext, misbehave: Misbehaviour): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // the client resets the connection when it gives up
    let started = false;
    socket.on("data", () => {
      if (started) return;
      started = true;
      misbehave(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: (path = "/rootDesc.xml") => `http://127.0.0.1:${port}${path}`,
    get connections() {
      return connections;
    },
  };
}

/** Writes `chunk` again and again until the client goes away: an endless body. */
function writeForever(socket: net.Socket, chunk: Buffer): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on("drain", pump);
  pump();
}

/** Sends `text` one byte every `intervalMs`. */
function trickle(socket: net.Socket, text: string, intervalMs: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= text.length) return clearInterval(timer);
    socket.write(text[sent++]!);
  }, intervalMs);
  socket.on("close", () => clearInterval(timer));
}

const kilobyte = Buffer.alloc(64 * 1024, "<a>");

/** The misbehaviours the hardening tests try, by name. */
export const misbehaviours = {
  /** Accepts the connection and never answers. */
  neverAnswer: () => {},
  /** A valid reply, one byte per second. */
  trickle: (socket) => trickle(socket, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n<root><device/></root>", 1000),
  /** Announces 1000 bytes, sends 100 and closes. */
  closeMidBody: (socket) => socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${"<".repeat(100)}`),
  /** Chunked body that stops in the middle of a chunk. */
  closeMidChunk: (socket) => socket.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n<root><device>"),
  /** Resets the connection as soon as the request arrives. */
  reset: (socket) => socket.resetAndDestroy(),
  /** Resets the connection half-way through a body with a length. */
  resetMidBody: (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${"<".repeat(100)}`);
    setTimeout(() => socket.resetAndDestroy(), 20);
  },
  /** Bytes that are not HTTP at all. */
  garbage: (socket) => socket.end(Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) % 256))),
  /** An HTML error page with status 500. */
  html500: (socket) => {
    const body = "<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>";
    socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  },
  /** A close-delimited body that never ends. */
  endlessBody: (socket) => {
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n");
    writeForever(socket, kilobyte);
  },
  /** A chunked body that never ends. */
  endlessChunks: (socket) => {
    socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    writeForever(socket, Buffer.concat([Buffer.from(`${kilobyte.length.toString(16)}\r\n`), kilobyte, Buffer.from("\r\n")]));
  },
  /** Header lines that never end. */
  endlessHeaders: (socket) => {
    socket.write("HTTP/1.1 200 OK\r\n");
    writeForever(socket, Buffer.from(`X-Filler: ${"x".repeat(1000)}\r\n`));
  },
  /** A 50 MB description, announced with its length. */
  fiftyMegabytes: (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    writeForever(socket, kilobyte);
  },
  /** A 50 MB description, chunked, so its size is only known by reading it. */
  fiftyMegabytesChunked: (socket) => {
    socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    let left = 50 * 1024 * 1024;
    const chunk = Buffer.concat([Buffer.from(`${kilobyte.length.toString(16)}\r\n`), kilobyte, Buffer.from("\r\n")]);
    const pump = (): void => {
      while (!socket.destroyed && left > 0) {
        left -= kilobyte.length;
        if (!socket.write(chunk)) return;
      }
      if (left <= 0) socket.end("0\r\n\r\n");
    };
    socket.on("drain", pump);
    pump();
  },
} satisfies Record<string, Misbehaviour>;

export type MisbehaviourName = keyof typeof misbehaviours;

/** A 200 reply carrying `body`. */
export function answerWith(body: string, status = "200 OK", headers: readonly string[] = []): Misbehaviour {
  return (socket) => socket.end(`HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join("")}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The "billion laughs" document: ten levels of entities that would expand to 10^9 "lol"s. */
export function entityBomb(): string {
  const entities = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level++) {
    entities.push(`<!ENTITY lol${level} "${`&lol${level === 1 ? "" : level - 1};`.repeat(10)}">`);
  }
  return (
    `<?xml version="1.0"?>\n<!DOCTYPE root [\n${entities.join("\n")}\n]>\n` +
    "<root><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>" +
    "<friendlyName>&lol9;</friendlyName></device></root>"
  );
}
