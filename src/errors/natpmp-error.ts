import { PortholeError } from "./porthole-error.js";

/** A NAT-PMP result code's name and what it means for the caller (RFC 6886 §3.5). */
export interface ResultCodeMeaning {
  readonly name: string;
  readonly meaning: string;
}

/** Every result code RFC 6886 §3.5 defines; 0 is success, so it is not an error. */
export const natPmpResultCodes: Readonly<Record<number, ResultCodeMeaning>> = {
  1: { name: "UNSUPPORTED_VERSION", meaning: "the gateway does not speak this version of NAT-PMP" },
  2: { name: "NOT_AUTHORIZED", meaning: "the gateway refuses: port mapping is turned off or not allowed for this host or port" },
  3: {
    name: "NETWORK_FAILURE",
    meaning: "the gateway has no working external connection, e.g. no external address yet or one behind another NAT (double NAT)",
  },
  4: { name: "OUT_OF_RESOURCES", meaning: "the gateway cannot create more mappings" },
  5: { name: "UNSUPPORTED_OPCODE", meaning: "the gateway does not support this request" },
};

/** The name and meaning of a result code, also for codes no RFC defines. */
export function resultCodeMeaning(table: Readonly<Record<number, ResultCodeMeaning>>, code: number): ResultCodeMeaning {
  return table[code] ?? { name: "UNKNOWN", meaning: "a result code the protocol does not define" };
}

/** A NAT-PMP gateway answered with a result code other than 0 (success). */
export class NatPmpError extends PortholeError {
  override name = "NatPmpError";
  /** The code's name, e.g. `NOT_AUTHORIZED`; `UNKNOWN` for a code RFC 6886 does not define. */
  readonly resultName: string;

  /** `request` names what was asked, e.g. "map UDP 7777". */
  constructor(request: string, resultCode: number) {
    const { name, meaning } = resultCodeMeaning(natPmpResultCodes, resultCode);
    super(`NAT-PMP ${request} refused: result ${resultCode} ${name} (${meaning})`, {
      code: "PORTHOLE_NATPMP_ERROR",
      protocol: "natpmp",
      protocolCode: resultCode,
    });
    this.resultName = name;
  }

  /** The result code of RFC 6886 §3.5. */
  get resultCode(): number {
    return this.protocolCode!;
  }
}
