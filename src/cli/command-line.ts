import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../index.js";

export const commandNames = ["discover", "ip", "map", "unmap", "list", "gateway", "demo"] as const;
export type CommandName = (typeof commandNames)[number];

/** Every option of every command; which command takes which is `optionsOf`. */
const optionSpecs = {
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  gateway: { type: "string" },
  interface: { type: "string" },
  ipv6: { type: "boolean" },
  timeout: { type: "string" },
  "ssdp-target": { type: "string", multiple: true },
  "internal-port": { type: "string" },
  proto: { type: "string" },
  lease: { type: "string" },
  description: { type: "string" },
  "internal-client": { type: "string" },
  "any-port": { type: "boolean" },
  address: { type: "string" },
  "http-port": { type: "string" },
  "ssdp-port": { type: "string" },
  igd: { type: "string" },
  "external-address": { type: "string" },
  quirk: { type: "string", multiple: true },
  "multicast-interface": { type: "string" },
  "no-upnp": { type: "boolean" },
  "no-natpmp": { type: "boolean" },
  "no-pcp": { type: "boolean" },
  "port-control-port": { type: "string" },
} as const;

type OptionName = keyof typeof optionSpecs;

/** Options every command takes. */
const generalOptions: readonly OptionName[] = ["json", "verbose", "help", "version"];
/** Options of the commands that talk to a gateway. */
const clientOptions: readonly OptionName[] = ["gateway", "interface", "ipv6", "timeout", "ssdp-target"];

const optionsOf: Readonly<Record<CommandName, readonly OptionName[]>> = {
  discover: clientOptions,
  ip: clientOptions,
  list: clientOptions,
  map: [...clientOptions, "internal-port", "proto", "lease", "description", "internal-client", "any-port"],
  unmap: [...clientOptions, "proto"],
  gateway: ["address", "http-port", "ssdp-port", "igd", "external-address", "quirk", "multicast-interface", "no-upnp", "no-natpmp", "no-pcp", "port-control-port"],
  demo: [],
};

/** Names of the positional arguments each command needs. */
const positionalsOf: Readonly<Record<CommandName, readonly string[]>> = {
  discover: [],
  ip: [],
  list: [],
  map: ["port"],
  unmap: ["port"],
  gateway: [],
  demo: [],
};

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: optionSpecs, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs throws a TypeError with a readable message for unknown options and missing values.
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export type OptionValues = ReturnType<typeof parse>["values"];

export interface CommandLine {
  /** Undefined for a bare `porthole`, `porthole --help` or `porthole --version`. */
  readonly command: CommandName | undefined;
  /** The command's positional arguments, by name (`port`). */
  readonly positionals: Readonly<Record<string, string>>;
  readonly values: OptionValues;
}

function isCommandName(word: string): word is CommandName {
  return (commandNames as readonly string[]).includes(word);
}

/**
 * Reads the command line. Options may come before or after the command.
 * @throws InvalidArgumentError for an unknown command or option, an option the command does not
 * take, or a missing or extra argument; `--help` and `--version` skip the argument count.
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const { values, positionals } = parse(args);
  const [word, ...rest] = positionals;
  if (word === undefined) return { command: undefined, positionals: {}, values };
  if (!isCommandName(word)) {
    throw new InvalidArgumentError(`unknown command "${word}"; commands: ${commandNames.join(", ")}`);
  }
  const allowed = new Set([...generalOptions, ...optionsOf[word]]);
  const misplaced = (Object.keys(values) as OptionName[]).find((name) => !allowed.has(name));
  if (misplaced !== undefined) throw new InvalidArgumentError(`${word} does not take --${misplaced}`);
  const names = positionalsOf[word];
  if (!values.help && !values.version) {
    if (rest.length < names.length) throw new InvalidArgumentError(`${word} needs <${names[rest.length]}>`);
    if (rest.length > names.length) throw new InvalidArgumentError(`unexpected argument "${rest[names.length]}" after ${word}`);
  }
  return { command: word, positionals: Object.fromEntries(names.map((name, i) => [name, rest[i] ?? ""])), values };
}
