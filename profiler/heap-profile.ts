/**
 * Memory profiling, kos's tracemalloc: V8's sampling heap profiler, driven
 * in process through `node:inspector` (HeapProfiler.startSampling /
 * stopSampling), summarized as the top allocation sites (function, url, line,
 * bytes). Sampling costs little: V8 records one allocation per
 * `samplingIntervalBytes` on average (Poisson), and scales each sample up.
 *
 * By default a report counts memory still live when sampling stops, as a
 * tracemalloc snapshot does; `includeCollected: true` counts every sampled
 * allocation, collected or not, which shows allocation churn instead.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { KosError } from "../errors.js";
import { inlinedCandidates, type InlinedCandidate } from "./heap-inlining.js";

export interface HeapProfileOptions {
  /** Average bytes between samples. Default 32768 (V8's default). Smaller is more precise and slower. */
  samplingIntervalBytes?: number;
  /** Count allocations already collected by the GC too (allocation churn, not live memory). Default false. */
  includeCollected?: boolean;
}

/** One place in the source that allocated memory. */
export interface AllocationSite {
  /** Function name; "(anonymous)" for unnamed functions, "(root)" etc. for V8's synthetic frames. */
  functionName: string;
  /** Script URL (file:// for ES modules, a path for CommonJS); empty for builtins. */
  url: string;
  /** 1-based line of the function's start; 0 when unknown. */
  line: number;
  /** 1-based column of the function's start; 0 when unknown. */
  column: number;
  /** Estimated bytes allocated by this function itself (not its callees), summed over every stack it appears in. */
  selfBytes: number;
  /** Samples attributed to the site. */
  samples: number;
  /** selfBytes as a share of all sampled bytes, 0..1. */
  share: number;
  /**
   * The call stack that allocated the most at this site, innermost first, as
   * "function url:line:column" frames (tracemalloc's traceback): the site itself,
   * then its callers up to the root.
   */
  stack: string[];
  /**
   * Functions this site's function calls that allocate and may have been
   * inlined into it (V8's heap sampler then blames the caller): a source
   * analysis, see heap-inlining.ts. Absent when none were found.
   */
  inlinedCandidates?: InlinedCandidate[];
}

/** The raw profile V8 returns (loadable by Chrome DevTools as a `.heapprofile`). */
export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode;
  samples?: Array<{ size: number; nodeId: number; ordinal: number }>;
}

export interface SamplingHeapProfileNode {
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: SamplingHeapProfileNode[];
}

export interface HeapProfileReport {
  /** Total estimated bytes over all sites. */
  totalBytes: number;
  /** Every site, largest selfBytes first. */
  sites: AllocationSite[];
  /** The raw V8 profile. */
  profile: SamplingHeapProfile;
  /** The first `n` sites (default 10). */
  top(n?: number): AllocationSite[];
  /** Writes the raw profile as JSON; open a `.heapprofile` file in Chrome DevTools' Memory tab. */
  save(path: string): Promise<void>;
}

/** A sampling run in progress; `stop()` ends it and returns the report. */
export interface HeapProfileHandle {
  stop(): Promise<HeapProfileReport>;
}

/** The isolate has one sampling heap profiler: kos runs one sampling at a time. */
let active = false;

/**
 * Starts the sampling heap profiler.
 * @throws KosError `EHEAP_PROFILE_BUSY` when a kos heap profile is already running,
 *   `EINVAL_SAMPLING` on a bad interval, `EHEAP_PROFILE` when the inspector refuses.
 */
/** The sparsest sampling taken: one sample per 2 GiB allocated, on average. */
const MAX_SAMPLING_INTERVAL = 2 ** 31 - 1;

