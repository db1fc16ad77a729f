import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { withDeadline, type CallOptions } from "../util/deadline.js";
import { TimeoutError } from "../errors/errors.js";
import { localAddressToward } from "../net/local-address.js";

/**
 * What became of one datagram to a UDP port: something `answered`; nothing listens (`refused`:
 * the host sent ICMP port unreachable, which a connected socket reports as ECONNREFUSED within
 * milliseconds); or `silent`, no answer and no refusal — a firewall dropped it, or the service
 * ignores what was sent.
 */
export type UdpReachability = "answered" | "refused" | "silent" | "unreachable";

/**
 * Sends `payload` to `host:port` from a connected socket and waits up to `timeoutMs` (default
 * 1000) for the first reply or refusal. `unreachable`: the kernel would not send it — no route
 * (ENETUNREACH, EHOSTUNREACH), or any other socket error (EPERM from a host firewall, EINVAL for a
 * link-local address without its zone). Never rejects except when the caller aborts: the doctor
 * reports what it found instead of failing.
 */
export async function probeUdpPort(host: string, port: number, payload: Buffer, options: CallOptions = {}): Promise<UdpReachability> {
  const socket = dgram.createSocket(isIPv6(host.split("%")[0]!) ? "udp6" : "udp4");
  try {
    return await withDeadline(`probing ${host}:${port}`, options.timeoutMs ?? 1000, options.signal, (signal) =>
      new Promise<UdpReachability>((resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        socket.on("message", () => resolve("answered"));
        const settle = (error: NodeJS.ErrnoException): void => resolve(error.code === "ECONNREFUSED" ? "refused" : "unreachable");
        socket.on("error", settle);
        socket.connect(port, host, (error?: Error) => (error ? settle(error) : socket.send(payload)));
      }),
    );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return error instanceof TimeoutError ? "silent" : "unreachable";
  } finally {
    socket.close();
  }
}

/**
 * Whether the kernel has a route for a multicast group: connecting a UDP socket asks for one and
 * sends nothing. Without it every multicast search fails at once (ENETUNREACH).
 */
export function hasRouteTo(group: string, port: number): Promise<boolean> {
  return localAddressToward(group, port).then(
    () => true,
    () => false,
  );
}
