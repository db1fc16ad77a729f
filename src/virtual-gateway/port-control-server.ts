import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { PortholeError, SocketError } from "../errors/errors.js";
import { isMulticast } from "../net/datagram-listener.js";
import { PCP_MAX_MESSAGE_BYTES } from "../pcp/pcp-messages.js";
import { delay } from "../util/deadline.js";
import type { GatewayState } from "./action-context.js";
import { answerNatPmp } from "./natpmp-answers.js";
import { answerPcp } from "./pcp-answers.js";
import type { PortControlAnswer } from "./port-control-answer.js";

/** The NAT-PMP and PCP server: one UDP socket for both, as miniupnpd's on port 5351. */
export interface PortControlServer {
  readonly address: string;
  readonly port: number;
  /** Sends each message, in order, to every announcement target from the server's port; resolves once sent. Failures are ignored. */
  announce(messages: readonly Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Answers one datagram from `from`: NAT-PMP when its version byte is 0 and the gateway speaks
 * NAT-PMP, else PCP when it speaks PCP, else NAT-PMP, which refuses other versions with result 1
 * (RFC 6887 §9: how a PCP client learns to step down). Pure but for the table it changes.
 */
export function answerPortControl(state: GatewayState, datagram: Buffer, from: { address: string }): PortControlAnswer {
  // miniupnpd reads into a buffer of PCP's largest message: a longer datagram is cut there.
  const message = datagram.subarray(0, PCP_MAX_MESSAGE_BYTES);
  const { natPmp, pcp } = state.config.protocols;
  if (natPmp && message[0] === 0) return answerNatPmp(state, message, from);
  if (pcp) return answerPcp(state, message, from, natPmp);
  return answerNatPmp(state, message, from);
}

/** Answers NAT-PMP and PCP on `config.address:config.portControlPort` until closed. */
export async function startPortControlServer(state: GatewayState, closing: AbortSignal): Promise<PortControlServer> {
  const { config } = state;
  const socket: Socket = createSocket(isIPv6(config.address) ? "udp6" : "udp4");
  socket.on("message", (datagram, sender) => {
    const from = { address: sender.address, port: sender.port };
    let answered: PortControlAnswer;
    try {
      answered = answerPortControl(state, datagram, from);
    } catch (error) {
      // The codecs refuse what they cannot write or read; a gateway stays silent then.
      if (!(error instanceof PortholeError)) throw error;
      answered = { reply: undefined, activity: { type: datagram[0] === 0 ? "natpmp" : "pcp", request: "other", resultCode: undefined } };
    }
    config.notify({ ...answered.activity, from });
    const { reply } = answered;
    if (reply === undefined) return;
    delay(config.quirks.responseDelayMs ?? 0, closing)
      .then(() => socket.send(reply, sender.port, sender.address, () => {}))
      .catch(() => {}); // the gateway closed while the reply waited
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(new SocketError(`virtual gateway NAT-PMP/PCP socket: ${error.message}`, error));
    };
    socket.once("error", onError);
    socket.bind({ port: config.portControlPort, address: config.address }, () => {
      socket.off("error", onError);
      // Later errors concern one datagram (an unreachable sender); the server carries on.
      socket.on("error", () => {});
      resolve();
    });
  });
  // Announcements to a group go out of the gateway's own interface (a namespace's LAN side).
  if (!isIPv6(config.address) && config.portControlAnnounceTo.some((target) => isMulticast(target.address))) {
    socket.setMulticastInterface(config.multicastInterface ?? config.address);
  }

  let open = true;
  return {
    address: config.address,
    port: socket.address().port,
    async announce(messages) {
      for (const message of messages) {
        await Promise.all(
          config.portControlAnnounceTo.map(
            (target) => new Promise<void>((resolve) => (open ? socket.send(message, target.port, target.address, () => resolve()) : resolve())),
          ),
        );
      }
    },
    close() {
      if (!open) return Promise.resolve();
      open = false;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
