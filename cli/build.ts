/**
 * `kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]`
 *
 * Other flags: `--min-self PERCENT` (profile entries below it are ignored,
 * default 1), `--json` (print the report as JSON), `--quiet`.
 * Exit codes: 0 built, 1 a build error (printed with its file:line) or
 * ts-morph missing, 2 bad usage.
 */
import { EXIT, failure, numberOption, parseCommand, usageError, UsageError, type CommandInfo } from "./args.js";
import { missingPeerError } from "../optional-peer.js";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const COMMAND: CommandInfo = {
  name: "build",
  usage: `usage: kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
                 [--min-self PERCENT] [--json] [--quiet]
  -p, --project FILE   the tsconfig.json of the project (default ./tsconfig.json)
  --profile FILE       kos-profile.json from \`kos profile\` (optional)
  -o, --out DIR        where the optimized build goes
  --min-self PERCENT   ignore profile entries with less self time (default 1)
  --json               print the report as JSON
  -q, --quiet          print nothing on success
needs the optional package ts-morph (npm install ts-morph)`,
};

/** Loads the builder; ts-morph is an optional peer dependency, so its absence is a clear error. */
async function loadBuilder(): Promise<[typeof import("../aot/build.js"), typeof import("../aot/report.js")]> {
  try {
    return await Promise.all([import("../aot/build.js"), import("../aot/report.js")]);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === "ERR_MODULE_NOT_FOUND" && /'ts-morph'/.test(err.message ?? "")) throw missingPeerError("ts-morph", "kos build", e);
    throw e;
  }
}

/** Runs `kos build` with `argv` (the arguments after `build`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COMMAND, argv, {
    project: { type: "string", short: "p" },
    profile: { type: "string" },
    out: { type: "string", short: "o" },
    "min-self": { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  let minSelf: number | undefined;
  try {
    minSelf = numberOption("min-self", values["min-self"], { min: 0, max: 100 });
  } catch (e) {
    if (e instanceof UsageError) return usageError(COMMAND, e.message);
    throw e;
  }
  try {
    const [{ kosBuild }, { formatReport }] = await loadBuilder();
    const report = await kosBuild({
      ...(values.project ? { project: values.project } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values.out ? { out: values.out } : {}),
      ...(minSelf !== undefined ? { minSelfPercent: minSelf } : {}),
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else if (!values.quiet) console.log(formatReport(report, values.out));
    return EXIT.OK;
  } catch (e) {
    return failure(COMMAND, e);
  } finally {
    endWithTheCli();
  }
}

/**
 * The build imports the project's modules (aot/probe.ts), and a timer or server one starts at load
 * kept the `kos` process alive after the report (sweep 30, F6). When this process is the `kos`
 * command, it ends once the exit code is set (cli/kos.ts sets it when `main` resolves, before any
 * timer runs); unref'd, the timer never delays an exit that comes anyway. A program calling `main`
 * in its own process (the tests) owns that process, and is left alone.
 */
function endWithTheCli(): void {
  let cli = false;
  try {
    cli = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(new URL("./kos.js", import.meta.url));
  } catch {
    cli = false;
  }
  if (cli) setTimeout(() => process.exit(), 0).unref();
}
