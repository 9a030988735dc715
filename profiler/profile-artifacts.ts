/**
 * The files of a `kos profile` run that draw its samples for other tools: one `.cpuprofile` for
 * every thread and process (DevTools, speedscope), a gzipped pprof profile (go tool pprof,
 * Pyroscope, Grafana) and a flamegraph. They depend on the samples alone, not on the analysis
 * that ranks functions.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mergeThreadProfiles, parseCpuProfile, readCpuProfileSync, type CpuProfileFile } from "./cpuprofile.js";
import { flamegraphHtml } from "./flame-html.js";
import { dropKosPlumbing } from "./kos-frames.js";
import { cpuProfilesToPprof } from "./pprof.js";
import { warmCpuProfile } from "./warm-profile.js";

/** What the artifacts are drawn from: the run's raw profiles, and the flamegraph's title. */
export interface ArtifactJob {
  profilePaths: string[];
  outDir: string;
  title: string;
}

export interface ArtifactPaths {
  cpuprofilePath: string;
  pprofPath: string;
  flamegraph: string;
}

export function artifactPaths(outDir: string): ArtifactPaths {
  return { cpuprofilePath: join(outDir, "profile.cpuprofile"), pprofPath: join(outDir, "profile.pb.gz"), flamegraph: join(outDir, "flamegraph.html") };
}

/**
 * The raw profiles, each without kos's plumbing frames (kos-frames.ts). Read synchronously: the
 * analysis waits for them and nothing else runs then, and a read through the thread pool waited
 * for a pool thread to be scheduled: the read and parse took 0.7-11.5 ms after `kos profile`'s
 * command had written its profile (bench/programs, 22-77 KB, loaded host), against 0.8 ms for
 * readFileSync and JSON.parse of the 77 KB one.
 */
export async function readRunProfiles(paths: string[]): Promise<CpuProfileFile[]> {
  return paths.map(readCpuProfileSync).map((f) => ({ ...f, profile: dropKosPlumbing(f.profile) }));
}

/** The three files' contents, drawn from `profiles` (as {@link readRunProfiles} returns them). */
function* renderArtifacts(profiles: CpuProfileFile[], title: string): Generator<[keyof ArtifactPaths, string | Uint8Array]> {
  const merged = profiles.length === 1 ? profiles[0]!.profile : mergeThreadProfiles(profiles);
  yield ["cpuprofilePath", JSON.stringify(merged)];
  yield ["pprofPath", cpuProfilesToPprof(profiles.map((f, i) => ({ profile: f.profile, thread: profiles.length > 1 ? `${f.pid ?? "?"}/${f.threadId ?? i}` : undefined })))];
  yield ["flamegraph", flamegraphHtml(merged, title)];
}

/** Writes the three files; `files` are the run's profiles as {@link readRunProfiles} returns them. */
export async function writeArtifacts(job: ArtifactJob, files?: CpuProfileFile[]): Promise<void> {
  const profiles = files ?? (await readRunProfiles(job.profilePaths));
  await writeRendered(job.outDir, renderArtifacts(profiles, job.title));
}

/** The three files' contents, drawn now and written later by {@link writeRendered}. */
export type RenderedArtifacts = Array<[keyof ArtifactPaths, string | Uint8Array]>;

/** Draws the three files without writing them (profile-run.ts draws them before the command has quite exited). */
export function renderArtifactFiles(profiles: CpuProfileFile[], title: string): RenderedArtifacts {
  return [...renderArtifacts(profiles, title)];
}

/** Writes drawn artifacts into `outDir`: `rendered` is a generator's (each file written while the next is drawn) or {@link renderArtifactFiles}'. */
export async function writeRendered(outDir: string, rendered: Iterable<[keyof ArtifactPaths, string | Uint8Array]>): Promise<void> {
  const paths = artifactPaths(outDir);
  // Each file is written by the thread pool while the next is computed (sync writes were 5 ms of a 25 ms analysis).
  const writes: Array<Promise<void>> = [];
  for (const [which, data] of rendered) {
    const w = writeFile(paths[which], data);
    w.catch(() => undefined); // observed here, reported by the Promise.all below
    writes.push(w);
  }
  await Promise.all(writes);
}

/**
 * Draws the artifacts of a small synthetic run (warm-profile.ts), one thread and two, and throws
 * them away, so that their code is warm when the real run's profiles arrive (profile-analysis.ts
 * warmAnalysis, while the command runs). Writes nothing; never throws.
 */
export function warmArtifacts(): void {
  try {
    for (const threads of [1, 2]) {
      const profiles = Array.from({ length: threads }, (_, i) => ({ path: "(warm-up)", pid: 1, threadId: i, profile: dropKosPlumbing(parseCpuProfile(JSON.stringify(warmCpuProfile(i)))) }));
      for (const _ of renderArtifacts(profiles, "kos profile: warm-up")) void _;
    }
  } catch {
    // a warm-up that fails leaves the code cold, nothing more
  }
}
