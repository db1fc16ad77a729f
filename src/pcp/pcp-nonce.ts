import { createHmac, randomFillSync } from "node:crypto";
import { InvalidArgumentError } from "../errors/errors.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { PCP_NONCE_BYTES } from "./pcp-messages.js";

/** What identifies a mapping to its PCP server (RFC 6887 §11.1), and so what its nonce belongs to. */
export interface PcpMappingIdentity {
  /** Our address toward the gateway: the mapping's internal address. */
  internalAddress: string;
  internalPort: number;
  protocol: TransportProtocol;
}

/** Gives the 12-byte nonce of a mapping: the same one every time for a mapping that should be renewable or deletable. */
export type PcpNonceSource = (identity: PcpMappingIdentity) => Uint8Array;

/** Random bytes drawn ahead for the next nonces: one call into the system's generator per 32 nonces, as node:crypto's randomUUID keeps its own. */
const pool = { bytes: new Uint8Array(0), used: 0 };
const poolNonces = 32;

/** A fresh random nonce, as RFC 6887 §11.1 asks: unguessable by anyone else on the path. */
export function randomNonce(): Uint8Array {
  if (pool.used + PCP_NONCE_BYTES > pool.bytes.length) {
    pool.bytes = randomFillSync(new Uint8Array(PCP_NONCE_BYTES * poolNonces));
    pool.used = 0;
  }
  pool.used += PCP_NONCE_BYTES;
  return pool.bytes.slice(pool.used - PCP_NONCE_BYTES, pool.used);
}

/**
 * Nonces derived from a local secret: HMAC-SHA-256 of the mapping's identity, cut to 12 bytes.
 *
 * Why: a PCP server deletes a mapping only for a request that carries the nonce it was made with
 * (miniupnpd answers NOT_AUTHORIZED otherwise), so `porthole unmap` run as a later process must
 * find the nonce `porthole map` used. Deriving it needs no state file that could be lost or go
 * stale, and gives the same nonce to every process that holds the secret, for the same internal
 * address, port and protocol; without the secret the nonce stays unguessable, which is what the
 * nonce is for (RFC 6887 §11.1: no one else may take over or delete the mapping). A constant
 * nonce would let any program on the LAN delete porthole's mappings.
 */
export function derivedNonces(secret: Uint8Array | string): PcpNonceSource {
  if ((typeof secret !== "string" && !(secret instanceof Uint8Array)) || secret.length === 0) {
    throw new InvalidArgumentError("the secret of derived PCP nonces must be a non-empty string or Uint8Array");
  }
  return ({ internalAddress, internalPort, protocol }) =>
    Uint8Array.from(
      createHmac("sha256", secret)
        .update(`porthole PCP nonce\0${internalAddress.toLowerCase()}\0${internalPort}\0${protocol}`)
        .digest()
        .subarray(0, PCP_NONCE_BYTES),
    );
}
