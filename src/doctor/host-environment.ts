import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { systemHostNetwork, type HostNetwork } from "../net/host-network.js";

/**
 * Everything the diagnosis reads about the machine it runs on, behind one interface: tests hand
 * in a Docker container, a WSL2 guest or a VPN of their own without needing any of them.
 */
export interface HostEnvironment {
  readonly network: HostNetwork;
  /** A file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean;
  /** The kernel release (`os.release()`): WSL kernels name Microsoft in it. */
  kernelRelease(): string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const systemHostEnvironment: HostEnvironment = {
  network: systemHostNetwork,
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  fileExists: (path) => existsSync(path),
  kernelRelease: () => os.release(),
  env: process.env,
};
