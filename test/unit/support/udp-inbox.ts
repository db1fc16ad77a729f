import dgram from "node:dgram";
import { once } from "node:events";

/** A UDP socket on loopback that keeps every datagram it receives, as text. */
export interface UdpInbox {
  readonly port: number;
  /** Every datagram received so far, oldest first. */
  readonly received: readonly string[];
  /** Resolves once `count` datagrams in all have arrived, or after `timeoutMs` with what came. */
  waitFor(count: number, timeoutMs?: number): Promise<readonly string[]>;
  close(): Promise<void>;
}

export async function openUdpInbox(): Promise<UdpInbox> {
  const socket = dgram.createSocket("udp4");
  const received: string[] = [];
  const waiters = new Set<() => void>();
  socket.on("message", (message) => {
    received.push(message.toString("latin1"));
    for (const waiter of waiters) waiter();
  });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return {
    port: socket.address().port,
    received,
    waitFor(count, timeoutMs = 3000) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (received.length < count) return;
          finish();
        };
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...received]);
        };
        const timer = setTimeout(finish, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A UDP port on loopback that was free a moment ago, for a listener the code under test binds itself. */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** The value of `name` in an SSDP message, case-insensitively; undefined when absent. */
export function ssdpHeader(message: string, name: string): string | undefined {
  for (const line of message.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}
