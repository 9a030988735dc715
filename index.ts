/**
 * kos: the public API. Everything users import comes from here.
 * @packageDocumentation
 */
import type * as Compiler from "./compiler/index.js";
import type { JitOptions } from "./compiler/types.js";
import type * as Tiering from "./profiler/tiering.js";
import type { TieringOptions } from "./profiler/tiering.js";
import type * as ProfileRun from "./profiler/profile-run.js";
import type * as Hot from "./profiler/hot.js";
import { compilerModule, hotModule, lazyArray, lazyClass, profileRunModule, tieringModule } from "./lazy-modules.js";

// The compiler, the tiering, `kos profile` and the profile analysis load on
// first use (lazy-modules.ts): `import "kos"` must stay within 15 ms of a bare
// node (issue 13). The names and types below are the modules' own.
export { KosError } from "./errors.js";
/**
 * The error `jit()` throws under `strict: true` (and for bad arguments), a
 * {@link KosError} with a stable `code`. Loaded with the compiler on first
 * use; `instanceof JitError`, `new` and `extends` work as on the class itself.
 */
export const JitError: typeof Compiler.JitError = lazyClass("JitError", () => compilerModule().JitError);
/** An instance of {@link JitError}. */
export type JitError = Compiler.JitError;
export type * from "./compiler/types.js";
export type { JitErrorCode } from "./compiler/index.js";
export type { TieringOptions } from "./profiler/tiering.js";

/** What {@link jit} knows about a jitted function (its versions, assumptions and generated source), or null for a function `jit` did not make. */
export const inspect: typeof Compiler.inspect = (f) => compilerModule().inspect(f);
/** The source kos generates for `fn` specialized with `options`, without instantiating it. */
export const specializeToSource: typeof Compiler.specializeToSource = (fn, options) => compilerModule().specializeToSource(fn, options);
/** Compiles one guarded version of `fn` (the dispatcher's building block). */
export const compileVersion: typeof Compiler.compileVersion = (fn, options, onDeopt) => compilerModule().compileVersion(fn, options, onDeopt);
/** Names of the compiler's passes, in pipeline order (for `disablePasses`). */
export const PASS_NAMES: typeof Compiler.PASS_NAMES = lazyArray(() => compilerModule().PASS_NAMES) as typeof Compiler.PASS_NAMES;
/** The argument and call feedback every tiered function has gathered so far (what `kos profile` writes). */
export const collectFeedback: typeof Tiering.collectFeedback = () => tieringModule().collectFeedback();

/** Options of {@link jit}: the compiler's options plus the tiering thresholds. */
export interface KosJitOptions extends JitOptions {
  tiering?: TieringOptions;
}

/**
 * Makes `fn` faster without changing what it does.
 *
 * - With `specialize` (or `scope`/`assume`): compiles at once a version
 *   specialized on those values, guarded at every call.
 * - Without: starts at tier 0 (the original behind a counter that profiles
 *   arguments); once hot, compiles a guarded version speculating on whatever
 *   stayed stable, and deoptimizes if that stops being true.
 *
 * @example
 * const poly = jit(horner, { specialize: { coeffs: [1, -2, 0.5] } });
 * poly([1, -2, 0.5], 3); // same result as horner(...), computed by straight-line code
 */
export function jit<F extends Function>(fn: F, options: KosJitOptions = {}): F {
  if (typeof fn !== "function") throw new JitError("NOT_A_FUNCTION", `jit() expects a function, got ${fn === null ? "null" : typeof fn}`);
  // Explicit values compile at once; `tiering` (or no options at all) selects the profiling tiers.
  if ((options.specialize || options.assume || options.scope) && !options.tiering) return compilerModule().specializeFunction(fn, options);
  return tieringModule().createTieredFunction(fn, options);
}

// Runtime: object pool, slab memory, batching.
export { ObjectPool } from "./runtime/pool.js";
export type { ObjectPoolOptions, ObjectPoolStats } from "./runtime/pool.js";
export { MemoryPool } from "./runtime/slab.js";
export type { MemoryPoolOptions, MemoryPoolStats } from "./runtime/slab.js";
export { BatchProcessor } from "./runtime/batch.js";
export type { BatchProcessorOptions, BatchProcessorStats, FlushReason, ProcessBatch } from "./runtime/batch.js";

