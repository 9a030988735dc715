/**
 * `kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]`
 *
 * Other flags: `--min-self PERCENT` (profile entries below it are ignored,
 * default 1), `--json` (print the report as JSON), `--quiet`.
 * Exit codes: 0 built, 1 a build error (printed with its file:line), 2 bad usage.
 */
import { parseArgs } from "node:util";
import { kosBuild } from "../aot/build.js";
import { formatReport } from "../aot/report.js";

const USAGE = `usage: kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
                 [--min-self PERCENT] [--json] [--quiet]`;

/** Runs `kos build` with `argv` (the arguments after `build`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: "string", short: "p" },
        profile: { type: "string" },
        out: { type: "string", short: "o" },
        "min-self": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`kos build: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { console.log(USAGE); return 0; }
  const minSelf = values["min-self"] === undefined ? undefined : Number(values["min-self"]);
  if (minSelf !== undefined && !(minSelf >= 0)) { console.error(`kos build: --min-self must be a number ≥ 0\n${USAGE}`); return 2; }
  try {
    const report = await kosBuild({
      ...(values.project ? { project: values.project } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values.out ? { out: values.out } : {}),
      ...(minSelf !== undefined ? { minSelfPercent: minSelf } : {}),
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else if (!values.quiet) console.log(formatReport(report, values.out));
    return 0;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    console.error(`kos build: ${err.code ? `[${err.code}] ` : ""}${err.message ?? String(e)}`);
    return 1;
  }
}
