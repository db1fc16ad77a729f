/**
 * Loaded with `node --import` to record every module a process loads: registers itself as a
 * module-customization hook whose `resolve` appends each resolved file URL to the file named by
 * PORTHOLE_IMPORT_LOG (the hooks run on their own thread, so a file is the simplest channel).
 */
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  const result = await nextResolve(specifier, context);
  const log = process.env["PORTHOLE_IMPORT_LOG"];
  if (log !== undefined && result.url.startsWith("file:")) appendFileSync(log, `${result.url}\n`);
  return result;
}

// Loaded by --import on the main thread, this file registers itself; loaded again as the hooks, on their own thread, it only exports them.
if (isMainThread) register(import.meta.url);
