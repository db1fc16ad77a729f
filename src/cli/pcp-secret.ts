import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { derivedNonces, randomNonce, type PcpNonceSource } from "../pcp/pcp-nonce.js";
import type { CommandContext } from "./command-context.js";

/**
 * Why the CLI keeps a secret: a PCP router deletes a mapping only for the nonce it was made with
 * (RFC 6887 §11.1; miniupnpd answers NOT_AUTHORIZED otherwise), and `porthole unmap` runs as a
 * later process than the `porthole map` that made it. Nonces derived from one secret kept in the
 * user's configuration directory are the same in every run of this user, and unguessable to other
 * hosts and users (docs/cli.md, docs/protocols.md).
 */

/** Bytes of a new secret: as many as the HMAC's output, more than the 96-bit nonce it yields. */
const secretBytes = 32;
/** Shorter than this, the file was not written by porthole (or was cut short): it is not used. */
const minimumSecretBytes = 16;

/**
 * porthole's configuration directory: `$PORTHOLE_CONFIG_DIR` (tests give a temporary one), else
 * `$XDG_CONFIG_HOME/porthole` (an absolute path only, as the XDG Base Directory spec asks), else
 * `~/.config/porthole`.
 */
export function configDirectory(env: NodeJS.ProcessEnv): string {
  const own = env["PORTHOLE_CONFIG_DIR"];
  if (own) return own;
  const xdg = env["XDG_CONFIG_HOME"];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".config"), "porthole");
}

/**
 * The secret in `directory/pcp-secret`, made on first use: random bytes in a file only this user
 * may read (0600, in a directory made 0700). It is written whole under another name and linked
 * into place, so a second porthole making it at the same moment reads the first one's, complete.
 */
export function pcpSecret(directory: string): Uint8Array {
  const path = join(directory, "pcp-secret");
  const existing = readSecret(path);
  if (existing !== undefined) return existing;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const secret = randomBytes(secretBytes);
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(draft, secret, { mode: 0o600, flag: "wx" });
    linkSync(draft, path);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readSecret(path)!;
  } finally {
    rmSync(draft, { force: true });
  }
}

function readSecret(path: string): Uint8Array | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (bytes.length < minimumSecretBytes) throw new Error(`${path} holds ${bytes.length} bytes, too few for a secret: remove it and porthole makes a new one`);
  return bytes;
}

/**
 * The PCP nonces of this user's mappings, derived from the secret in the configuration directory.
 * The secret is read (or made) when PCP first needs a nonce, so a gateway spoken to over UPnP or
 * NAT-PMP leaves no file behind. When it cannot be kept (a read-only home), `onUnavailable` is told
 * once and the nonces are random: mappings still work, but a later run cannot remove them.
 */
export function cliNonces(env: NodeJS.ProcessEnv, onUnavailable: (error: Error) => void): PcpNonceSource {
  let nonces: PcpNonceSource | undefined;
  return (identity) => {
    if (nonces === undefined) {
      try {
        nonces = derivedNonces(pcpSecret(configDirectory(env)));
      } catch (error) {
        onUnavailable(error instanceof Error ? error : new Error(String(error)));
        nonces = randomNonce;
      }
    }
    return nonces(identity);
  };
}

/**
 * PCP nonces that a later `porthole` run finds again (pcp-secret.ts), for the commands that make
 * or remove mappings. When the secret cannot be kept (a read-only home), a note says what that
 * means and UPnP and NAT-PMP are not stopped by it.
 */
export function recoverableNonces(context: CommandContext): PcpNonceSource {
  return cliNonces(context.env, (error) =>
    context.terminal.warn(`cannot keep the PCP secret (${error.message}): a mapping made over PCP now can only be removed by its lease running out`),
  );
}
