import { resultCodeMeaning, type ResultCodeMeaning } from "./natpmp-error.js";
import { PortholeError } from "./porthole-error.js";

/** Every result code RFC 6887 §7.4 defines; 0 is success, so it is not an error. */
export const pcpResultCodes: Readonly<Record<number, ResultCodeMeaning>> = {
  1: { name: "UNSUPP_VERSION", meaning: "the gateway does not speak PCP version 2; NAT-PMP may work (RFC 6887 §9)" },
  2: { name: "NOT_AUTHORIZED", meaning: "the gateway refuses: mapping is turned off, not allowed for this host or port, or the mapping's nonce does not match" },
  3: { name: "MALFORMED_REQUEST", meaning: "the gateway could not parse the request" },
  4: { name: "UNSUPP_OPCODE", meaning: "the gateway does not support this request" },
  5: { name: "UNSUPP_OPTION", meaning: "the gateway does not support an option the request must have processed" },
  6: { name: "MALFORMED_OPTION", meaning: "an option of the request is malformed" },
  7: { name: "NETWORK_FAILURE", meaning: "the gateway has no working external connection, e.g. no external address yet" },
  8: { name: "NO_RESOURCES", meaning: "the gateway cannot create the mapping now (table full, or no usable external address, as behind another NAT)" },
  9: { name: "UNSUPP_PROTOCOL", meaning: "the gateway does not map this transport protocol" },
  10: { name: "USER_EX_QUOTA", meaning: "this host has reached its quota of mappings" },
  11: { name: "CANNOT_PROVIDE_EXTERNAL", meaning: "the suggested external port or address cannot be had, and the request preferred failure" },
  12: { name: "ADDRESS_MISMATCH", meaning: "the client address in the request is not the source the gateway sees (a NAT between host and gateway?)" },
  13: { name: "EXCESSIVE_REMOTE_PEERS", meaning: "the gateway cannot filter that many remote peers" },
};

/** A PCP gateway answered with a result code other than 0 (success). */
export class PcpError extends PortholeError {
  override name = "PcpError";
  /** The code's name, e.g. `NOT_AUTHORIZED`; `UNKNOWN` for a code RFC 6887 does not define. */
  readonly resultName: string;
  /**
   * The lifetime of the error (RFC 6887 §7.2): how many seconds the same request would fail again.
   * Undefined when the gateway said none (a NAT-PMP server's refusal of the version).
   */
  readonly lifetimeSeconds: number | undefined;
  /** With UNSUPP_VERSION: the version the server speaks (0 = NAT-PMP only). */
  readonly serverVersion: number | undefined;

  /** `request` names what was asked, e.g. "MAP UDP 7777". */
  constructor(request: string, resultCode: number, details: { lifetimeSeconds?: number | undefined; serverVersion?: number | undefined } = {}) {
    const { name, meaning } = resultCodeMeaning(pcpResultCodes, resultCode);
    const version = details.serverVersion === undefined ? "" : details.serverVersion === 0 ? ", the server speaks NAT-PMP" : `, the server speaks version ${details.serverVersion}`;
    super(`PCP ${request} refused: result ${resultCode} ${name} (${meaning}${version})`, {
      code: "PORTHOLE_PCP_ERROR",
      protocol: "pcp",
      protocolCode: resultCode,
    });
    this.resultName = name;
    this.lifetimeSeconds = details.lifetimeSeconds;
    this.serverVersion = details.serverVersion;
  }

  /** The result code of RFC 6887 §7.4. */
  get resultCode(): number {
    return this.protocolCode!;
  }

  /**
   * True when the gateway refused PCP's version (UNSUPP_VERSION, or a NAT-PMP server's version-0
   * "unsupported version"): RFC 6887 §9 says to speak NAT-PMP to it instead.
   */
  get natPmpFallback(): boolean {
    return this.resultCode === 1;
  }
}
