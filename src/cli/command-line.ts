import { InvalidArgumentError } from "../errors/errors.js";

export const commandNames = ["discover", "ip", "map", "unmap", "list", "hold", "doctor", "gateway", "demo"] as const;
export type CommandName = (typeof commandNames)[number];

interface OptionSpec {
  readonly type: "boolean" | "string";
  readonly short?: string;
  /** Repeatable: every value is kept, in order. Otherwise the last one given wins. */
  readonly multiple?: boolean;
}

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
  protocol: { type: "string" },
  "gateway-address": { type: "string" },
  "internal-port": { type: "string" },
  proto: { type: "string" },
  lease: { type: "string" },
  description: { type: "string" },
  "internal-client": { type: "string" },
  "any-port": { type: "boolean" },
  "max-entries": { type: "string" },
  "check-interval": { type: "string" },
  "no-hairpin": { type: "boolean" },
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
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof optionSpecs;
type OptionValue<S extends OptionSpec> = S["type"] extends "boolean" ? boolean : S extends { multiple: true } ? string[] : string;
export type OptionValues = { -readonly [K in OptionName]?: OptionValue<(typeof optionSpecs)[K]> };

/** Options every command takes. */
const generalOptions: readonly OptionName[] = ["json", "verbose", "help", "version"];
/** Options of the commands that talk to a gateway. */
const clientOptions: readonly OptionName[] = ["gateway", "interface", "ipv6", "timeout", "ssdp-target"];
/** The client options and the choice of protocol, for the commands that may speak NAT-PMP or PCP. */
const mapperOptions: readonly OptionName[] = [...clientOptions, "protocol", "gateway-address"];

const optionsOf: Readonly<Record<CommandName, readonly OptionName[]>> = {
  discover: mapperOptions,
  ip: mapperOptions,
  // Only UPnP lists mappings, so list takes --protocol (to be told so) but no NAT-PMP/PCP address.
  list: [...clientOptions, "protocol", "max-entries"],
  map: [...mapperOptions, "internal-port", "proto", "lease", "description", "internal-client", "any-port"],
  unmap: [...mapperOptions, "internal-port", "proto", "internal-client"],
  hold: [...mapperOptions, "proto", "lease", "description", "any-port", "check-interval"],
  // The diagnosis asks every protocol, which is its point: no --protocol, no --gateway URL.
  doctor: ["interface", "timeout", "ssdp-target", "gateway-address", "no-hairpin"],
  gateway: ["address", "http-port", "ssdp-port", "igd", "external-address", "quirk", "multicast-interface", "no-upnp", "no-natpmp", "no-pcp", "port-control-port"],
  demo: [],
};

/** Whether `command` takes the option `name`. */
export function commandTakes(command: CommandName, name: OptionName): boolean {
  return generalOptions.includes(name) || optionsOf[command].includes(name);
}

/** Names of the positional arguments each command needs. */
const positionalsOf: Readonly<Record<CommandName, readonly string[]>> = {
  discover: [],
  ip: [],
  list: [],
  map: ["port"],
  unmap: ["port"],
  hold: ["port"],
  doctor: [],
  gateway: [],
  demo: [],
};

/** Commands whose last positional may be repeated: `hold 7777 7778`. */
const repeatsLastPositional: ReadonlySet<CommandName> = new Set(["hold"]);

const longNames = new Set(Object.keys(optionSpecs));
const isOptionName = (name: string): name is OptionName => longNames.has(name);
const shortNames: ReadonlyMap<string, OptionName> = new Map(
  (Object.entries(optionSpecs) as Array<[OptionName, OptionSpec]>).flatMap(([name, spec]) => (spec.short ? [[spec.short, name]] : [])),
);

/**
 * A word that reads as a value, not an option: anything not starting with "-", "-" alone, and
 * negative numbers, so that `--lease -1` and `map -1` reach the range checks and get their
 * plain message instead of being taken for options.
 */
function isValueWord(word: string): boolean {
  return !word.startsWith("-") || word === "-" || /^-\d/.test(word);
}

