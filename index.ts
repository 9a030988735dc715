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
import type * as Dispatcher from "./compiler/dispatcher.js";
import type * as DormantTier from "./compiler/dormant.js";
import type * as Cache from "./compiler/cache.js";
import type * as Sampling from "./profiler/sampling.js";
import type * as MonitorModule from "./profiler/monitor/index.js";
import type * as HeapProfile from "./profiler/heap-profile.js";
import type * as Affinity from "./runtime/affinity.js";
import type * as Numa from "./runtime/numa.js";
import type * as Aligned from "./runtime/aligned.js";
import type * as DirectIo from "./runtime/directio.js";
import type * as SequentialReader from "./runtime/sequential-reader.js";
import type * as WorkerPool from "./runtime/worker-pool.js";
import type * as Binding from "./runtime/native/binding.js";
import type * as SystemErrors from "./runtime/native/system-error.js";
import type * as Queues from "./runtime/queue/index.js";
import type * as Pool from "./runtime/pool.js";
import type * as Slab from "./runtime/slab.js";
import type * as Batch from "./runtime/batch.js";
import type * as Lru from "./runtime/lru.js";
import type * as Memoize from "./runtime/memoize.js";
import type * as ProfileFile from "./profiler/profile-file.js";
import type * as ProfileFormat from "./profiler/profile-format.js";
import type * as CpuProfiles from "./profiler/cpuprofile.js";
import { coreLoaded, lazyArray, lazyClass, lazyFunction as fn, lazyModule, lazyObject } from "./lazy-modules.js";

// Everything that costs to load loads on first use (lazy-modules.ts): the
// compiler, the tiering, the profilers, the monitor, the system layer, the
// queues and the compile cache. `import "kos"` must stay within 15 ms of a
// bare node (issue 13: it cost 88 ms over, with everything loaded at once).
// The names and types below are the modules' own; classes keep `new`,
// `instanceof`, `extends` and their static members.
const compilerModule = lazyModule<typeof Compiler>("./compiler/index.js");
// Loaded by the first plain jit(fn): its entry waits there until loading the core pays (compiler/dormant.ts).
const dormantModule = lazyModule<typeof DormantTier>("./compiler/dormant.js");
// Loaded by the first jit() that needs it: it settles disabled and never-compilable functions without the whole compiler.
const dispatcherModule = lazyModule<typeof Dispatcher>("./compiler/dispatcher.js");
const tieringModule = lazyModule<typeof Tiering>("./profiler/tiering.js");
const profileRunModule = lazyModule<typeof ProfileRun>("./profiler/profile-run.js");
const hotModule = lazyModule<typeof Hot>("./profiler/hot.js");
const cacheModule = lazyModule<typeof Cache>("./compiler/cache.js");
const samplingModule = lazyModule<typeof Sampling>("./profiler/sampling.js");
const monitorModule = lazyModule<typeof MonitorModule>("./profiler/monitor/index.js");
const heapModule = lazyModule<typeof HeapProfile>("./profiler/heap-profile.js");
const affinityModule = lazyModule<typeof Affinity>("./runtime/affinity.js");
const numaModule = lazyModule<typeof Numa>("./runtime/numa.js");
const alignedModule = lazyModule<typeof Aligned>("./runtime/aligned.js");
const directIoModule = lazyModule<typeof DirectIo>("./runtime/directio.js");
const readerModule = lazyModule<typeof SequentialReader>("./runtime/sequential-reader.js");
const workerPoolModule = lazyModule<typeof WorkerPool>("./runtime/worker-pool.js");
const bindingModule = lazyModule<typeof Binding>("./runtime/native/binding.js");
const systemErrorModule = lazyModule<typeof SystemErrors>("./runtime/native/system-error.js");
const queueModule = lazyModule<typeof Queues>("./runtime/queue/index.js");
const poolModule = lazyModule<typeof Pool>("./runtime/pool.js");
const slabModule = lazyModule<typeof Slab>("./runtime/slab.js");
const batchModule = lazyModule<typeof Batch>("./runtime/batch.js");
const lruModule = lazyModule<typeof Lru>("./runtime/lru.js");
const memoizeModule = lazyModule<typeof Memoize>("./runtime/memoize.js");
const profileFileModule = lazyModule<typeof ProfileFile>("./profiler/profile-file.js");
const profileFormatModule = lazyModule<typeof ProfileFormat>("./profiler/profile-format.js");
const cpuProfileModule = lazyModule<typeof CpuProfiles>("./profiler/cpuprofile.js");
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

