import { isIPv6 } from "node:net";
import { InvalidResponseError } from "../errors/errors.js";
import { ANNOUNCEMENT_PORT } from "../natpmp/natpmp-messages.js";
import { decodeNatPmpResponse } from "../natpmp/natpmp-responses.js";
import { localAddressToward } from "../net/local-address.js";
import { isMulticast, listenForDatagrams } from "../net/datagram-listener.js";
import { decodePcpResponse } from "../pcp/pcp-responses.js";

/** What a NAT-PMP or PCP gateway multicasts to all hosts by itself. */
export type GatewayAnnouncement =
  /** RFC 6886 §3.2.1: the external address response, sent when the address changes or the gateway starts. */
  | { protocol: "natpmp"; epochSeconds: number; externalAddress: string }
  /** RFC 6887 §14.1.1: an unsolicited ANNOUNCE, sent when the server restarts or loses its state. */
  | { protocol: "pcp"; epochSeconds: number };

/**
 * Reads a datagram that arrived on the announcement port: a NAT-PMP address announcement or a PCP
 * ANNOUNCE, both successful; undefined for any other well-formed message; an `InvalidResponseError`
 * for a malformed one.
 */
export function decodeGatewayAnnouncement(bytes: Uint8Array): GatewayAnnouncement | undefined {
  if (bytes.length === 0) throw new InvalidResponseError("malformed announcement: empty datagram");
  if (bytes[0] === 0) {
    const response = decodeNatPmpResponse(bytes);
    if (response.kind !== "external-address" || response.resultCode !== 0) return undefined;
    return { protocol: "natpmp", epochSeconds: response.epochSeconds, externalAddress: response.externalAddress };
  }
  const response = decodePcpResponse(bytes);
  if (response.kind !== "announce" || response.resultCode !== 0) return undefined;
  return { protocol: "pcp", epochSeconds: response.epochSeconds };
}

/** Where a mapper listens for announcements; tests point it at loopback. */
export interface AnnouncementListening {
  /** The group (or, in tests, a unicast address) announcements are sent to. @default "224.0.0.1", or "ff02::1" for an IPv6 gateway */
  announcementAddress?: string | undefined;
  /** @default 5350 */
  announcementPort?: number | undefined;
}

/**
 * Listens for the announcements of the gateway at `gateway` (address and port: announcements come
 * from its server port) until `signal` aborts; resolves once listening. Malformed and unrelated
 * datagrams are dropped.
 */
export async function listenForAnnouncements(
  gateway: { address: string; port: number },
  where: AnnouncementListening,
  signal: AbortSignal,
  onAnnouncement: (announcement: GatewayAnnouncement) => void,
): Promise<void> {
  const ipv6 = isIPv6(gateway.address.split("%")[0]!);
  const address = where.announcementAddress ?? (ipv6 ? "ff02::1" : "224.0.0.1");
  const interfaceAddress = ipv6 || !isMulticast(address) ? undefined : await localAddressToward(gateway.address, gateway.port);
  await listenForDatagrams({
    address,
    port: where.announcementPort ?? ANNOUNCEMENT_PORT,
    source: gateway,
    interfaceAddress,
    signal,
    onDatagram: (bytes) => {
      let announcement: GatewayAnnouncement | undefined;
      try {
        announcement = decodeGatewayAnnouncement(bytes);
      } catch (error) {
        if (error instanceof InvalidResponseError) return;
        throw error;
      }
      if (announcement !== undefined) onAnnouncement(announcement);
    },
  });
}
