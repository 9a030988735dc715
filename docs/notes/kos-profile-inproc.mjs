// Prototype of `kos profile -- <script> [args]` run in the `kos` process itself (issue 11; measurement
// only, not exact: see kos-profile-cost.md, "In-process profiling"). Needs kos-profile-inproc.patch
// applied and built (it adds analyzeRunSync). From the repository root:
//   KOS_BENCH_MODE=jit node docs/notes/kos-profile-inproc.mjs OUTDIR dist/bench/programs/dsp.js 15000
// PROTO_TIMING=1 prints the phases' times (ms from the process's start) on stderr.
import { Session } from "node:inspector";
import { mkdirSync, writeFileSync, rmSync, existsSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import Module from "node:module";
const T = { start: performance.now() };
const [outDirArg, script, ...args] = process.argv.slice(2);
const outDir = resolve(outDirArg);
const rawDir = join(outDir, "threads");
const feedbackPath = join(outDir, "kos-feedback.json");
mkdirSync(outDir, { recursive: true });
rmSync(rawDir, { recursive: true, force: true });
rmSync(feedbackPath, { force: true });
mkdirSync(rawDir);
T.beforeAnalysisLoad = performance.now();
const analysis = await import(new URL("../../dist/profiler/profile-analysis.js", import.meta.url).href);
const { constants } = await import("node:os");
process.env.KOS_FEEDBACK_OUT = feedbackPath;
process.env.KOS_FEEDBACK_UNHASHED = "1";
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 2000 });
session.post("Profiler.start");
const started = new Date();
T.profStarted = performance.now();
const t0 = Date.now();
process.on("exit", function kosExit(code) {
  // Prototype only, not exact: runs the listeners registered after this one (the program's, kos's
  // feedback dump) here, where node would call them again after this one (see the note).
  const all = process.listeners("exit");
  const after = all.slice(all.indexOf(kosExit) + 1);
  for (const l of after) { l.call(process, code); process.removeListener("exit", l); }
  T.exit = performance.now();
  let profile;
  session.post("Profiler.stop", (err, r) => { profile = r?.profile; });
  const name = `CPU.${Date.now()}.0.${process.pid}.0.1.cpuprofile`;
  writeFileSync(join(rawDir, name), JSON.stringify(profile));
  T.stopped = performance.now();
  const a = analysis;
  const r = a.analyzeRunSync({ command: [script, ...args], outDir, feedbackPath, profilePaths: [join(rawDir, name)], started, wallMs: Date.now() - t0 });
  T.analyzed = performance.now();
  if (process.env.PROTO_TIMING) process.stderr.write(JSON.stringify(Object.fromEntries(Object.entries(T).map(([k, v]) => [k, Math.round(v)]))) + "\n");
  process.stdout.write(`kos profile: ${r.profile.totalSamples} samples; top ${r.profile.hot.slice(0, 3).map((e) => e.name).join(",")}\n`);
});
process.argv = [process.execPath, resolve(script), ...args];
Module.runMain();
