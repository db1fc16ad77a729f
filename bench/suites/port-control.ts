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
import { leastNatPmpClientMap, leastPcpClientMap } from "../least-client.js";
import { exchangeDatagram } from "../raw-datagram.js";
import { inTurns, type TurnTask } from "../timing.js";

export const portControlSubjects = {
  floorPcp: "floor: bare PCP ANNOUNCE, then MAP",
  leastPcp: "the least a PCP client must do: route, requests, replies",
  leastNatPmp: "the least a NAT-PMP client must do: route, requests, replies",
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
  let next = 0;
  // Each run maps a port of its own; the mapping is removed untimed, right after its sample.
  const port = (): number => portBase.portControl + (next++ % 1_000);
  const nonce = new Uint8Array(12).fill(7);
  const porthole = (map: (port: number) => Promise<Mapping>): TurnTask<Mapping> => ({ timed: () => map(port()), after: (mapping) => mapping.release() });
  const bare = (exchange: (port: number) => Promise<unknown>, release: (port: number) => Promise<unknown>): TurnTask<number> => ({
    timed: async () => {
      const internalPort = port();
      await exchange(internalPort);
      return internalPort;
    },
    after: release,
  });

  const announce = encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress: lanAddress, options: [] });
  const pcpMap = (internalPort: number, lifetime: number) =>
    encodePcpRequest({ kind: "map", lifetimeSeconds: lifetime, clientAddress: lanAddress, options: [], map: { nonce, protocol: 17, internalPort, externalPort: internalPort, externalAddress: "0.0.0.0" } });
  const natPmpMap = (internalPort: number, lifetime: number) => encodeNatPmpRequest({ kind: "map", protocol: "UDP", internalPort, suggestedExternalPort: internalPort, lifetimeSeconds: lifetime });
  const request = (internalPort: number) => ({ protocol: "UDP" as const, internalPort, leaseSeconds: lifetimeSeconds });
  const found = (options: FindPortMapperOptions) => async (p: number) => (await findPortMapper({ ...options, upnp: { multicastInterface: rig.lan.ifname } })).map(request(p));
  const peer = pmpNat(gateway, { autoRefresh: false });

  // The floor and the clients of one table in turns, so that the machine's load touches them alike.
  const tables: Array<{ metric: "pcp-map" | "natpmp-map"; rows: Array<[string, TurnTask<any>, string]> }> = [
    {
      metric: "pcp-map",
      rows: [
        [
          portControlSubjects.floorPcp,
          bare(
            async (p) => {
              await exchangeDatagram(gateway, announce);
              await exchangeDatagram(gateway, pcpMap(p, lifetimeSeconds));
            },
            (p) => exchangeDatagram(gateway, pcpMap(p, 0)),
          ),
          "the datagrams findPortMapper(pcp) + map() send: ANNOUNCE, then MAP, each on a fresh UDP socket",
        ],
        [
          portControlSubjects.leastPcp,
          bare((p) => leastPcpClientMap(rig.lan.ifname, p, lifetimeSeconds, nonce), (p) => exchangeDatagram(gateway, pcpMap(p, 0))),
          "the floor's datagrams, plus reading the default route, each request built once its socket is bound, a time limit, the replies decoded and checked (bench/least-client.ts)",
        ],
        [portControlSubjects.pcpMapper, porthole((p) => new PcpPortMapper(gateway).map(request(p))), "one MAP; the reply carries the external address"],
        [portControlSubjects.findPcp, porthole(found({ protocol: "pcp" })), "ANNOUNCE, then MAP"],
        [portControlSubjects.findAuto, porthole(found({ protocol: "auto" })), "PCP, NAT-PMP and the SSDP search at once; PCP answers first"],
      ],
    },
    {
      metric: "natpmp-map",
      rows: [
        [
          portControlSubjects.floorNatPmp,
          bare(
            async (p) => {
              await exchangeDatagram(gateway, encodeNatPmpRequest({ kind: "external-address" }));
              await exchangeDatagram(gateway, natPmpMap(p, lifetimeSeconds));
            },
            (p) => exchangeDatagram(gateway, natPmpMap(p, 0)),
          ),
          "the address request, then MAP, each on a fresh UDP socket",
        ],
        [
          portControlSubjects.leastNatPmp,
          bare((p) => leastNatPmpClientMap(rig.lan.ifname, p, lifetimeSeconds), (p) => exchangeDatagram(gateway, natPmpMap(p, 0))),
          "the floor's datagrams, plus reading the default route, a time limit, the replies decoded and checked (bench/least-client.ts)",
        ],
        [portControlSubjects.natPmpMapper, porthole((p) => new NatPmpPortMapper(gateway).map(request(p))), "MAP, with the address request beside it"],
        [portControlSubjects.findNatPmp, porthole(found({ protocol: "natpmp" })), "address request, then MAP alone: the search's answer gives the address"],
        [
          portControlSubjects.natPortMapperPmp,
          bare((p) => peer.map(p, lanAddress, { protocol: "udp" }), (p) => peer.unmap(p)),
          "its NAT-PMP client: MAP, then the external address (our LAN address is private)",
        ],
      ],
    },
  ];
  for (const { metric, rows } of tables) {
    const samples = await inTurns(repetitions.datagram, rows.map(([, task]) => task));
    rows.forEach(([subject, , note], index) => recorder.record(metric, subject, samples[index]!, note));
  }
  await peer.stop();
}
