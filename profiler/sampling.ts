/**
 * In-process sampling CPU profiler over `node:inspector`. It profiles the
 * thread that starts it (the main thread or a worker) and returns the same
 * `.cpuprofile` format as `node --cpu-prof`, so hot.ts reads both.
 */
import { Session } from "node:inspector/promises";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { KosError } from "../errors.js";
import { validateCpuProfile, type CpuProfile } from "./cpuprofile.js";

export interface SamplingOptions {
  /** Sampling interval in microseconds (V8's default is 1000). */
  intervalUs?: number;
}

/** A running profile. Call {@link SamplingProfiler.stop} exactly once. */
export class SamplingProfiler {
  private session: Session | undefined;

  private constructor(session: Session) {
    this.session = session;
  }

  /**
   * Starts sampling this thread.
   * @throws KosError `KOS_SAMPLING_INVALID` for a bad interval, `KOS_SAMPLING_FAILED` when the inspector refuses
   */
  static async start(options: SamplingOptions = {}): Promise<SamplingProfiler> {
    const interval = options.intervalUs ?? 1000;
    if (!Number.isInteger(interval) || interval < 10) {
      throw new KosError("KOS_SAMPLING_INVALID", `intervalUs must be an integer >= 10, got ${interval}`);
    }
    const session = new Session();
    try {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval });
      await session.post("Profiler.start");
    } catch (err) {
      session.disconnect();
      throw new KosError("KOS_SAMPLING_FAILED", `could not start the inspector profiler: ${(err as Error).message}`, { cause: err });
    }
    return new SamplingProfiler(session);
  }

  /** True until {@link stop} is called. */
  get running(): boolean {
    return this.session !== undefined;
  }

  /**
   * Stops sampling and returns the profile.
   * @throws KosError `KOS_SAMPLING_STOPPED` when already stopped
   */
  async stop(): Promise<CpuProfile> {
    const session = this.session;
    if (!session) throw new KosError("KOS_SAMPLING_STOPPED", "this profiler was already stopped");
    this.session = undefined;
    try {
      const { profile } = await session.post("Profiler.stop");
      await session.post("Profiler.disable");
      return validateCpuProfile(profile, "inspector");
    } finally {
      session.disconnect();
    }
  }
}

/** Starts an in-process profile of this thread. */
export function startSampling(options?: SamplingOptions): Promise<SamplingProfiler> {
  return SamplingProfiler.start(options);
}

/** Profiles one call (sync or async) and returns its result with the profile. */
export async function profileCall<T>(fn: () => T | Promise<T>, options?: SamplingOptions): Promise<{ result: T; profile: CpuProfile }> {
  const profiler = await SamplingProfiler.start(options);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await profiler.stop();
    throw err;
  }
  return { result, profile: await profiler.stop() };
}

/** Writes a profile as a `.cpuprofile` file (opens in Chrome DevTools and VS Code). */
export async function saveCpuProfile(profile: CpuProfile, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(profile));
}
