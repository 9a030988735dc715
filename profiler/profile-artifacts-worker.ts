/**
 * The worker thread that writes a run's artifacts (profile-artifacts.ts) beside the `kos`
 * process's analysis. profile-run.ts starts it once the profiled command has started, so that
 * its start and its modules load while the command runs; it then waits for one job.
 *
 * Why a thread: after the command exits, everything `kos profile` does is on its wall time, and
 * most of it runs once, cold. Of the rules program's 41-48 ms of CPU there (bench/programs/rules.ts,
 * Node 20.20.2), the pprof encoding took 9-18 ms and the flamegraph 1-4 ms, and both need the
 * samples only; run on the second core, they leave the analysis and kos-profile.json alone on the
 * path.
 */
import { parentPort } from "node:worker_threads";
import { warmArtifacts, writeArtifacts, type ArtifactJob } from "./profile-artifacts.js";

/** The worker's answer: done, or the error as the `kos` process reports it. */
export type ArtifactReply = { ok: true } | { ok: false; message: string; code?: string };

parentPort?.once("message", (job: ArtifactJob) => {
  writeArtifacts(job).then(
    () => parentPort!.postMessage({ ok: true } satisfies ArtifactReply),
    (e: unknown) => {
      const err = e as { message?: unknown; code?: unknown };
      const reply: ArtifactReply = { ok: false, message: typeof err?.message === "string" ? err.message : String(e) };
      if (typeof err?.code === "string") reply.code = err.code;
      parentPort!.postMessage(reply);
    },
  );
});

// The job comes once the command has exited: until then, the code that draws the files warms up.
if (parentPort) warmArtifacts();
