import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { SocketError } from "../errors/errors.js";
import { SSDP_IPV4_MULTICAST, SSDP_PORT } from "../upnp/ssdp/ssdp-message.js";
import { delay } from "../util/deadline.js";
import type { DeviceModel } from "./device-model.js";
import type { GatewayConfig } from "./gateway-config.js";
import { notifyMessages, parseSearchTarget, searchMatches, searchReply, type SsdpIdentity } from "./ssdp-messages.js";

export interface SsdpResponder {
  /** Where unicast M-SEARCH must be sent. */
  readonly address: string;
  readonly port: number;
  /** M-SEARCH messages received so far, answered or not. */
  readonly searches: number;
  /**
   * Sends the NOTIFY messages of `kind` to every `announceTo` target and, with a
   * `multicastInterface`, to the SSDP group on it; resolves once they are sent.
   */
  announce(kind: "ssdp:alive" | "ssdp:byebye"): Promise<void>;
  close(): Promise<void>;
}

function bindSocket(socket: Socket, port: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new SocketError(`virtual gateway SSDP socket: ${error.message}`, error));
    socket.once("error", onError);
    socket.bind({ port, address }, () => {
      socket.off("error", onError);
      // Later errors concern one datagram (an unreachable sender); the responder carries on.
      socket.on("error", () => {});
      resolve();
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound, or already closed
    }
  });
}

function sendDatagram(socket: Socket, message: string, port: number, address: string): Promise<void> {
  // A target that cannot be reached is the listener's problem, not the gateway's.
  return new Promise((resolve) => socket.send(message, port, address, () => resolve()));
}

/**
 * Answers M-SEARCH sent to `config.address:config.ssdpPort`, and, only when
 * `multicastInterface` is set, those sent to the SSDP group on that interface. `identity` is read
 * at each reply, so a reboot's new BOOTID shows at once.
 */
export async function startSsdpResponder(
  config: GatewayConfig,
  root: DeviceModel,
  identity: () => SsdpIdentity,
  closing: AbortSignal,
): Promise<SsdpResponder> {
  const family = isIPv6(config.address) ? "udp6" : "udp4";
  const sockets: Socket[] = [];
  const open = (type: "udp4" | "udp6", reuseAddr = false): Socket => {
    const socket = createSocket({ type, reuseAddr });
    sockets.push(socket);
    return socket;
  };
  const closeAll = async (): Promise<void> => {
    await Promise.all(sockets.map(closeSocket));
  };
  let searches = 0;

  const unicast = open(family);
  // tailscale#6833: some routers answer from a socket other than the one searched.
  const ephemeral = config.quirks.replyFromEphemeralPort ? open(family) : undefined;
  const multicast = config.multicastInterface === undefined ? undefined : open("udp4", true);

  const answer = (receiver: Socket) => (message: Buffer, sender: RemoteInfo): void => {
    const target = parseSearchTarget(message.toString("latin1"));
    if (target === undefined) return;
    searches++;
    const replies = searchMatches(target, root, config.quirks).map((match) => searchReply(match, identity()));
    config.notify({ type: "search", searchTarget: target, from: { address: sender.address, port: sender.port }, replies: replies.length });
    const copies = config.quirks.duplicateReplies ? 2 : 1;
    const replySocket = ephemeral ?? receiver;
    delay(config.quirks.responseDelayMs ?? 0, closing)
      .then(() => {
        for (const reply of replies) {
          for (let copy = 0; copy < copies; copy++) replySocket.send(reply, sender.port, sender.address, () => {});
        }
      })
      .catch(() => {}); // the gateway closed while the reply waited
  };

  try {
    await bindSocket(unicast, config.ssdpPort, config.address);
    unicast.on("message", answer(unicast));
    if (ephemeral) await bindSocket(ephemeral, 0, config.address);
    if (multicast && config.multicastInterface !== undefined) {
      await bindSocket(multicast, SSDP_PORT);
      multicast.addMembership(SSDP_IPV4_MULTICAST, config.multicastInterface);
      multicast.setMulticastInterface(config.multicastInterface);
      multicast.on("message", answer(multicast));
    }
  } catch (error) {
    await closeAll();
    throw error instanceof SocketError ? error : new SocketError(`virtual gateway SSDP: ${String(error)}`, error);
  }

  return {
    address: config.address,
    port: unicast.address().port,
    get searches() {
      return searches;
    },
    async announce(kind) {
      const messages = notifyMessages(kind, root, identity());
      const sends = messages.flatMap((message) => [
        ...config.announceTo.map((target) => sendDatagram(unicast, message, target.port, target.address)),
        ...(multicast ? [sendDatagram(multicast, message, SSDP_PORT, SSDP_IPV4_MULTICAST)] : []),
      ]);
      await Promise.all(sends);
    },
    close: closeAll,
  };
}
