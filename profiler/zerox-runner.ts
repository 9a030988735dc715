/**
 * Child-process entry that runs 0x through its programmatic API, so the
 * caller learns the profiled program's exact exit code (0x's CLI only prints
 * it). 0x is resolved from kos's own install, not the user's cwd.
 *
 * argv[2] is a JSON {@link ZeroXJob}; the result is written as JSON to
 * `job.resultPath`.
 */
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

/** What to run. `argv` is what follows `node` (node flags, script, script args). */
export interface ZeroXJob {
  argv: string[];
  outputDir: string;
  workingDir: string;
  resultPath: string;
  /** Render this `.cpuprofile` into a flamegraph instead of running anything. */
  visualizeCpuProfile?: string;
}

export interface ZeroXResult {
  ok: boolean;
  /** The profiled program's exit code (null if it never exited normally). */
  exitCode: number | null;
  /** Path of the flamegraph 0x wrote. */
  file?: string;
  error?: string;
}

async function run(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ZeroXJob;
  const require = createRequire(import.meta.url);
  const zeroEks = require("0x") as (args: Record<string, unknown>) => Promise<string>;
  let exitCode: number | null = null;
  const result: ZeroXResult = { ok: false, exitCode: null };
  try {
    const args: Record<string, unknown> = {
      argv: job.argv,
      outputDir: job.outputDir,
      workingDir: job.workingDir,
      pathToNodeBinary: process.execPath,
      name: "flamegraph",
      quiet: true,
      onProcessExit: (code: number | null) => {
        exitCode = code;
      },
    };
    if (job.visualizeCpuProfile) {
      args.visualizeCpuProfile = job.visualizeCpuProfile;
      args.title = job.visualizeCpuProfile;
    }
    result.file = await zeroEks(args);
    result.ok = true;
  } catch (err) {
    result.error = (err as Error)?.message ?? String(err);
  }
  result.exitCode = exitCode;
  writeFileSync(job.resultPath, JSON.stringify(result));
}

run().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
