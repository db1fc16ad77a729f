import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { delay } from "../../src/util/deadline.js";
import { isRunning } from "./processes.js";
import type { MiniupnpdOptions } from "./miniupnpd-config.js";
import { startMiniupnpd, type RunningMiniupnpd } from "./miniupnpd.js";
import type { RigTopology } from "./rig-topology.js";

/** One router across restarts: the same UUID, a lease file, and a reboot that forgets everything. */
export class RebootableDaemon {
  readonly uuid = randomUUID();
  readonly leaseFile: string;
  daemon: RunningMiniupnpd | undefined;
  /** When the last (re)start was asked for, by `Date.now`. */
  startAskedAt = 0;

  constructor(private readonly rig: RigTopology) {
    this.leaseFile = join(rig.workDir, `leases-${this.uuid}`);
  }

  async start(options: MiniupnpdOptions = {}): Promise<RunningMiniupnpd> {
    this.startAskedAt = Date.now();
    this.daemon = await startMiniupnpd(this.rig, { uuid: this.uuid, leaseFile: this.leaseFile, ...options });
    return this.daemon;
  }

  /**
   * Power loss and boot: the daemon is killed (no byebye), its lease file removed, and it is
   * started again (which loads fresh, empty firewall tables). Resolves once it answers again.
   */
  async reboot(options: MiniupnpdOptions = {}): Promise<RunningMiniupnpd> {
    const pid = this.daemon!.pid;
    process.kill(pid, "SIGKILL");
    while (await isRunning(pid)) await delay(20);
    await rm(this.leaseFile, { force: true });
    // miniupnpd's BOOTID is the start time in seconds: a reboot within the same second would keep it.
    await delay(1100);
    return this.start(options);
  }

  stop(): Promise<void> {
    return this.daemon?.stop() ?? Promise.resolve();
  }
}

