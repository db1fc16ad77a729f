import { isIP } from "node:net";
import type { GatewayQuirks } from "./quirks.js";
import type { ActionSpec } from "./service-actions.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { upnpFault } from "./upnp-faults.js";

/**
 * The input arguments of one control request, read strictly: anything missing or malformed is
 * 402 Invalid Args, as a request body is never trusted to have the right shape.
 */
export class ActionArguments {
  readonly #action: ActionSpec;
  readonly #values: ReadonlyMap<string, string>;
  readonly #quirks: Readonly<GatewayQuirks>;

  constructor(action: ActionSpec, received: ReadonlyArray<readonly [string, string]>, quirks: Readonly<GatewayQuirks>) {
    this.#action = action;
    this.#quirks = quirks;
    const values = new Map<string, string>();
    for (const [name, value] of received) if (!values.has(name)) values.set(name, value);
    this.#values = values;

    if (quirks.requireAllArguments) {
      // TP-Link CPE210 (nat-puncher#5) names the missing element in its fault.
      const missing = action.inputs.find((name) => !values.has(name));
      if (missing !== undefined) throw this.#invalid(`No ${missing.replace(/^New/, "")}`);
    }
    if (quirks.requireArgumentOrder) {
      // rust-igd#48: a parser that walks the arguments in template order.
      const positions = received.map(([name]) => action.inputs.indexOf(name)).filter((index) => index !== -1);
      if (positions.some((position, i) => i > 0 && position < positions[i - 1]!)) {
        throw this.#invalid("Invalid Args: arguments out of order");
      }
    }
  }

  #invalid(description?: string): Error {
    return upnpFault(this.#action.name, 402, description);
  }

  optional(name: string): string | undefined {
    return this.#values.get(name);
  }

  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined || value === "") throw this.#invalid(`Invalid Args: ${name} missing`);
    return value;
  }

  /** An unsigned integer up to `max`; `fallback` when the element is absent or empty. */
  unsigned(name: string, max: number, fallback?: number): number {
    const text = this.#values.get(name);
    if ((text === undefined || text === "") && fallback !== undefined) return fallback;
    const value = this.required(name);
    if (!/^\d{1,10}$/.test(value) || Number(value) > max) throw this.#invalid(`Invalid Args: ${name}`);
    return Number(value);
  }

  port(name: string): number {
    return this.unsigned(name, 65535);
  }

  protocol(name = "NewProtocol"): TransportProtocol {
    const value = this.required(name);
    const upper = value.toUpperCase();
    if (upper !== "TCP" && upper !== "UDP") throw this.#invalid(`Invalid Args: ${name}`);
    // TP-Link ER605 (tailscale#7377) accepts only the upper-case names.
    if (this.#quirks.rejectLowercaseProtocol && value !== upper) throw this.#invalid(`Invalid Args: ${name}`);
    return upper;
  }

  /** UPnP boolean: 0/1, false/true, no/yes (UDA 1.1 section 2.5). */
  boolean(name: string, fallback?: boolean): boolean {
    const text = this.#values.get(name);
    if ((text === undefined || text === "") && fallback !== undefined) return fallback;
    const value = this.required(name).toLowerCase();
    if (value === "1" || value === "true" || value === "yes") return true;
    if (value === "0" || value === "false" || value === "no") return false;
    throw this.#invalid(`Invalid Args: ${name}`);
  }

  /** An IP address that can receive traffic (not the wildcard). */
  hostAddress(name: string): string {
    const value = this.required(name);
    if (isIP(value) === 0 || value === "0.0.0.0" || value === "::") throw this.#invalid(`Invalid Args: ${name}`);
    return value;
  }
}
