import { InvalidArgumentError, type InvalidArgumentProblem } from "../errors/errors.js";

/**
 * Checks of what callers pass to the public API, run once at its edge so that a wrong type is an
 * `InvalidArgumentError` naming the option, never a TypeError from deep inside or a value that
 * quietly travels on (`internalPort: "80"` coming back as a string).
 */

/** setTimeout's largest delay, and so the largest time budget. */
export const maxTimeoutMs = 2 ** 31 - 1;

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

function refuse(name: string, expected: string, value: unknown, problem: InvalidArgumentProblem = "value"): never {
  throw new InvalidArgumentError(`${name} must be ${expected}, got ${describe(value)}`, problem);
}

/** An options object, or undefined. */
export function checkOptionsObject<T extends object>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) refuse(name, "an object", value);
  return value;
}

/** An object the call cannot do without. */
export function checkRequiredObject<T extends object>(name: string, value: T): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) refuse(name, "an object", value);
  return value;
}

/** One of `choices`, or undefined. */
export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value !== undefined && !(choices as readonly unknown[]).includes(value)) refuse(name, choices.map((c) => JSON.stringify(c)).join(" or "), value);
  return value as T | undefined;
}

/** A whole number from `min` to `max`, of type number. */
export function checkWholeNumber(name: string, value: unknown, min: number, max: number, problem: InvalidArgumentProblem = "value"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    refuse(name, `a whole number from ${min} to ${max}`, value, problem);
  }
  return value;
}

/** A port number 1..65535 (0..65535 with `allowZero`). */
export function checkPort(name: string, value: unknown, allowZero = false): number {
  return checkWholeNumber(name, value, allowZero ? 0 : 1, 65535, "port");
}

/** A time budget in milliseconds, or undefined for the call's default. */
export function checkTimeoutMs(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value >= 0 && value <= maxTimeoutMs)) refuse(name, `milliseconds from 0 to ${maxTimeoutMs}`, value);
  return value;
}

/** An AbortSignal, or undefined. */
export function checkSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) refuse(name, "an AbortSignal", value);
  return value;
}

/** A boolean, or undefined. */
export function checkBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") refuse(name, "true or false", value);
  return value;
}

/** A string, or undefined. */
export function checkString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") refuse(name, "a string", value);
  return value;
}

/** A string the call cannot do without. */
export function checkRequiredString(name: string, value: unknown): string {
  if (typeof value !== "string") refuse(name, "a string", value);
  return value;
}

/** `signal` and `timeoutMs` of any call, checked together. */
export function checkCallOptions(options: { signal?: unknown; timeoutMs?: unknown } | undefined): void {
  checkOptionsObject("options", options);
  checkSignal("signal", options?.signal);
  checkTimeoutMs("timeoutMs", options?.timeoutMs);
}
