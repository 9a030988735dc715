/**
 * The conventions every `kos` command follows, in one place (issue 13):
 * - one parser, `node:util` `parseArgs`, strict: unknown options are refused;
 * - `--help`/`-h` on every command prints its usage to stdout and exits 0;
 * - errors go to stderr as `kos <command>: message`, with a nonzero code:
 *   {@link EXIT.USAGE} (2) for bad usage, {@link EXIT.FAILURE} (1) when the work failed;
 * - values are checked ({@link numberOption}): `--top abc` is an error, never a default.
 *
 * A command is `main(argv): Promise<number>` and uses {@link parseCommand}:
 * @example
 * const parsed = parseCommand(COMMAND, argv, { out: { type: "string" } });
 * if (typeof parsed === "number") return parsed; // --help printed, or a usage error reported
 */
import { createRequire } from "node:module";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Exit codes of every kos command. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The work failed (a build error, a failed profile, a missing optional package). */
  FAILURE: 1,
  /** Bad usage: unknown command or option, missing or malformed value. */
  USAGE: 2,
} as const;

/** Bad usage, found while checking values after parsing. Reported with the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A command's name (as typed after `kos`) and its usage text (the `--help` output). */
export interface CommandInfo {
  name: string;
  usage: string;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & { help: { type: "boolean"; short: "h" } }; allowPositionals: true; strict: true }>>;

/** Where a message goes; tests and embedders may replace the streams. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: Output = {
  out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/**
 * Parses `argv` (the words after `kos <command>`) with `parseArgs`, strict,
 * `--help`/`-h` added. Returns the parsed values, or an exit code when the
 * command should stop: 0 after printing the usage for `--help`, 2 after
 * reporting a usage error. Positionals are refused unless `allowPositionals`.
 */
export function parseCommand<O extends Options>(
  command: CommandInfo,
  argv: string[],
  options: O,
  config: { allowPositionals?: boolean; output?: Output } = {},
): Parsed<O> | number {
  const output = config.output ?? stdio;
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (e) {
    return usageError(command, (e as Error).message, output);
  }
  if ((parsed.values as { help?: boolean }).help) {
    output.out(command.usage);
    return EXIT.OK;
  }
  if (!config.allowPositionals && parsed.positionals.length > 0) {
    return usageError(command, `unexpected argument '${parsed.positionals[0]}'`, output);
  }
  return parsed;
}

/** Reports a usage error (message, then the usage) on stderr; returns exit code 2. */
export function usageError(command: CommandInfo, message: string, output: Output = stdio): number {
  output.err(`kos${command.name ? ` ${command.name}` : ""}: ${message}\n${command.usage}`);
  return EXIT.USAGE;
}

/** Reports a failure on stderr as `kos <command>: [CODE] message`; returns exit code 1. */
export function failure(command: CommandInfo | string, error: unknown, output: Output = stdio): number {
  const name = typeof command === "string" ? command : command.name;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? `[${e.code}] ` : "";
  const message = typeof e?.message === "string" ? e.message : String(error);
  output.err(`kos${name ? ` ${name}` : ""}: ${code}${message}`);
  return EXIT.FAILURE;
}

/**
 * Checks a numeric option's text. Undefined stays undefined (the caller's
 * default applies); anything that is not a finite number in range is a
 * {@link UsageError} naming the option.
 */
export function numberOption(name: string, raw: string | undefined, limits: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const value = text === "" ? NaN : Number(text);
  const kind = limits.integer ? "an integer" : "a number";
  const range =
    limits.min !== undefined && limits.max !== undefined ? ` from ${limits.min} to ${limits.max}` : limits.min !== undefined ? ` ≥ ${limits.min}` : limits.max !== undefined ? ` ≤ ${limits.max}` : "";
  const bad =
    !Number.isFinite(value) || (limits.integer && !Number.isInteger(value)) || (limits.min !== undefined && value < limits.min) || (limits.max !== undefined && value > limits.max);
  if (bad) throw new UsageError(`--${name} must be ${kind}${range}, got '${raw}'`);
  return value;
}

/** kos's version, from its own package.json (self-reference through the package's `exports`). */
export function kosVersion(): string {
  return (createRequire(import.meta.url)("kos/package.json") as { version: string }).version;
}