// Profiler: CPU profiles, hot functions, kos-profile.json.
export { loadProfile, findProfiledFunction, sourceHash, readProfile, writeProfile, validateProfile } from "./profiler/profile-file.js";
export type { KosProfile, HotEntry, LoadedProfile } from "./profiler/profile-file.js";
export { encodeValue, decodeValue } from "./profiler/profile-format.js";
export type { EncodedValue, ArgumentFeedback, FunctionFeedback, FeedbackDump } from "./profiler/profile-format.js";
export { SamplingProfiler, startSampling, profileCall, saveCpuProfile } from "./profiler/sampling.js";
export type { SamplingOptions } from "./profiler/sampling.js";
export { readCpuProfile, readCpuProfileDir, parseCpuProfile, validateCpuProfile, mergeThreadProfiles } from "./profiler/cpuprofile.js";
export type { CpuProfile, CpuProfileNode, CallFrame, CpuProfileFile } from "./profiler/cpuprofile.js";
/** Hot functions of one `.cpuprofile`. */
export const analyzeCpuProfile: typeof Hot.analyzeCpuProfile = (profile, options) => hotModule().analyzeCpuProfile(profile, options);
/** Hot functions of several `.cpuprofile`s (one per thread), ranked together. */
export const analyzeCpuProfiles: typeof Hot.analyzeCpuProfiles = (profiles, options) => hotModule().analyzeCpuProfiles(profiles, options);
/** Hot functions of a 0x / V8 tick log (`isolate-*-v8.log.json`). */
export const analyzeV8Log: typeof Hot.analyzeV8Log = (log, inlined, options) => hotModule().analyzeV8Log(log, inlined, options);
/** Hot functions of sampled stacks. */
export const analyzeStacks: typeof Hot.analyzeStacks = (stacks, options) => hotModule().analyzeStacks(stacks, options);
export type { HotReport, HotFunction, HotStack, Frame, StackSample } from "./profiler/hot.js";
/** `kos profile` as a library call: profiles a command and writes `kos-profile.json` and a flamegraph. */
export const profileCommand: typeof ProfileRun.profileCommand = (command, options) => profileRunModule().profileCommand(command, options);
export type { ProfileCommandOptions, ProfileCommandResult } from "./profiler/profile-run.js";

// Profiler: performance monitor and heap profiling.
export { createMonitor, defaultEventLoopResolutionMs, detectLeak, DEFAULT_LEAK_RULE } from "./profiler/monitor/index.js";
export type { Monitor, MonitorOptions, MonitorMetrics, MonitorSummary, SeriesSummary, Trend, TrendDirection, LeakRule, LeakVerdict, CpuMetrics, ProcessCpuMetrics, MemoryMetrics, IoMetrics, GcMetrics, GcKind, GcKindStats, EventLoopMetrics } from "./profiler/monitor/index.js";
export { startHeapProfile, profileHeap, allocationSites } from "./profiler/heap-profile.js";
export type { HeapProfileOptions, HeapProfileHandle, HeapProfileReport, AllocationSite, SamplingHeapProfile, SamplingHeapProfileNode } from "./profiler/heap-profile.js";

// Runtime: system layer (native addon): affinity, NUMA, aligned buffers, direct I/O, pinned workers.
export { getAffinity, setAffinity, getThreadAffinity, setThreadAffinity, setProcessAffinity, processThreadIds, currentCpu, currentThreadId, onlineCpus, parseCpuList, formatCpuList, isAffinitySupported } from "./runtime/affinity.js";
export { numaTopology, bindToNumaNode } from "./runtime/numa.js";
export type { NumaNode, NumaTopology } from "./runtime/numa.js";
export { allocAligned, addressOf, isAligned, pageSize, isAlignedAllocSupported } from "./runtime/aligned.js";
export { DirectFile, advise, readahead, directIoAlignment, isDirectIoSupported } from "./runtime/directio.js";
export type { Advice, DirectFileOptions, DirectIoAlignment } from "./runtime/directio.js";
export { readSequential, drainSequential } from "./runtime/sequential-reader.js";
export type { SequentialReadOptions, SequentialChunk } from "./runtime/sequential-reader.js";
export { PinnedWorkerPool } from "./runtime/worker-pool.js";
export type { PinPolicy, PinnedPoolOptions, PinnedRunOptions, PoolStats, WorkerStats, LatencySummary } from "./runtime/worker-pool.js";
export { addonStatus } from "./runtime/native/binding.js";
export type { AddonStatus } from "./runtime/native/binding.js";
export { SystemError } from "./runtime/native/system-error.js";
export type { SystemErrorCode } from "./runtime/native/system-error.js";

// Runtime: lock-free queues on SharedArrayBuffer.
export { SpscRecordQueue, SpscByteQueue, MpmcRecordQueue, MpmcByteQueue, QueueError, attachQueue } from "./runtime/queue/index.js";
export type { AnyQueue, ByteRingOptions, LaneType, MpmcByteDescriptor, MpmcRecordDescriptor, QueueDescriptor, QueueErrorCode, QueueKind, QueueStall, PopAsyncOptions, MpmcQueueStats, RecordOut, RecordQueueOptions, SlotQueueOptions, SpscByteDescriptor, SpscRecordDescriptor } from "./runtime/queue/index.js";

// Compile cache (runtime jit's `cache: true`). `kos build` itself is the "kos/build" entry, so
// that `import "kos"` does not load ts-morph.
export { computeCacheKey, readCacheEntry, writeCacheEntry, configureCompileCache, CompileCache, compileCached, structuralHash } from "./compiler/cache.js";
export type { CacheEntry, CacheKeyInput, CompileCacheOptions, CachedCompile } from "./compiler/cache.js";

// Runtime: LRU cache and memoize.
export { LruCache } from "./runtime/lru.js";
export type { LruCacheOptions, LruCacheStats, EvictionReason } from "./runtime/lru.js";
export { memoize, methodCache } from "./runtime/memoize.js";
export type { MemoizeOptions, MemoizeStats, Memoized } from "./runtime/memoize.js";