export async function startHeapProfile(options: HeapProfileOptions = {}): Promise<HeapProfileHandle> {
  const interval = options.samplingIntervalBytes ?? 32768;
  // Past 2 GiB between samples a profile of any real run is empty: 2 ** 40 was taken (sweep37).
  if (!Number.isInteger(interval) || interval < 1 || interval > MAX_SAMPLING_INTERVAL) {
    throw new KosError("EINVAL_SAMPLING", `samplingIntervalBytes must be an integer from 1 to ${MAX_SAMPLING_INTERVAL}, got ${interval}`);
  }
  if (active) throw new KosError("EHEAP_PROFILE_BUSY", "a heap profile is already running in this thread");
  active = true;
  const session = new Session();
  try {
    session.connect();
    await session.post("HeapProfiler.enable");
    const collected = options.includeCollected === true;
    // The two include* flags exist in the protocol (V8 ≥ 10.x) but not yet in @types/node.
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: interval,
      includeObjectsCollectedByMajorGC: collected,
      includeObjectsCollectedByMinorGC: collected,
    } as { samplingInterval: number });
  } catch (cause) {
    session.disconnect();
    active = false;
    throw new KosError("EHEAP_PROFILE", `could not start the sampling heap profiler: ${(cause as Error).message}`, { cause });
  }
  let stopped = false;
  return {
    async stop(): Promise<HeapProfileReport> {
      if (stopped) throw new KosError("EHEAP_PROFILE_STOPPED", "this heap profile was already stopped");
      stopped = true;
      try {
        const { profile } = await session.post("HeapProfiler.stopSampling");
        await session.post("HeapProfiler.disable");
        return buildReport(profile as SamplingHeapProfile);
      } catch (cause) {
        throw new KosError("EHEAP_PROFILE", `could not stop the sampling heap profiler: ${(cause as Error).message}`, { cause });
      } finally {
        session.disconnect();
        active = false;
      }
    },
  };
}

/** Runs `fn` under the sampling heap profiler and returns its result with the report. */
export async function profileHeap<T>(fn: () => T | Promise<T>, options: HeapProfileOptions = {}): Promise<{ result: T; report: HeapProfileReport }> {
  const handle = await startHeapProfile(options);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await handle.stop().catch(() => undefined);
    throw e;
  }
  return { result, report: await handle.stop() };
}

/** Allocation sites of a profile, largest first: nodes of the same function (same name, url, line, column) are merged across stacks. */
export function allocationSites(profile: SamplingHeapProfile): AllocationSite[] {
  const samplesPerNode = new Map<number, number>();
  for (const s of profile.samples ?? []) samplesPerNode.set(s.nodeId, (samplesPerNode.get(s.nodeId) ?? 0) + 1);
  const parent = new Map<SamplingHeapProfileNode, SamplingHeapProfileNode>();
  const sites = new Map<string, AllocationSite>();
  /** Per site, its node that allocated the most: its path to the root becomes the site's stack. */
  const heaviest = new Map<AllocationSite, SamplingHeapProfileNode>();
  let total = 0;
  const pending: SamplingHeapProfileNode[] = [profile.head];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const c of node.children) {
      parent.set(c, node);
      pending.push(c);
    }
    const samples = samplesPerNode.get(node.id) ?? 0;
    if (node.selfSize === 0 && samples === 0) continue;
    const f = node.callFrame;
    const key = `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
    let site = sites.get(key);
    if (!site) {
      site = {
        functionName: f.functionName || "(anonymous)",
        url: f.url,
        line: f.lineNumber >= 0 ? f.lineNumber + 1 : 0,
        column: f.columnNumber >= 0 ? f.columnNumber + 1 : 0,
        selfBytes: 0,
        samples: 0,
        share: 0,
        stack: [],
      };
      sites.set(key, site);
    }
    site.selfBytes += node.selfSize;
    site.samples += samples;
    total += node.selfSize;
    const best = heaviest.get(site);
    if (!best || node.selfSize > best.selfSize) heaviest.set(site, node);
  }
  const list = [...sites.values()];
  for (const s of list) {
    s.share = total > 0 ? s.selfBytes / total : 0;
    for (let n: SamplingHeapProfileNode | undefined = heaviest.get(s); n && n !== profile.head; n = parent.get(n)) s.stack.push(frameName(n));
  }
  return list.sort((a, b) => b.selfBytes - a.selfBytes);
}

function frameName(n: SamplingHeapProfileNode): string {
  const f = n.callFrame;
  const where = f.url ? ` ${f.url}:${f.lineNumber + 1}:${f.columnNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"}${where}`;
}

function buildReport(profile: SamplingHeapProfile): HeapProfileReport {
  const sites = allocationSites(profile);
  // The biggest sites only: each reads and parses its script once (cached by text).
  for (const site of sites.slice(0, 20)) {
    const found = inlinedCandidates(site.url, site.line, site.column);
    if (found.length) site.inlinedCandidates = found;
  }
  const totalBytes = sites.reduce((s, x) => s + x.selfBytes, 0);
  return {
    totalBytes,
    sites,
    profile,
    top: (n = 10) => sites.slice(0, n),
    save: (path: string) => writeFile(path, JSON.stringify(profile)),
  };
}
