import type { TestContext } from "node:test";
import { findGateway, MappingManager, UpnpPortMapper, type MappingManagerOptions, type VirtualGateway, type VirtualGatewayActivity, type VirtualGatewayOptions } from "../../../src/index.js";
import type { AnnouncementListenOptions } from "../../../src/upnp/ssdp/announcement-listener.js";
import { ManualClock } from "./manual-clock.js";
import { freeUdpPort } from "./udp-inbox.js";
import { virtualGateway } from "./virtual-gateway-fixture.js";

export { names, nextEvent, recordEvents } from "./managed-events.js";
export { busiestWindow } from "./busiest-window.js";

export interface ManagedSetup {
  readonly clock: ManualClock;
  /** The gateway now: `restartGateway` replaces it. */
  readonly gateway: VirtualGateway;
  readonly manager: MappingManager;
  /** Clock readings at which the manager looked for a gateway. */
  readonly discoveries: readonly number[];
  /** Every control request any of the gateways answered, with the clock reading. */
  readonly controlRequests: ReadonlyArray<{ readonly action: string; readonly at: number }>;
  /** Closes the gateway and starts another on the same SSDP port (and UUID) with `options`. */
  restartGateway(options?: VirtualGatewayOptions): Promise<VirtualGateway>;
  /** Closes the gateway without a successor. */
  stopGateway(): Promise<void>;
}

export interface ManagedSetupOptions {
  gateway?: VirtualGatewayOptions;
  manager?: Omit<MappingManagerOptions, "clock" | "findMapper">;
  /** Listen for the gateway's announcements on loopback. @default false */
  announcements?: boolean;
}

/** A little more than half of 1, so jitter is the same on every run: checks come at 1.01 × the interval. */
export const fixedRandom = (): number => 0.55;

/**
 * A virtual gateway and a mapping manager on one manual clock. The manager finds the gateway by
 * a unicast search on loopback (so the BOOTID of the reply is known), at most 300 ms of listening.
 */
export async function managedSetup(t: TestContext, options: ManagedSetupOptions = {}): Promise<ManagedSetup> {
  const clock = new ManualClock();
  const ssdpPort = await freeUdpPort();
  const uuid = "0c6a4a8e-93b5-4f5f-8e42-3d1f2a6b7c01";
  let announcements: AnnouncementListenOptions | undefined;
  let announceTo: VirtualGatewayOptions["announceTo"];
  if (options.announcements === true) {
    const port = await freeUdpPort();
    announcements = { address: "127.0.0.1", port };
    announceTo = [{ address: "127.0.0.1", port }];
  }
  const controlRequests: Array<{ action: string; at: number }> = [];
  const onActivity = (activity: VirtualGatewayActivity): void => {
    if (activity.type === "control") controlRequests.push({ action: activity.action, at: clock.now() });
  };
  const start = (extra: VirtualGatewayOptions = {}): Promise<VirtualGateway> =>
    virtualGateway(t, { now: clock.now, ssdpPort, uuid, announceTo, onActivity, ...options.gateway, ...extra });
  let gateway = await start();
  const discoveries: number[] = [];
  const manager = new MappingManager({
    random: fixedRandom,
    ...options.manager,
    clock,
    findMapper: async (signal) => {
      discoveries.push(clock.now());
      const connection = await findGateway({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: ssdpPort }], listenMs: 300, signal });
      return new UpnpPortMapper(connection, { now: clock.now, announcements });
    },
  });
  // Releases go through the scheduler too, so the clock must move while the manager closes.
  t.after(async () => {
    const closing = manager.close();
    await clock.advance(60_000);
    await closing;
  });
  return {
    clock,
    get gateway() {
      return gateway;
    },
    manager,
    discoveries,
    controlRequests,
    async restartGateway(extra) {
      await gateway.close();
      gateway = await start({ bootId: gateway.bootId + 1, ...extra });
      return gateway;
    },
    stopGateway: () => gateway.close(),
  };
}
