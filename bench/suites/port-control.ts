/**
 * NAT-PMP and PCP on the same miniupnpd: porthole's mappers (cold: a new mapper, or the protocol
 * search and then a map) against the same datagrams on bare sockets, and against
 * nat-port-mapper's own NAT-PMP client.
 */
import { pmpNat } from "@achingbrain/nat-port-mapper";
import { findPortMapper, NatPmpPortMapper, PcpPortMapper, type FindPortMapperOptions, type Mapping } from "../../src/index.js";
import { encodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { exchangeDatagram } from "../raw-datagram.js";
import { repeat } from "../timing.js";

export const portControlSubjects = {
  floorPcp: "floor: bare PCP ANNOUNCE, then MAP",
  floorNatPmp: "floor: bare NAT-PMP address, then MAP",
  pcpMapper: "porthole PcpPortMapper map(), new mapper",
  natPmpMapper: "porthole NatPmpPortMapper map(), new mapper",
  findPcp: "porthole findPortMapper(pcp) + map()",
  findNatPmp: "porthole findPortMapper(natpmp) + map()",
  findAuto: "porthole findPortMapper(auto) + map()",
  natPortMapperPmp: "nat-port-mapper pmpNat map()",
} as const;

const lifetimeSeconds = 600;

export async function measurePortControl(context: BenchContext): Promise<void> {
  const { rig, lanAddress, recorder } = context;
  const gateway = rig.gateway.lanIpv4;
  let next = portBase.portControl;
  const port = (): number => next++;
  const nonce = new Uint8Array(12).fill(7);
  // Each run maps a new port; the mapping is removed untimed, after the sample.
  const timed = async (map: (port: number) => Promise<Mapping | void>, release: (port: number, mapping: Mapping | void) => Promise<unknown>): Promise<number[]> => {
    const pending: Array<() => Promise<unknown>> = [];
    const samples = await repeat(repetitions.quick, async () => {
      const internalPort = port();
      const mapping = await map(internalPort);
      pending.push(() => release(internalPort, mapping));
    });
    for (const cleanup of pending) await cleanup();
    return samples;
  };
  const releaseMapping = (_port: number, mapping: Mapping | void): Promise<unknown> => (mapping ? mapping.release() : Promise.resolve());

  const announce = encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress: lanAddress, options: [] });
  const pcpMap = (internalPort: number, lifetime: number) =>
    encodePcpRequest({ kind: "map", lifetimeSeconds: lifetime, clientAddress: lanAddress, options: [], map: { nonce, protocol: 17, internalPort, externalPort: internalPort, externalAddress: "0.0.0.0" } });
  recorder.record(
    "pcp-map",
    portControlSubjects.floorPcp,
    await timed(
      async (internalPort) => {
        await exchangeDatagram(gateway, announce);
        await exchangeDatagram(gateway, pcpMap(internalPort, lifetimeSeconds));
      },
      (internalPort) => exchangeDatagram(gateway, pcpMap(internalPort, 0)),
    ),
    "the datagrams findPortMapper(pcp) + map() send: ANNOUNCE, then MAP, each on a fresh UDP socket",
  );
  const natPmpMap = (internalPort: number, lifetime: number) => encodeNatPmpRequest({ kind: "map", protocol: "UDP", internalPort, suggestedExternalPort: internalPort, lifetimeSeconds: lifetime });
  recorder.record(
    "natpmp-map",
    portControlSubjects.floorNatPmp,
    await timed(
      async (internalPort) => {
        await exchangeDatagram(gateway, encodeNatPmpRequest({ kind: "external-address" }));
        await exchangeDatagram(gateway, natPmpMap(internalPort, lifetimeSeconds));
      },
      (internalPort) => exchangeDatagram(gateway, natPmpMap(internalPort, 0)),
    ),
    "the address request, then MAP, each on a fresh UDP socket",
  );

  const request = (internalPort: number) => ({ protocol: "UDP" as const, internalPort, leaseSeconds: lifetimeSeconds });
  recorder.record("pcp-map", portControlSubjects.pcpMapper, await timed((p) => new PcpPortMapper(gateway).map(request(p)), releaseMapping), "one MAP; the reply carries the external address");
  recorder.record("natpmp-map", portControlSubjects.natPmpMapper, await timed((p) => new NatPmpPortMapper(gateway).map(request(p)), releaseMapping), "MAP, with the address request beside it");
  const found = (options: FindPortMapperOptions) => async (p: number) => (await findPortMapper({ ...options, upnp: { multicastInterface: rig.lan.ifname } })).map(request(p));
  recorder.record("pcp-map", portControlSubjects.findPcp, await timed(found({ protocol: "pcp" }), releaseMapping), "ANNOUNCE, then MAP");
  recorder.record("natpmp-map", portControlSubjects.findNatPmp, await timed(found({ protocol: "natpmp" }), releaseMapping), "address request, then MAP");
  recorder.record("pcp-map", portControlSubjects.findAuto, await timed(found({ protocol: "auto" }), releaseMapping), "PCP, NAT-PMP and the SSDP search at once; PCP answers first");

  const peer = pmpNat(gateway, { autoRefresh: false });
  recorder.record(
    "natpmp-map",
    portControlSubjects.natPortMapperPmp,
    await timed((p) => peer.map(p, lanAddress, { protocol: "udp" }).then(() => undefined), (p) => peer.unmap(p)),
    "its NAT-PMP client: MAP, then the external address (our LAN address is private)",
  );
  await peer.stop();
}