function setValue(values: OptionValues, name: OptionName, value: string | true): void {
  const spec: OptionSpec = optionSpecs[name];
  const bag = values as Record<string, unknown>;
  if (spec.multiple) bag[name] = [...((bag[name] as string[] | undefined) ?? []), value];
  else bag[name] = value;
}

/** `--lease` without a value; when the next word is no option of ours, how to give it as the value. */
function missingValue(name: string, next: string | undefined): InvalidArgumentError {
  const isOption = next !== undefined && (next.startsWith("--") ? isOptionName(next.slice(2).split("=")[0]!) : shortNames.has(next.slice(1, 2)));
  return new InvalidArgumentError(
    next === undefined || isOption ? `--${name} needs a value` : `--${name} needs a value; to give one that begins with "-", write --${name}=${next}`,
  );
}

/**
 * Reads options and positionals. A string option takes the next word as its value unless that
 * word is an option itself (then the value is missing: `--lease --json`); a value that begins
 * with "-" can always be given as `--name=value`. After `--` every word is positional.
 */
function parse(args: readonly string[]): { values: OptionValues; positionals: string[] } {
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (isValueWord(word)) {
      positionals.push(word);
      continue;
    }
    if (!word.startsWith("--")) {
      // Short options are all switches, and may be grouped: -vh.
      for (const letter of word.slice(1)) {
        const name = shortNames.get(letter);
        if (name === undefined) throw new InvalidArgumentError(`unknown option "-${letter}"`);
        setValue(values, name, true);
      }
      continue;
    }
    const equals = word.indexOf("=");
    const name = word.slice(2, equals === -1 ? undefined : equals);
    if (!isOptionName(name)) throw new InvalidArgumentError(`unknown option "--${name}"`);
    const spec: OptionSpec = optionSpecs[name];
    if (spec.type === "boolean") {
      if (equals !== -1) throw new InvalidArgumentError(`--${name} takes no value`);
      setValue(values, name, true);
    } else if (equals !== -1) {
      setValue(values, name, word.slice(equals + 1));
    } else {
      const next = args[i + 1];
      if (next === undefined || !isValueWord(next)) throw missingValue(name, next);
      setValue(values, name, next);
      i++;
    }
  }
  return { values, positionals };
}

export interface CommandLine {
  /** Undefined for a bare `porthole`, `porthole --help` or `porthole --version`. */
  readonly command: CommandName | undefined;
  /** The command's positional arguments, by name (`port`). */
  readonly positionals: Readonly<Record<string, string>>;
  /** Every positional argument in order, the repeated ones included (`hold 7777 7778`). */
  readonly operands: readonly string[];
  readonly values: OptionValues;
}

function isCommandName(word: string): word is CommandName {
  return (commandNames as readonly string[]).includes(word);
}

/**
 * Reads the command line. Options may come before or after the command.
 * @throws InvalidArgumentError for an unknown command or option, an option the command does not
 * take, a missing option value, or a missing or extra argument; `--help` and `--version` skip
 * the argument count.
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const { values, positionals } = parse(args);
  const [word, ...rest] = positionals;
  if (word === undefined) return { command: undefined, positionals: {}, operands: [], values };
  if (!isCommandName(word)) {
    throw new InvalidArgumentError(`unknown command "${word}"; commands: ${commandNames.join(", ")}`);
  }
  const misplaced = (Object.keys(values) as OptionName[]).find((name) => !commandTakes(word, name));
  if (misplaced !== undefined) throw new InvalidArgumentError(`${word} does not take --${misplaced}`);
  const names = positionalsOf[word];
  if (!values.help && !values.version) {
    if (rest.length < names.length) throw new InvalidArgumentError(`${word} needs <${names[rest.length]}>`);
    if (rest.length > names.length && !repeatsLastPositional.has(word)) throw new InvalidArgumentError(`unexpected argument "${rest[names.length]}" after ${word}`);
  }
  return { command: word, positionals: Object.fromEntries(names.map((name, i) => [name, rest[i] ?? ""])), operands: rest, values };
}
