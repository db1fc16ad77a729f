import { checkRequiredObject } from "../util/check-arguments.js";
import { findAnyPortMapper } from "../discovery/port-mapper-finder.js";
import { systemClock, type Clock } from "./clock.js";
import type { ManagedPort } from "./managed-port.js";
import { checkPortOptions, type FindMapper, type ManagedPortOptions } from "./managed-port-options.js";
import { MappingManager } from "./mapping-manager.js";
import type { PortMapper } from "../mapping/port-mapper.js";

export interface OpenPortOptions extends ManagedPortOptions {
  /** The gateway to use (see `MappingManagerOptions.mapper`). */
  mapper?: PortMapper | undefined;
  /** How to find the gateway (see `MappingManagerOptions.findMapper`). @default PCP, NAT-PMP and UPnP asked at once (`findAnyPortMapper`) */
  findMapper?: FindMapper | undefined;
  /** Time and timers. @default systemClock */
  clock?: Clock | undefined;
}

/**
 * The managers `openPort` shares: ports opened with the same mapper (or the same `findMapper`, or
 * both left out) and the same clock share one manager, so one discovery, one watch and one pace.
 */
const sharedManagers = new Map<object, Map<Clock, MappingManager>>();

/**
 * Keeps a port open on the gateway until `close()`: maps it, renews it, checks it, puts it back
 * after a reboot or on a gateway found again, and removes it at the end. Returns the handle at
 * once; listen for its events or await `ready()`. See docs/managed-mappings.md.
 *
 * ```ts
 * await using port = openPort({ internalPort: 7777, protocol: "UDP" });
 * port.on("mapped", ({ externalAddress, externalPort }) => console.log(`reach me at ${externalAddress}:${externalPort}`));
 * port.on("lost", ({ reason }) => console.warn("port lost:", reason));
 * await port.ready();
 * ```
 */
export function openPort(options: OpenPortOptions): ManagedPort {
  checkRequiredObject("options", options);
  const { mapper, findMapper, clock = systemClock, ...portOptions } = options;
  // Checked before a shared manager is made for it.
  checkPortOptions(portOptions);
  const source: object = mapper ?? findMapper ?? findAnyPortMapper;
  const byClock = sharedManagers.get(source) ?? new Map<Clock, MappingManager>();
  sharedManagers.set(source, byClock);
  let manager = byClock.get(clock);
  if (manager === undefined) {
    const created = new MappingManager({ mapper, findMapper, clock }, () => {
      // The last port left: the next one starts afresh.
      byClock.delete(clock);
      if (byClock.size === 0) sharedManagers.delete(source);
      void created.close();
    });
    manager = created;
    byClock.set(clock, manager);
  }
  return manager.openPort(portOptions);
}