/**
 * What {@link jit} knows about a jitted function (its versions, assumptions and generated source), or null for a function `jit` did not make.
 * It reads the dispatchers' registry, so it never loads the compiler (which a function that never compiled has not loaded).
 */
export function inspect(f: Function): Compiler.JitInspection | null {
  // Nothing kos made: `inspect({})` said so, `inspect(5)` threw a TypeError from a private-field check.
  if (typeof f !== "function") return null;
  if (disabledEarly.has(f)) dormantModule().settleDisabled(f);
  // Before the core loads, only the dormant tier has anything to show (compiler/dormant.ts); after,
  // the core shows what it made, and the tier what it made before.
  if (!coreLoaded()) return dormantModule().inspectDormant(f);
  return dispatcherModule().inspectRegistered(f) ?? dormantModule().inspectDormant(f);
}
/** The source kos generates for `fn` specialized with `options`, without instantiating it. */
export const specializeToSource = fn(compilerModule, "specializeToSource");
/** Compiles one guarded version of `fn` (the dispatcher's building block). */
export const compileVersion = fn(compilerModule, "compileVersion");
/** Names of the compiler's passes, in pipeline order (for `disablePasses`). */
export const PASS_NAMES: typeof Compiler.PASS_NAMES = lazyArray(() => compilerModule().PASS_NAMES) as typeof Compiler.PASS_NAMES;
/** The argument and call feedback every tiered function has gathered so far (what `kos profile` writes). */
export const collectFeedback = fn(tieringModule, "collectFeedback");

/** Options of {@link jit}: the compiler's options plus the tiering thresholds. */
export interface KosJitOptions extends JitOptions {
  tiering?: TieringOptions;
}

/**
 * `KOS_JIT` is `0`, `false` or `off`: the rule of compiler/jit-switch.ts, read here without loading
 * it (test/compiler/dormant.test.ts checks that the two agree).
 */
function jitSwitchedOff(v: string | undefined): boolean {
  return v !== undefined && /^(0|false|off)$/i.test(v.trim());
}
/** Functions `jit()` returned as they are under KOS_JIT=0 before anything more of kos loaded: `inspect` has the dormant tier record why when it first asks. */
const disabledEarly = new WeakSet<Function>();

/** How a dormant function wakes: the core loads, and the function tiers as `jit(fn)` with no options. */
const dormantHost: DormantTier.DormantHost = {
  coreLoaded,
  wake(original, pre) {
    const entry = tieringModule().createTieredFunction(original, {}, pre, compilerModule);
    dispatcherModule().trace(`wake ${original.name || "(anonymous)"}: the process has used enough CPU to load kos's core`);
    return { entry, inspect: () => dispatcherModule().inspectRegistered(entry) };
  },
};

