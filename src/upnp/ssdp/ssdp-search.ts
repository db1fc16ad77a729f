import type dgram from "node:dgram";
import { SocketError } from "../../errors/errors.js";
import { hostHeader } from "../../http/http-url.js";
import { AsyncQueue } from "../../util/async-queue.js";
import { checkLocation } from "./location-policy.js";
import { MAX_SSDP_DATAGRAM_BYTES, parseSsdpResponse } from "./ssdp-message.js";
import { planSearch, type PlannedSend, type SearchPlan } from "./search-plan.js";
import type { SsdpReply, SsdpSearchOptions, SsdpTraceEvent } from "./ssdp-search-options.js";
import { bindSsdpSocket, closeSsdpSocket } from "./ssdp-socket.js";

export type { SsdpReply, SsdpSearchOptions, SsdpTraceEvent, SsdpUnicastTarget } from "./ssdp-search-options.js";

/** When the n-th send of an M-SEARCH (counting from 0) goes out: 0, 250, 750, 1750 ms ... */
function sendDelayMs(attempt: number): number {
  return 250 * (2 ** attempt - 1);
}

/**
 * A search target without its version, so that a device answering an IGD:1 search with
 * `ST: ...InternetGatewayDevice:2` (rust-igd#12) still counts as an answer to it.
 */
function targetType(searchTarget: string): string {
  return searchTarget.trim().toLowerCase().replace(/:\d+$/, "");
}

/** One running search: its sockets, timers, and the replies not yet handed out. */
class SsdpSearch {
  readonly replies = new AsyncQueue<SsdpReply>();
  private readonly sockets = new Map<4 | 6, dgram.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly seen = new Set<string>();
  private readonly answeredTypes = new Set<string>();
  private sendsOk = 0;
  private sendsFailed = 0;
  private closed = false;

  constructor(private readonly plan: SearchPlan) {}

  async start(): Promise<void> {
    const { plan } = this;
    for (const family of plan.families) {
      const socket = await bindSsdpSocket({ ...plan, family, port: plan.bindPort });
      this.sockets.set(family, socket);
      socket.on("message", (datagram, from) => this.receive(family, datagram, from));
      socket.on("error", (cause) => this.stop(new SocketError(`SSDP socket failed: ${cause.message}`, cause)));
    }
    plan.signal?.throwIfAborted();
    plan.signal?.addEventListener("abort", this.onAbort, { once: true });
    this.later(plan.listenMs, () => this.stop());
    this.sendRound(0);
    for (let attempt = 1; attempt < plan.retransmits; attempt++) {
      this.later(sendDelayMs(attempt), () => this.sendRound(attempt));
    }
  }

  /** Ends the search: with `error` the consumer's next pull rejects, without it the replies end. */
  stop(error?: unknown): void {
    if (error !== undefined) this.replies.fail(error);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.plan.signal?.removeEventListener("abort", this.onAbort);
    for (const socket of this.sockets.values()) closeSsdpSocket(socket);
    this.sockets.clear();
    this.replies.end();
  }

  private readonly onAbort = (): void => this.stop(this.plan.signal?.reason);

  private later(ms: number, task: () => void): void {
    // Every round-0 send can fail synchronously and stop the search inside start(): a timer
    // added after that would never be cleared.
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, ms);
    this.timers.add(timer);
  }

  private isAnswered(searchTarget: string): boolean {
    const type = targetType(searchTarget);
    return type === "ssdp:all" ? this.answeredTypes.size > 0 : this.answeredTypes.has(type);
  }

  private sendRound(attempt: number): void {
    if (this.closed) return;
    for (const planned of this.plan.sends) {
      // UDA 1.1 resends because UDP is lossy; once a target is answered there is nothing to recover.
      if (attempt > 0 && this.isAnswered(planned.searchTarget)) continue;
      this.send(planned, attempt);
    }
  }

  private send(planned: PlannedSend, attempt: number): void {
    const { family, address, port, searchTarget, message } = planned;
    const failed = (error: unknown): void => {
      this.sendsFailed++;
      this.trace({ type: "send-failed", family, address, port, searchTarget, attempt, error });
      // One unreachable destination (say, no IPv4 multicast route) is no reason to stop; nothing
      // sent at all is a socket error, as the engine reports it.
      if (this.sendsOk === 0 && this.sendsFailed >= this.plan.sends.length) {
        // Node's message writes an IPv6 destination and its port unbracketed (`send ENETUNREACH ff02::c:1900`).
        const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        this.stop(new SocketError(`cannot send an M-SEARCH to ${hostHeader(address, port)}: ${why}`, error));
      }
    };
    try {
      this.sockets.get(family)!.send(message, port, address, (error) => {
        if (this.closed) return;
        if (error) return failed(error);
        this.sendsOk++;
        this.trace({ type: "sent", family, address, port, searchTarget, attempt, text: message.toString("utf8") });
      });
    } catch (error) {
      failed(error);
    }
  }

  private receive(family: 4 | 6, datagram: Buffer, from: dgram.RemoteInfo): void {
    if (this.closed) return;
    // Any source port is accepted: routers answer from an ephemeral one (tailscale#6833, #7377).
    const source = { family, address: from.address, port: from.port };
    const tooLarge = datagram.length > MAX_SSDP_DATAGRAM_BYTES;
    const response = tooLarge ? undefined : parseSsdpResponse(datagram);
    if (!response) {
      const text = datagram.subarray(0, MAX_SSDP_DATAGRAM_BYTES).toString("utf8");
      const reason = tooLarge ? "too large" : "not a search reply";
      return this.trace({ type: "ignored", ...source, reason, bytes: datagram.length, text });
    }
    const reply: SsdpReply = { ...response, ...source };
    // Checked before the reply counts for anything, so refused replies can neither stop resends
    // nor use up maxReplies.
    const verdict = checkLocation(reply.location, from.address, this.plan.localNetworks, this.plan.allowForeignLocations);
    if (!verdict.allowed) return this.trace({ type: "location-refused", ...source, reply, reason: verdict.reason });
    reply.location = verdict.location;
    this.answeredTypes.add(targetType(reply.st));
    // Several search targets, resends and interfaces bring the same device back more than once.
    const key = `${reply.location}\n${reply.usn}`;
    if (this.seen.has(key)) return this.trace({ type: "duplicate", ...source, reply });
    this.seen.add(key);
    this.trace({ type: "received", ...source, reply });
    this.replies.push(reply);
    if (this.seen.size >= this.plan.maxReplies) this.stop();
  }

  private trace(event: SsdpTraceEvent): void {
    try {
      this.plan.onTrace?.(event);
    } catch {
      // A throwing trace hook inside a socket event would be an uncaught exception: drop it.
    }
  }
}

/**
 * Sends M-SEARCHes and yields each distinct reply (by LOCATION and USN) as soon as it arrives, so
 * a caller can stop at the first useful one. Ends quietly after `listenMs` or `maxReplies`.
 * Rejects with `InvalidArgumentError` for bad options, `SocketError` when a socket cannot be bound
 * or nothing can be sent, and `signal.reason` on abort. Sockets and timers are released however
 * the iteration ends, including `break`; if the consumer stops pulling, they are still released
 * when `listenMs` passes.
 */
export async function* searchSsdp(options: SsdpSearchOptions = {}): AsyncGenerator<SsdpReply, void, undefined> {
  const search = new SsdpSearch(planSearch(options));
  try {
    await search.start();
    for await (const reply of search.replies) {
      // Replies queued before an abort are not handed out after it.
      options.signal?.throwIfAborted();
      yield reply;
    }
  } finally {
    search.close();
  }
}
