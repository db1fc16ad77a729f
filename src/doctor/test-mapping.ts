import dgram from "node:dgram";
import { once } from "node:events";
import { MappingDroppedError, PortholeError } from "../errors/errors.js";
import { removalGraceMs, type Mapping, type PortMapper } from "../mapping/port-mapper.js";
import { delay, type RequestOptions, type SequentialBudget } from "../util/deadline.js";
import type { Finding } from "./finding.js";

/** What became of the hairpin datagram; `out-of-time`: the budget ended before it could come back. */
export type HairpinResult = "works" | "inconclusive" | "out-of-time" | "not-checked";

/** What became of the test mapping; `removed`: the router confirmed that it is gone again. */
export type TestMappingOutcome =
  | { state: "mapped"; mapping: Mapping; hairpin: HairpinResult; removed: boolean }
  | { state: "refused" | "dropped" | "failed"; error: unknown };

export interface TestMappingOptions {
  /** The diagnosis's budget, already started: each step gets what is left of it. */
  budget: SequentialBudget;
  /** Lease asked for the test mapping: short, so a crash leaves nothing for long. */
  leaseSeconds: number;
  /** Send a datagram to the external address and port and see if it comes back (NAT loopback). */
  checkHairpin: boolean;
}

/** How long a hairpinned datagram may take before the check is called inconclusive. */
const hairpinWaitMs = 300;

/**
 * Maps a UDP port of a socket held meanwhile (so the port is free, random and high), reads the
 * mapping back, tries a hairpin, and always removes it again, whatever failed.
 */
export async function tryTestMapping(mapper: PortMapper, options: TestMappingOptions): Promise<TestMappingOutcome> {
  const { budget } = options;
  const listener = dgram.createSocket("udp4");
  listener.bind(0);
  await once(listener, "listening");
  let unremoved: Mapping | undefined;
  try {
    const mapping = await mapper.map({ protocol: "UDP", internalPort: listener.address().port, leaseSeconds: options.leaseSeconds, description: "porthole doctor" }, budget.next());
    unremoved = mapping;
    const check = await mapper.check(mapping, budget.next());
    if (check.state === "missing") return { state: "dropped", error: new MappingDroppedError("the gateway granted the test mapping and then no longer had it", { protocol: mapper.method === "upnp-pinhole" ? "upnp" : mapper.method }) };
    const hairpin = options.checkHairpin && mapping.externalAddress !== undefined ? await hairpinArrives(listener, mapping, budget.next()) : "not-checked";
    unremoved = undefined;
    return { state: "mapped", mapping, hairpin, removed: await removeTestMapping(mapping, budget) };
  } catch (error) {
    if (budget.signal?.aborted && !(error instanceof PortholeError)) throw error;
    if (error instanceof MappingDroppedError) return { state: "dropped", error };
    return { state: error instanceof PortholeError && error.protocolCode !== undefined ? "refused" : "failed", error };
  } finally {
    if (unremoved !== undefined) await removeTestMapping(unremoved, budget);
    // Held until the mapping is gone: nothing else may take the port it leads to meanwhile.
    listener.close();
  }
}

/**
 * Removes the test mapping within what is left of the budget and the grace; true when the router
 * confirmed it. Not on the caller's signal: a diagnosis stopped or out of time is often why the
 * mapping must go now.
 */
function removeTestMapping(mapping: Mapping, budget: SequentialBudget): Promise<boolean> {
  return mapping.release({ timeoutMs: budget.next().timeoutMs + removalGraceMs }).then(
    () => true,
    () => false,
  );
}

async function hairpinArrives(listener: dgram.Socket, mapping: Mapping, request: RequestOptions): Promise<HairpinResult> {
  const waitMs = Math.min(hairpinWaitMs, request.timeoutMs);
  // Nothing could come back in no time: sending would only make the answer depend on chance.
  if (waitMs === 0) return "out-of-time";
  const token = Buffer.from(`porthole hairpin ${Math.random()}`);
  let arrived = false;
  const onMessage = (message: Buffer): void => {
    if (message.equals(token)) arrived = true;
  };
  listener.on("message", onMessage);
  const sender = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => sender.send(token, mapping.externalPort, mapping.externalAddress!, () => resolve()));
    await delay(waitMs, request.signal);
    if (arrived) return "works";
    // A wait the budget cut short says less than the usual one: it is not the router's silence.
    return waitMs < hairpinWaitMs ? "out-of-time" : "inconclusive";
  } finally {
    listener.off("message", onMessage);
    sender.close();
  }
}

