import { PortholeError } from "../errors/errors.js";
import { UPNPResult } from "./result-codes.js";

/** The `UPNPResult` the engine would return for a failed call. */
export function resultOf(error: unknown): UPNPResult {
  if (error instanceof PortholeError) return error.result;
  return UPNPResult.UNKNOWN_ERROR;
}

/** Runs a call the engine reports by result code: SUCCESS, or the failure's code, never a throw. */
export async function toResult(call: () => Promise<unknown>): Promise<UPNPResult> {
  try {
    await call();
    return UPNPResult.SUCCESS;
  } catch (error) {
    return resultOf(error);
  }
}
