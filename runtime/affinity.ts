/**
 * CPU affinity for threads and processes (Linux). `setAffinity` pins the
 * calling thread only, so inside a worker_threads worker it pins that worker
 * and nothing else; `setProcessAffinity` pins every thread of the process.
 * Needs kos's native addon; without it the setters throw `ENOTSUP_ADDON` and
 * the getters fall back to reading /proc.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { nativeBinding, requireNative } from "./native/binding.js";
import { SystemError, errnoOf, systemError } from "./native/system-error.js";

/** True when pinning is available (the addon is loaded on Linux). */
export function isAffinitySupported(): boolean {
  return nativeBinding() !== null;
}

/**
 * The most CPU ids a list may name: Linux's NR_CPUS is at most 8192. A range past it is a mistake
 * (`0-4000000000` had the parser loop over four billion ids).
 */
const MAX_CPU_ID = 8191;

/**
 * Parses a kernel CPU list such as `0-3,8,10-11` into sorted CPU ids; an empty text is an empty
 * list. Anything else is `EINVAL_CPU`: `"a-b"`, `"3-1"` and `"0,x"` parsed as an empty or partial
 * list, in silence, and a program then pinned to fewer CPUs than it named.
 */
export function parseCpuList(text: string): number[] {
  if (typeof text !== "string") throw new SystemError("EINVAL_CPU", `a CPU list must be a string such as "0-3,8", got ${typeof text}`);
  const cpus = new Set<number>();
  for (const part of text.trim().split(",")) {
    if (part === "" && text.trim() === "") continue;
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const end = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || end < lo || end > MAX_CPU_ID) throw new SystemError("EINVAL_CPU", `bad CPU list ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a CPU id or a range lo-hi of ids 0-${MAX_CPU_ID}`);
    for (let cpu = lo; cpu <= end; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Formats CPU ids as the kernel does (`0-3,8`). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** CPUs the kernel has online (`/sys/devices/system/cpu/online`). */
export function onlineCpus(): number[] {
  try {
    return parseCpuList(readFileSync("/sys/devices/system/cpu/online", "utf8"));
  } catch {
    const { availableParallelism } = process as unknown as { availableParallelism?: () => number };
    const n = availableParallelism?.() ?? 1;
    return Array.from({ length: n }, (_, i) => i);
  }
}

/** The `Cpus_allowed_list` line of a /proc status file. */
function cpusAllowedFrom(statusPath: string): number[] {
  const text = readFileSync(statusPath, "utf8");
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(text);
  if (!line) throw new SystemError("EIO_SYSTEM", `${statusPath} has no Cpus_allowed_list line`);
  return parseCpuList(line[1]!);
}

/** Checks a CPU set before it reaches the kernel, so errors name the bad CPU. */
function validateCpus(cpus: Iterable<number>): number[] {
  // `setAffinity(5)` (one id, not a list) was a plain TypeError, "not iterable" (sweep37).
  if (cpus === null || typeof cpus !== "object" || typeof (cpus as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new SystemError("EINVAL_CPU", `expected an iterable of CPU ids (e.g. [${typeof cpus === "number" ? cpus : 0}]), got ${cpus === null ? "null" : typeof cpus}`);
  }
  const list = [...new Set(cpus)].sort((a, b) => a - b);
  if (list.length === 0) throw new SystemError("EEMPTY_CPUSET", "the CPU set is empty: give at least one CPU id");
  const online = new Set(onlineCpus());
  for (const cpu of list) {
    if (!Number.isInteger(cpu) || cpu < 0) throw new SystemError("EINVAL_CPU", `CPU id ${cpu} is not a non-negative integer`);
    if (!online.has(cpu)) {
      throw new SystemError("EINVAL_CPU", `CPU ${cpu} is not online (online CPUs: ${formatCpuList([...online])})`);
    }
  }
  return list;
}

function setThread(tid: number, cpus: number[], what: string): void {
  const binding = requireNative(what);
  try {
    binding.setAffinity(tid, cpus);
  } catch (e) {
    // EINVAL here means no CPU of the set is allowed (e.g. outside this cgroup's cpuset).
    if (errnoOf(e) === "EINVAL") {
      throw systemError(e, `${what}: the kernel refused CPUs ${formatCpuList(cpus)} (none allowed for this thread)`, "EINVAL_CPU");
    }
    throw systemError(e, `${what} failed for thread ${tid}`);
  }
}

/** CPUs the calling thread may run on. */
export function getAffinity(): number[] {
  const binding = nativeBinding();
  if (binding === null) return cpusAllowedFrom("/proc/thread-self/status");
  return binding.getAffinity(0);
}

/**
 * Pins the calling thread to `cpus`. Inside a worker thread this pins only
 * that worker. Throws `EEMPTY_CPUSET`, `EINVAL_CPU` or `ENOTSUP_ADDON`.
 */
export function setAffinity(cpus: Iterable<number>): void {
  setThread(0, validateCpus(cpus), "setAffinity");
}

/**
 * Checks that `tid` names a thread of this process before it reaches the
 * kernel or a /proc path. sched_setaffinity takes any thread id on the
 * machine, so an unchecked id re-pinned other processes (sweep37 #1: PID 1
 * and a child `sleep`), a fractional id was truncated to one, and a string
 * such as "../../<pid>" read another process's status file. A thread of this
 * process is one listed in /proc/self/task. A thread that exits between this
 * check and the syscall, and whose id the kernel hands to another process at
 * once, is the one case left; ids are reused only after the pid space wraps.
 */
function checkOwnThread(tid: unknown, what: string): number {
  if (typeof tid !== "number" || !Number.isSafeInteger(tid) || tid <= 0) {
    throw new SystemError("EINVAL_THREAD", `${what}: thread id must be a positive integer (a kernel thread id, see currentThreadId), got ${typeof tid === "number" ? tid : JSON.stringify(tid) ?? String(tid)}`);
  }
  if (!existsSync(`/proc/self/task/${tid}`)) {
    throw new SystemError("ENO_THREAD", `${what}: ${tid} is not a thread of this process (not in /proc/self/task)`, { errno: "ESRCH" });
  }
  return tid;
}

/**
 * CPUs thread `tid` (a kernel thread id of this process, see `currentThreadId`)
 * may run on. Throws `EINVAL_THREAD` for an id that is not a positive integer,
 * `ENO_THREAD` for one that is not a thread of this process.
 */
export function getThreadAffinity(tid: number): number[] {
  checkOwnThread(tid, "getThreadAffinity");
  try {
    return cpusAllowedFrom(`/proc/self/task/${tid}/status`);
  } catch (e) {
    if (e instanceof SystemError) throw e;
    // The thread exited after the check.
    if (errnoOf(e) === "ENOENT") throw new SystemError("ENO_THREAD", `getThreadAffinity: thread ${tid} has exited`, { cause: e, errno: "ESRCH" });
    throw systemError(e, `getThreadAffinity: reading /proc/self/task/${tid}/status`);
  }
}

/**
 * Pins one thread of this process, by kernel thread id. Throws
 * `EINVAL_THREAD` for an id that is not a positive integer, `ENO_THREAD` for
 * one that is not a thread of this process (other processes are never
 * touched), and `EEMPTY_CPUSET`, `EINVAL_CPU` or `ENOTSUP_ADDON` as `setAffinity`.
 */
export function setThreadAffinity(tid: number, cpus: Iterable<number>): void {
  const list = validateCpus(cpus);
  checkOwnThread(tid, "setThreadAffinity");
  try {
    setThread(tid, list, "setThreadAffinity");
  } catch (e) {
    if ((e as SystemError).errno === "ESRCH") throw new SystemError("ENO_THREAD", `setThreadAffinity: thread ${tid} has exited`, { cause: e, errno: "ESRCH" });
    throw e;
  }
}

/** Kernel thread ids of every thread of this process (`/proc/self/task`). */
export function processThreadIds(): number[] {
  return readdirSync("/proc/self/task").map(Number).filter(Number.isInteger);
}

/**
 * Pins every thread of the process (main, workers, libuv pool, V8 helpers)
 * to `cpus`, and returns the thread ids it pinned. Threads started later
 * inherit the mask of the thread that starts them. A thread that exits while
 * this runs is skipped.
 */
export function setProcessAffinity(cpus: Iterable<number>): number[] {
  const list = validateCpus(cpus);
  const pinned: number[] = [];
  for (const tid of processThreadIds()) {
    try {
      setThread(tid, list, "setProcessAffinity");
      pinned.push(tid);
    } catch (e) {
      if ((e as SystemError).errno === "ESRCH") continue; // the thread exited meanwhile
      throw e;
    }
  }
  return pinned;
}

/** The CPU the calling thread is running on now (sched_getcpu). Needs the addon. */
export function currentCpu(): number {
  return requireNative("currentCpu").currentCpu();
}

/** The kernel thread id (gettid) of the calling thread. Needs the addon. */
export function currentThreadId(): number {
  return requireNative("currentThreadId").gettid();
}
