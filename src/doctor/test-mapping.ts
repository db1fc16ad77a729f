import dgram from "node:dgram";
import { once } from "node:events";
import { MappingDroppedError, PortholeError } from "../errors/errors.js";
import type { Mapping, PortMapper } from "../mapping/port-mapper.js";
import { delay } from "../util/deadline.js";
import type { Finding } from "./finding.js";

/** What became of the test mapping. */
export type TestMappingOutcome =
  | { state: "mapped"; mapping: Mapping; hairpin: "works" | "inconclusive" | "not-checked" }
  | { state: "refused" | "dropped" | "failed"; error: unknown };

export interface TestMappingOptions {
  signal: AbortSignal;
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
  const listener = dgram.createSocket("udp4");
  listener.bind(0);
  await once(listener, "listening");
  let mapping: Mapping | undefined;
  try {
    mapping = await mapper.map({ protocol: "UDP", internalPort: listener.address().port, leaseSeconds: options.leaseSeconds, description: "porthole doctor" }, { signal: options.signal });
    const check = await mapper.check(mapping, { signal: options.signal });
    if (check.state === "missing") return { state: "dropped", error: new MappingDroppedError("the gateway granted the test mapping and then no longer had it", { protocol: mapper.method === "upnp-pinhole" ? "upnp" : mapper.method }) };
    const hairpin = options.checkHairpin && mapping.externalAddress !== undefined ? await hairpinArrives(listener, mapping) : "not-checked";
    return { state: "mapped", mapping, hairpin };
  } catch (error) {
    if (options.signal.aborted && !(error instanceof PortholeError)) throw error;
    if (error instanceof MappingDroppedError) return { state: "dropped", error };
    return { state: error instanceof PortholeError && error.protocolCode !== undefined ? "refused" : "failed", error };
  } finally {
    listener.close();
    // Its own budget: the diagnosis's may be the reason it ends.
    await mapping?.release({ timeoutMs: 2000 }).catch(() => undefined);
  }
}

async function hairpinArrives(listener: dgram.Socket, mapping: Mapping): Promise<"works" | "inconclusive"> {
  const token = Buffer.from(`porthole hairpin ${Math.random()}`);
  let arrived = false;
  const onMessage = (message: Buffer): void => {
    if (message.equals(token)) arrived = true;
  };
  listener.on("message", onMessage);
  const sender = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => sender.send(token, mapping.externalPort, mapping.externalAddress!, () => resolve()));
    await delay(hairpinWaitMs);
    return arrived ? "works" : "inconclusive";
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

/** Findings about the test mapping: refused (with the router's code and what it means), dropped, failed, and the hairpin. */
export function testMappingFindings(outcome: TestMappingOutcome, method: string): Finding[] {
  switch (outcome.state) {
    case "mapped":
      if (outcome.hairpin === "works") return [{ id: "hairpin-works", severity: "info", title: "a datagram sent to the external address came back through the router (NAT loopback works)" }];
      if (outcome.hairpin === "inconclusive") {
        return [
          {
            id: "hairpin-inconclusive",
            severity: "info",
            title: "a datagram sent from here to the external address did not come back: the router may not loop traffic back to the LAN, which says nothing about reaching it from the internet",
            fix: "To test reachability, connect from outside (a phone off Wi-Fi, a friend, a remote server).",
          },
        ];
      }
      return [];
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