function fixForRefusal(error: unknown): string {
  const code = error instanceof PortholeError ? `${error.protocol}:${error.protocolCode}` : "";
  switch (code) {
    case "upnp:606":
      return "The router's UPnP access control refused it: it may allow only this host's own address and ports from 1024 up (miniupnpd secure_mode), or deny this host. Check its UPnP settings.";
    case "upnp:501":
    case "natpmp:3":
    case "pcp:8":
    case "pcp:7":
      return "Routers answer this when they have no usable external address, typically behind another NAT: check the external address below and the router's WAN status.";
    case "natpmp:2":
    case "pcp:2":
      return "Port mapping is turned off or not allowed for this host: enable it for this host in the router's settings.";
    case "pcp:12":
      return "Another NAT sits between this machine and the router (the router sees another source address): connect this machine to the router directly.";
    default:
      return "The router's answer is above; its settings for UPnP / NAT-PMP / PCP decide what it allows.";
  }
}

/** Findings about the test mapping: refused (with the router's code and what it means), dropped, failed, the hairpin, and a removal the router did not confirm. */
export function testMappingFindings(outcome: TestMappingOutcome, method: string): Finding[] {
  switch (outcome.state) {
    case "mapped":
      return [...hairpinFindings(outcome.hairpin), ...removalFindings(outcome.mapping, outcome.removed)];
    case "refused":
      return [{ id: "test-mapping-refused", severity: "problem", title: `the router refused a test mapping over ${method}: ${errorText(outcome.error)}`, fix: fixForRefusal(outcome.error) }];
    case "dropped":
      return [
        {
          id: "test-mapping-dropped",
          severity: "problem",
          title: `the router accepted a test mapping over ${method} and then dropped it: mappings on this router do not stay`,
          fix: "A known fault of some router firmware (DD-WRT, some ISP boxes): update the firmware, or try another protocol (--protocol).",
        },
      ];
    case "failed":
      return [{ id: "test-mapping-failed", severity: "problem", title: `a test mapping over ${method} failed: ${errorText(outcome.error)}`, fix: "Try again; if it keeps failing, run with --verbose to see the exchange." }];
  }
}

/** Why no hairpinned datagram was heard: the router did not loop it back, or the budget cut the wait short. */
const hairpinSilences: Readonly<Record<"inconclusive" | "out-of-time", string>> = {
  inconclusive: "a datagram sent from here to the external address did not come back: the router may not loop traffic back to the LAN, which says nothing about reaching it from the internet",
  "out-of-time": "the time ran out before a datagram sent to the external address could come back: whether the router loops traffic back to the LAN is not known, which says nothing about reaching it from the internet",
};

function hairpinFindings(hairpin: HairpinResult): Finding[] {
  if (hairpin === "not-checked") return [];
  if (hairpin === "works") return [{ id: "hairpin-works", severity: "info", title: "a datagram sent to the external address came back through the router (NAT loopback works)" }];
  return [{ id: "hairpin-inconclusive", severity: "info", title: hairpinSilences[hairpin], fix: "To test reachability, connect from outside (a phone off Wi-Fi, a friend, a remote server)." }];
}

function removalFindings(mapping: Mapping, removed: boolean): Finding[] {
  if (removed) return [];
  const until = mapping.leaseSeconds === 0 ? "it stays until removed in the router's settings (the router made it permanent)" : `it ends with its ${mapping.leaseSeconds} s lease`;
  return [{ id: "test-mapping-not-removed", severity: "info", title: `the router did not confirm in time that the test mapping (${mapping.protocol} ${mapping.externalPort}) was removed: if it still has it, ${until}` }];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
