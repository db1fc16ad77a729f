/**
 * Recovery after a router reboot on the real miniupnpd: the daemon is killed, its rules and lease
 * file wiped, and started again; the time runs from the daemon answering again to the managed
 * mapping being back. Heard at once when the router announces itself (SSDP ssdp:alive for UPnP,
 * a PCP ANNOUNCE for PCP), found by the next check otherwise. nat-port-mapper is run through the
 * same reboot: it refreshes on a timer only.
 */
import { once } from "node:events";
import { upnpNat } from "@achingbrain/nat-port-mapper";
import { MappingManager, portMapperFinder, upnpMapperFinder, type FindMapper } from "../../src/index.js";
import { delay } from "../../src/util/deadline.js";
import { RebootableDaemon } from "../../test/gateway/rebootable-daemon.js";
import { portBase, type BenchContext } from "../context.js";
import { isMapped } from "../raw-igd.js";
import { firstGateway } from "./nat-port-mapper.js";

export const recoverySubjects = {
  upnpAnnounced: "porthole openPort over UPnP, reboot announced (ssdp:alive)",
  pcpAnnounced: "porthole openPort over PCP, reboot announced (PCP ANNOUNCE)",
  checked: "porthole openPort over UPnP, unannounced, check every 3 s",
  natPortMapper: "nat-port-mapper map() with autoRefresh",
} as const;

const runs = 5;
export const recoveryCheckIntervalMs = 3000;
/** How long nat-port-mapper is given to put its mapping back after the same reboot. */
const peerWaitMs = 10_000;

export async function measureRecovery(context: BenchContext): Promise<string[]> {
  const { rig, recorder } = context;
  const router = new RebootableDaemon(rig);
  await router.start();
  const findings: string[] = [];
  try {
    let port = portBase.recovery;
    /**
     * `ageMs`: how long the mapping lives before the reboot. An epoch tells a restart only once the
     * time since the last answer is beyond its tolerance (RFC 6887 §8.5: 2 s and 1/16): a router
     * that reboots within 2 s of the previous answer cannot be told from one that did not.
     */
    const measure = async (subject: string, findMapper: FindMapper, checkIntervalMs: number, ageMs = 0): Promise<void> => {
      const manager = new MappingManager({ findMapper, discoveryTimeoutMs: 3000, operationTimeoutMs: 2000, retry: { initialDelayMs: 200, maxDelayMs: 1000 } });
      const samples: number[] = [];
      try {
        for (let run = 0; run < runs; run++) {
          const managed = manager.openPort({ protocol: "UDP", internalPort: port++, checkIntervalMs });
          await managed.ready({ timeoutMs: 10_000 });
          // Anywhere in the check cycle, as a real reboot would fall.
          await delay(ageMs + Math.random() * Math.min(checkIntervalMs, 2000));
          const restored = once(managed, "restored", { signal: AbortSignal.timeout(20_000) });
          await router.reboot();
          const answering = performance.now();
          await restored;
          // Heard before the daemon's HTTP answered the start check: back as soon as it answered.
          samples.push(Math.max(0, performance.now() - answering));
          await managed.close();
        }
      } finally {
        await manager.close();
      }
      recorder.record("recovery", subject, samples, checkIntervalMs > 60_000 ? "checks far apart: only the announcement brings it back" : `the next check finds it gone (every ${checkIntervalMs} ms)`);
    };
    const upnp = (announcements: boolean): FindMapper =>
      upnpMapperFinder({ discovery: { multicastInterface: rig.lan.ifname, listenMs: 1000 }, ...(announcements ? { announcements: { multicastInterface: rig.lan.ipv4 } } : {}) });
    await measure(recoverySubjects.upnpAnnounced, upnp(true), 3_600_000);
    await measure(recoverySubjects.pcpAnnounced, portMapperFinder({ protocol: "pcp" }), 3_600_000, 3000);
    await measure(recoverySubjects.checked, upnp(false), recoveryCheckIntervalMs);
    findings.push(await natPortMapperAfterReboot(context, router, port));
  } finally {
    await router.stop();
  }
  return findings;
}

/** Maps with nat-port-mapper's defaults, reboots the router, and says whether the mapping came back. */
async function natPortMapperAfterReboot(context: BenchContext, router: RebootableDaemon, port: number): Promise<string> {
  const client = upnpNat({ autoRefresh: true });
  const gateway = await firstGateway(client);
  try {
    await gateway.map(port, context.lanAddress, { protocol: "udp" });
    await router.reboot();
    const started = performance.now();
    while (performance.now() - started < peerWaitMs) {
      if (await isMapped(context.service, port, "UDP")) {
        const ms = performance.now() - started;
        context.recorder.record("recovery", recoverySubjects.natPortMapper, [ms], "came back on its own");
        return `nat-port-mapper put its mapping back ${Math.round(ms)} ms after the reboot`;
      }
      await delay(250);
    }
    context.recorder.skip("recovery", recoverySubjects.natPortMapper, `not back within ${peerWaitMs / 1000} s of the router answering again`);
    return `nat-port-mapper 4.0.5 did not put its mapping back within ${peerWaitMs / 1000} s of the reboot: it only re-maps on a timer, ${"TTL - 60 s"} after each map (about an hour with its default TTL), and never hears the router's announcement`;
  } finally {
    await gateway.stop().catch(() => undefined);
  }
}
