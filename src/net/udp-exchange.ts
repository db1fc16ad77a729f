import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { InvalidArgumentError, InvalidResponseError, NoGatewayError, PortholeError, SocketError, TimeoutError } from "../errors/errors.js";
import { checkCallOptions } from "../util/check-arguments.js";
import type { CallOptions } from "../util/deadline.js";
import { addressToBytes } from "./address-bytes.js";

/** Our end of an exchange, as the kernel bound it. */
export interface LocalEndpoint {
  /** Our address toward the peer (the route's source address), without an IPv6 zone. */
  address: string;
  port: number;
}

/** The options of a NAT-PMP or PCP request. */
export interface ExchangeOptions extends CallOptions {
  /**
   * Called each time the request is sent, resends included: from then on the gateway may act on
   * it though no answer comes back. Must not throw; an exception from it is ignored.
   */
  onSent?: (() => void) | undefined;
}

/** Checks `ExchangeOptions` at the API's edge, before any traffic. */
export function checkExchangeOptions(options: ExchangeOptions | undefined): void {
  checkCallOptions(options);
  if (options?.onSent !== undefined && typeof options.onSent !== "function") throw new InvalidArgumentError("onSent must be a function");
}

/** One request sent over UDP and retransmitted until its answer comes (NAT-PMP, PCP). */
export interface UdpExchange<T> {
  /** What is asked of whom, for errors: e.g. "NAT-PMP map UDP 7777 at 192.0.2.1". */
  what: string;
  host: string;
  port: number;
  /** Our address to send from; the route's source address toward `host` when omitted. */
  localAddress?: string | undefined;
  /** The request's bytes, built once the socket is bound, since PCP carries our own address. */
  request(local: LocalEndpoint): Uint8Array;
  /** The waits between sends, in order; after the last one the exchange waits until its budget ends. */
  retransmitDelaysMs: Iterable<number>;
  /**
   * Reads a datagram from `host:port`: a value ends the exchange with it; undefined ignores the
   * datagram (an answer to another request); an `InvalidResponseError` marks it malformed and
   * ignores it too; any other error ends the exchange with that error (the gateway refused).
   */
  accept(reply: Buffer, local: LocalEndpoint): T | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onSent?: ExchangeOptions["onSent"];
}

function sameAddress(a: string, b: string): boolean {
  // The usual case, the reply's source written as the host was, needs no conversion.
  if (a === b) return true;
  try {
    return Buffer.from(addressToBytes(a)).equals(addressToBytes(b));
  } catch {
    return false;
  }
}

/**
 * Sends `exchange.request` from a fresh socket connected to `host:port`, resends it on the
 * schedule, and resolves with the first datagram `accept` takes. Connecting makes the kernel drop
 * datagrams from anyone else, and turns an ICMP port unreachable into a quick `NoGatewayError`
 * instead of a wait for the whole budget; sources are checked here as well. At the end of the
 * budget the call rejects with a `TimeoutError`, or with an `InvalidResponseError` when only
 * malformed replies came. The socket and every timer are gone however it ends.
 */
export function exchangeUdp<T>(exchange: UdpExchange<T>): Promise<T> {
  const { signal } = exchange;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const socket = dgram.createSocket(isIPv6(exchange.host.split("%")[0]!) ? "udp6" : "udp4");
  const delays = exchange.retransmitDelaysMs[Symbol.iterator]();
  const budgetEnds = Number.isFinite(exchange.timeoutMs) && exchange.timeoutMs >= 0 ? performance.now() + exchange.timeoutMs : Infinity;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let lastMalformed: InvalidResponseError | undefined;
  let local: LocalEndpoint | undefined;
  let request: Uint8Array | undefined;

  // One timer, for the next resend or the end of the budget, whichever comes first, and a listener
  // on the caller's signal, without a deadline's controller: this is every NAT-PMP and PCP
  // request's path, run cold between round trips, where each timer and abort shows (docs/benchmarks.md).
  return new Promise<T>((resolve, reject) => {
    const finish = (error: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.close();
      if (error === undefined) resolve(value as T);
      else reject(error);
    };
    const fail = (reason: unknown): void => {
      const timedOut = reason instanceof PortholeError && reason.code === "PORTHOLE_TIMEOUT";
      finish(timedOut && lastMalformed !== undefined ? new InvalidResponseError(`${exchange.what}: no valid reply, the last one was malformed: ${lastMalformed.message}`, lastMalformed) : reason);
    };
    const onAbort = (): void => fail(signal!.reason);
    const send = (): void => {
      if (settled) return;
      const left = budgetEnds - performance.now();
      if (left <= 0) return fail(new TimeoutError(exchange.what, exchange.timeoutMs));
      socket.send(request!, (error) => {
        if (error !== null && error !== undefined) finish(new SocketError(`${exchange.what}: cannot send: ${error.message}`, error));
      });
      try {
        exchange.onSent?.();
      } catch {
        // Thrown in a socket callback or a timer, it would be an uncaught exception: dropped.
      }
      const next = delays.next();
      const resendIn = next.done ? Infinity : next.value;
      if (resendIn < left) timer = setTimeout(send, resendIn);
      else if (left !== Infinity) timer = setTimeout(() => fail(new TimeoutError(exchange.what, exchange.timeoutMs)), left);
    };

    signal?.addEventListener("abort", onAbort, { once: true });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      finish(
        error.code === "ECONNREFUSED"
          ? new NoGatewayError(`${exchange.what}: nothing listens on ${exchange.host} port ${exchange.port} (ICMP port unreachable)`, { nothingAnswered: true, cause: error })
          : new SocketError(`${exchange.what}: ${error.message}`, error),
      );
    });
    socket.on("message", (reply, source) => {
      if (settled || local === undefined || source.port !== exchange.port || !sameAddress(source.address, exchange.host)) return;
      let value: T | undefined;
      try {
        value = exchange.accept(reply, local);
      } catch (error) {
        if (error instanceof InvalidResponseError) lastMalformed = error;
        else finish(error);
        return;
      }
      if (value !== undefined) finish(undefined, value);
    });
    const connect = (): void => {
      socket.connect(exchange.port, exchange.host, (error?: Error) => {
        if (settled) return;
        if (error) return finish(new SocketError(`${exchange.what}: no route to ${exchange.host}: ${error.message}`, error));
        const bound = socket.address();
        local = { address: bound.address.split("%")[0]!, port: bound.port };
        try {
          request = exchange.request(local);
        } catch (cause) {
          return finish(cause);
        }
        send();
      });
    };
    // Without an address to send from, connect() binds by itself: one step less on every request.
    if (exchange.localAddress === undefined) connect();
    else socket.bind({ port: 0, address: exchange.localAddress }, () => (settled ? undefined : connect()));
  });
}
