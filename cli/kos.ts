#!/usr/bin/env node
/**
 * The `kos` command. Subcommands load lazily so `kos --help` stays fast.
 *   kos demo                      profile the fixtures, jit them, print before/after
 *   kos profile [--out DIR] [--top N] -- <command...>
 *   kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
 * Conventions (cli/args.ts): `--help` on every command (stdout, exit 0),
 * `--version`, errors on stderr with exit 1 (failure) or 2 (usage); no
 * arguments prints the usage to stderr and exits 2.
 */
import { parseArgs } from "node:util";
import { EXIT, failure, kosVersion, usageError, type CommandInfo } from "./args.js";

type CommandModule = { main(argv: string[]): Promise<number> };

const commands: Record<string, () => Promise<CommandModule>> = {
  demo: () => import("./demo.js"),
  profile: () => import("./profile.js"),
  build: () => import("./build.js"),
};

const KOS: CommandInfo = {
  name: "",
  usage: `kos: make hot JavaScript faster

usage: kos <command> [options]
  kos demo [--out DIR]                   profile the fixtures, jit them, print a before/after table
  kos profile [--out DIR] [--top N] -- <command...>
                                         flamegraph + kos-profile.json of a program
  kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
                                         ahead-of-time, profile-guided optimization
  kos help <command>                     the options of one command (same as kos <command> --help)

options:
  -h, --help                             this text
  -v, --version                          kos's version`,
};

/** Runs the `kos` command line (the words after `kos`); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // kos's own options come before the command; everything after it belongs to the command.
  const at = argv.findIndex((a) => !a.startsWith("-"));
  const own = at < 0 ? argv : argv.slice(0, at);
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({ args: own, options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } }, strict: true }));
  } catch (e) {
    return usageError({ name: "", usage: KOS.usage }, (e as Error).message);
  }
  if (values.version) {
    process.stdout.write(`${kosVersion()}\n`);
    return EXIT.OK;
  }
  if (values.help) {
    process.stdout.write(`${KOS.usage}\n`);
    return EXIT.OK;
  }
  if (at < 0) {
    process.stderr.write(`${KOS.usage}\n`);
    return EXIT.USAGE;
  }
  let sub = argv[at]!;
  let rest = argv.slice(at + 1);
  if (sub === "help") {
    if (rest.length === 0) {
      process.stdout.write(`${KOS.usage}\n`);
      return EXIT.OK;
    }
    sub = rest[0]!;
    rest = ["--help"];
  }
  const load = commands[sub];
  if (!load) return usageError(KOS, `unknown command '${sub}'`);
  try {
    const mod = await load();
    return await mod.main(rest);
  } catch (err) {
    return failure(sub, err);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = failure("", err);
  },
);