/** A bound function prints as native code, is named "bound …" and has no own prototype. */
const { isProxy } = process.getBuiltinModule("node:util").types;
function looksBound(f: Function): boolean {
  // Not a proxy's: reading its properties runs its traps (settleAtJitTime leaves it as it is).
  if (isProxy(f)) return false;
  // The own `prototype` first: a plain function has one, and the check allocates nothing.
  if (Object.prototype.hasOwnProperty.call(f, "prototype")) return false;
  const name = Object.getOwnPropertyDescriptor(f, "name")?.value;
  return typeof name === "string" && name.startsWith("bound ");
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
export function jit<F extends Function>(f: F, options: KosJitOptions = {}): F {
  if (typeof f !== "function") throw new JitError("NOT_A_FUNCTION", `jit() expects a function, got ${f === null ? "null" : typeof f}`);
  if (options === null || typeof options !== "object") throw new JitError("BAD_OPTIONS", `jit() options must be an object, got ${options === null ? "null" : typeof options}`);
  // Under KOS_JIT=0 the plain `jit(fn)` is the function itself, and loads nothing (not even the
  // dormant tier's script: 4.7-5.1 ms of CPU at the first jit(), /tmp/probe/offjit.mjs).
  // KOS_JIT read once here, for the dormant tier too (each read of process.env costs 0.2-0.3 µs).
  const jitVar = coreLoaded() ? undefined : process.env.KOS_JIT;
  if (!coreLoaded() && jitSwitchedOff(jitVar) && Object.keys(options).length === 0 && !isProxy(f)) {
    disabledEarly.add(f);
    return f;
  }
  // The plain `jit(fn)` waits behind a counting entry until loading the core pays (compiler/dormant.ts).
  const sleeping = coreLoaded() ? null : dormantModule().sleepingJit(f, options, dormantHost, jitVar);
  if (sleeping) return sleeping as F;
  dispatcherModule().checkJitOptions(options);
  const budget = options.tiering?.compileBudget;
  if (budget !== undefined && !(typeof budget === "number" && budget > 0 && budget <= 1)) throw new JitError("BAD_OPTIONS", `tiering.compileBudget must be a share of the process's CPU time in (0, 1], got ${String(budget)}`);
  // A function jit() returned: the original it stands for, with these options, as a function of its
  // own. Compiled as it was given, its generated code fell back naming kos's internals, and the
  // first function lost its version (sweep19). With no options, that function itself.
  const original = dispatcherModule().originalOfEntry(f);
  if (original) return Object.keys(options).length === 0 ? f : jit(original as F, options);
  // A bound function: compile its target, then bind the result the same way (compiler/bound.ts).
  if (looksBound(f) && !dispatcherModule().isJitDisabled()) {
    const parts = compilerModule().unbind(f);
    if (parts) {
      const inner = jit(parts.target, compilerModule().boundOptions(parts, options));
      // A target kos settled on as it is (native, async, …): the bound function itself, at no cost per call.
      const bound = inner === parts.target ? f : (Reflect.apply(Function.prototype.bind, inner, [parts.thisArg, ...parts.args]) as F);
      // What the bound function carries of its own (`b.option = …`) and its prototype, read through it.
      if (bound !== f) dispatcherModule().inheritOwnProperties(bound, f);
      if (compilerModule().inspect(inner)) dispatcherModule().registerInspectable(bound, () => compilerModule().inspect(inner)!);
      return bound;
    }
  }
  // Disabled, or never compilable: settled without loading the compiler (compiler/dispatcher.ts).
  const checked = dispatcherModule().settleAtJitTime(f, options);
  if ("settled" in checked) return checked.settled;
  // Explicit values compile at once; `tiering` (or no options at all) selects the profiling tiers.
  if ((options.specialize || options.assume || options.scope) && !options.tiering) return compilerModule().specializeFunction(f, options);
  return tieringModule().createTieredFunction(f, options, checked, compilerModule);
}

// Runtime: object pool, slab memory, batching.
export const ObjectPool: typeof Pool.ObjectPool = lazyClass("ObjectPool", () => poolModule().ObjectPool);
export type ObjectPool<T extends object> = Pool.ObjectPool<T>;
export type { ObjectPoolOptions, ObjectPoolStats } from "./runtime/pool.js";
export const MemoryPool: typeof Slab.MemoryPool = lazyClass("MemoryPool", () => slabModule().MemoryPool);
export type MemoryPool = Slab.MemoryPool;
export type { MemoryPoolOptions, MemoryPoolStats } from "./runtime/slab.js";
export const BatchProcessor: typeof Batch.BatchProcessor = lazyClass("BatchProcessor", () => batchModule().BatchProcessor);
export type BatchProcessor<I, O> = Batch.BatchProcessor<I, O>;
export type { BatchProcessorOptions, BatchProcessorStats, FlushReason, ProcessBatch } from "./runtime/batch.js";

// Profiler: CPU profiles, hot functions, kos-profile.json.
export const loadProfile = fn(profileFileModule, "loadProfile");
export const findProfiledFunction = fn(profileFileModule, "findProfiledFunction");
export const sourceHash = fn(profileFileModule, "sourceHash");
export const sourceKey = fn(profileFileModule, "sourceKey");
export const readProfile = fn(profileFileModule, "readProfile");
export const writeProfile = fn(profileFileModule, "writeProfile");
export const validateProfile = fn(profileFileModule, "validateProfile");
export type { KosProfile, HotEntry, LoadedProfile } from "./profiler/profile-file.js";
export const encodeValue = fn(profileFormatModule, "encodeValue");
export const decodeValue = fn(profileFormatModule, "decodeValue");
export type { EncodedValue, ArgumentFeedback, FunctionFeedback, FeedbackDump } from "./profiler/profile-format.js";
export const SamplingProfiler: typeof Sampling.SamplingProfiler = lazyClass("SamplingProfiler", () => samplingModule().SamplingProfiler);
export type SamplingProfiler = Sampling.SamplingProfiler;
export const startSampling = fn(samplingModule, "startSampling");
export const profileCall = fn(samplingModule, "profileCall");
export const saveCpuProfile = fn(samplingModule, "saveCpuProfile");
export type { SamplingOptions } from "./profiler/sampling.js";
export const readCpuProfile = fn(cpuProfileModule, "readCpuProfile");
export const readCpuProfileDir = fn(cpuProfileModule, "readCpuProfileDir");
export const parseCpuProfile = fn(cpuProfileModule, "parseCpuProfile");
export const validateCpuProfile = fn(cpuProfileModule, "validateCpuProfile");
export const mergeThreadProfiles = fn(cpuProfileModule, "mergeThreadProfiles");
export type { CpuProfile, CpuProfileNode, CallFrame, CpuProfileFile } from "./profiler/cpuprofile.js";
/** Hot functions of one `.cpuprofile`. */
export const analyzeCpuProfile = fn(hotModule, "analyzeCpuProfile");
/** Hot functions of several `.cpuprofile`s (one per thread), ranked together. */
export const analyzeCpuProfiles = fn(hotModule, "analyzeCpuProfiles");
/** Hot functions of a 0x / V8 tick log (`isolate-*-v8.log.json`). */
export const analyzeV8Log = fn(hotModule, "analyzeV8Log");
/** Hot functions of sampled stacks. */
export const analyzeStacks = fn(hotModule, "analyzeStacks");
export type { HotReport, HotFunction, HotStack, Frame, StackSample } from "./profiler/hot.js";
/** `kos profile` as a library call: profiles a command and writes `kos-profile.json` and a flamegraph. */
export const profileCommand = fn(profileRunModule, "profileCommand");
export type { ProfileCommandOptions, ProfileCommandResult } from "./profiler/profile-run.js";

// Profiler: performance monitor and heap profiling.
/** Creates a performance monitor (CPU, memory, I/O, GC, event loop; summaries, trends, leak verdict, Prometheus). */
export const createMonitor = fn(monitorModule, "createMonitor");
export const defaultEventLoopResolutionMs = fn(monitorModule, "defaultEventLoopResolutionMs");
export const detectLeak = fn(monitorModule, "detectLeak");
export const DEFAULT_LEAK_RULE: typeof MonitorModule.DEFAULT_LEAK_RULE = lazyObject(() => monitorModule().DEFAULT_LEAK_RULE);
export type { Monitor, MonitorOptions, MonitorMetrics, MonitorSummary, SeriesSummary, Trend, TrendDirection, LeakRule, LeakVerdict, CpuMetrics, ProcessCpuMetrics, MemoryMetrics, IoMetrics, GcMetrics, GcKind, GcKindStats, EventLoopMetrics } from "./profiler/monitor/index.js";
export const startHeapProfile = fn(heapModule, "startHeapProfile");
export const profileHeap = fn(heapModule, "profileHeap");
export const allocationSites = fn(heapModule, "allocationSites");
export type { HeapProfileOptions, HeapProfileHandle, HeapProfileReport, AllocationSite, SamplingHeapProfile, SamplingHeapProfileNode } from "./profiler/heap-profile.js";

// Runtime: system layer (native addon): affinity, NUMA, aligned buffers, direct I/O, pinned workers.
export const getAffinity = fn(affinityModule, "getAffinity");
export const setAffinity = fn(affinityModule, "setAffinity");
export const getThreadAffinity = fn(affinityModule, "getThreadAffinity");
export const setThreadAffinity = fn(affinityModule, "setThreadAffinity");
export const setProcessAffinity = fn(affinityModule, "setProcessAffinity");
export const processThreadIds = fn(affinityModule, "processThreadIds");
export const currentCpu = fn(affinityModule, "currentCpu");
export const currentThreadId = fn(affinityModule, "currentThreadId");
export const onlineCpus = fn(affinityModule, "onlineCpus");
export const parseCpuList = fn(affinityModule, "parseCpuList");
export const formatCpuList = fn(affinityModule, "formatCpuList");
export const isAffinitySupported = fn(affinityModule, "isAffinitySupported");
export const numaTopology = fn(numaModule, "numaTopology");
export const bindToNumaNode = fn(numaModule, "bindToNumaNode");
export type { NumaNode, NumaTopology } from "./runtime/numa.js";
export const allocAligned = fn(alignedModule, "allocAligned");
export const addressOf = fn(alignedModule, "addressOf");
export const isAligned = fn(alignedModule, "isAligned");
export const pageSize = fn(alignedModule, "pageSize");
export const isAlignedAllocSupported = fn(alignedModule, "isAlignedAllocSupported");
export const DirectFile: typeof DirectIo.DirectFile = lazyClass("DirectFile", () => directIoModule().DirectFile);
export type DirectFile = DirectIo.DirectFile;
export const advise = fn(directIoModule, "advise");
export const readahead = fn(directIoModule, "readahead");
export const directIoAlignment = fn(directIoModule, "directIoAlignment");
export const isDirectIoSupported = fn(directIoModule, "isDirectIoSupported");
export type { Advice, DirectFileOptions, DirectIoAlignment } from "./runtime/directio.js";
export const readSequential = fn(readerModule, "readSequential");
export const drainSequential = fn(readerModule, "drainSequential");
export type { SequentialReadOptions, SequentialChunk } from "./runtime/sequential-reader.js";
export const PinnedWorkerPool: typeof WorkerPool.PinnedWorkerPool = lazyClass("PinnedWorkerPool", () => workerPoolModule().PinnedWorkerPool);
export type PinnedWorkerPool<T = unknown, R = unknown> = WorkerPool.PinnedWorkerPool<T, R>;
export type { PinPolicy, PinnedPoolOptions, PinnedRunOptions, PoolStats, WorkerStats, LatencySummary } from "./runtime/worker-pool.js";
export const addonStatus = fn(bindingModule, "addonStatus");
export type { AddonStatus } from "./runtime/native/binding.js";
export const SystemError: typeof SystemErrors.SystemError = lazyClass("SystemError", () => systemErrorModule().SystemError);
export type SystemError = SystemErrors.SystemError;
export type { SystemErrorCode } from "./runtime/native/system-error.js";

// Runtime: lock-free queues on SharedArrayBuffer.
export const SpscRecordQueue: typeof Queues.SpscRecordQueue = lazyClass("SpscRecordQueue", () => queueModule().SpscRecordQueue);
export type SpscRecordQueue = Queues.SpscRecordQueue;
export const SpscByteQueue: typeof Queues.SpscByteQueue = lazyClass("SpscByteQueue", () => queueModule().SpscByteQueue);
export type SpscByteQueue = Queues.SpscByteQueue;
export const MpmcRecordQueue: typeof Queues.MpmcRecordQueue = lazyClass("MpmcRecordQueue", () => queueModule().MpmcRecordQueue);
export type MpmcRecordQueue = Queues.MpmcRecordQueue;
export const MpmcByteQueue: typeof Queues.MpmcByteQueue = lazyClass("MpmcByteQueue", () => queueModule().MpmcByteQueue);
export type MpmcByteQueue = Queues.MpmcByteQueue;
export const QueueError: typeof Queues.QueueError = lazyClass("QueueError", () => queueModule().QueueError);
export type QueueError = Queues.QueueError;
export const attachQueue = fn(queueModule, "attachQueue");
export type { AnyQueue, ByteRingOptions, LaneType, MpmcByteDescriptor, MpmcRecordDescriptor, QueueDescriptor, QueueErrorCode, QueueKind, QueueStall, PopAsyncOptions, MpmcQueueStats, RecordOut, RecordQueueOptions, SlotQueueOptions, SpscByteDescriptor, SpscRecordDescriptor } from "./runtime/queue/index.js";

// Compile cache (runtime jit's `cache: true`). `kos build` itself is the "kos/build" entry, so
// that `import "kos"` does not load ts-morph.
export const computeCacheKey = fn(cacheModule, "computeCacheKey");
export const readCacheEntry = fn(cacheModule, "readCacheEntry");
export const writeCacheEntry = fn(cacheModule, "writeCacheEntry");
export const configureCompileCache = fn(cacheModule, "configureCompileCache");
export const CompileCache: typeof Cache.CompileCache = lazyClass("CompileCache", () => cacheModule().CompileCache);
export type CompileCache = Cache.CompileCache;
export const compileCached = fn(cacheModule, "compileCached");
export const structuralHash = fn(cacheModule, "structuralHash");
export type { CacheEntry, CacheKeyInput, CompileCacheOptions, CachedCompile } from "./compiler/cache.js";

// Runtime: LRU cache and memoize.
export const LruCache: typeof Lru.LruCache = lazyClass("LruCache", () => lruModule().LruCache);
export type LruCache<K, V> = Lru.LruCache<K, V>;
export type { LruCacheOptions, LruCacheStats, EvictionReason } from "./runtime/lru.js";
export const memoize = fn(memoizeModule, "memoize");
export const methodCache = fn(memoizeModule, "methodCache");
export type { MemoizeOptions, MemoizeStats, Memoized } from "./runtime/memoize.js";
