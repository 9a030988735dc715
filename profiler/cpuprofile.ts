/**
 * Reading and validating V8 `.cpuprofile` files: the format written by
 * `node --cpu-prof` (one file per thread, workers included) and returned by
 * the inspector's `Profiler.stop`.
 */
import { readFileSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { KosError } from "../errors.js";

/** Where a profile node's function lives. Line and column are 0-based. */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** Self samples of a node by 1-based source line. */
export interface PositionTick {
  line: number;
  ticks: number;
}

export interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: PositionTick[];
}

/** The V8 CPU profile (Chrome DevTools protocol `Profiler.Profile`). Times in microseconds. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One profile read from disk, with the thread it came from when the file name says so. */
export interface CpuProfileFile {
  path: string;
  /** Node's file names read `CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile`; thread 0 is the main thread. */
  pid?: number;
  threadId?: number;
  profile: CpuProfile;
}

function invalid(why: string, where?: string): KosError {
  return new KosError("KOS_CPUPROFILE_INVALID", `not a V8 .cpuprofile${where ? ` (${where})` : ""}: ${why}`);
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Checks the shape of a parsed `.cpuprofile` and returns it typed. Node ids
 * must be unique, children and samples must name existing nodes.
 * @throws KosError `KOS_CPUPROFILE_INVALID`
 */
export function validateCpuProfile(value: unknown, where?: string): CpuProfile {
  if (!value || typeof value !== "object") throw invalid("expected an object", where);
  const p = value as Record<string, unknown>;
  if (!Array.isArray(p.nodes) || p.nodes.length === 0) throw invalid("`nodes` must be a non-empty array", where);
  if (typeof p.startTime !== "number" || typeof p.endTime !== "number") throw invalid("`startTime`/`endTime` must be numbers", where);
  const ids = new Set<number>();
  for (const n of p.nodes as unknown[]) {
    const node = n as Record<string, any>;
    if (!node || !isInt(node.id)) throw invalid("every node needs an integer `id`", where);
    if (ids.has(node.id)) throw invalid(`duplicate node id ${node.id}`, where);
    ids.add(node.id);
    const cf = node.callFrame;
    if (!cf || typeof cf.functionName !== "string" || typeof cf.url !== "string" || !isInt(cf.lineNumber) || !isInt(cf.columnNumber)) {
      throw invalid(`node ${node.id} has a malformed callFrame`, where);
    }
    if (node.hitCount !== undefined && !isInt(node.hitCount)) throw invalid(`node ${node.id}: hitCount must be an integer`, where);
    if (node.children !== undefined && !Array.isArray(node.children)) throw invalid(`node ${node.id}: children must be an array`, where);
    if (node.positionTicks !== undefined && !Array.isArray(node.positionTicks)) throw invalid(`node ${node.id}: positionTicks must be an array`, where);
  }
  for (const n of p.nodes as CpuProfileNode[]) {
    for (const c of n.children ?? []) if (!ids.has(c)) throw invalid(`node ${n.id} names a missing child ${c}`, where);
  }
  if (p.samples !== undefined) {
    if (!Array.isArray(p.samples)) throw invalid("`samples` must be an array", where);
    for (const s of p.samples) if (!ids.has(s as number)) throw invalid(`sample names a missing node ${s}`, where);
    if (p.timeDeltas !== undefined && (!Array.isArray(p.timeDeltas) || p.timeDeltas.length !== p.samples.length)) {
      throw invalid("`timeDeltas` must match `samples` in length", where);
    }
  }
  return value as CpuProfile;
}

/** Parses `.cpuprofile` text. @throws KosError `KOS_CPUPROFILE_INVALID` */
export function parseCpuProfile(text: string, where?: string): CpuProfile {
  // An object here read "not JSON: "[object Object]" is not valid JSON".
  if (typeof text !== "string") throw new KosError("KOS_CPUPROFILE_INVALID", `parseCpuProfile takes the text of a .cpuprofile, got ${text === null ? "null" : typeof text}${typeof text === "object" ? " (validateCpuProfile checks a parsed one)" : ""}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KosError("KOS_CPUPROFILE_INVALID", `not JSON${where ? ` (${where})` : ""}: ${(err as Error).message}`, { cause: err });
  }
  return validateCpuProfile(value, where);
}

const FILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/;

/** Reads one `.cpuprofile` file. @throws KosError `KOS_CPUPROFILE_INVALID`, or the fs error */
export async function readCpuProfile(path: string): Promise<CpuProfileFile> {
  return profileFile(path, parseCpuProfile(await readFile(path, "utf8"), path));
}

/** {@link readCpuProfile}, synchronously. @throws KosError `KOS_CPUPROFILE_INVALID`, or the fs error */
export function readCpuProfileSync(path: string): CpuProfileFile {
  return profileFile(path, parseCpuProfile(readFileSync(path, "utf8"), path));
}

function profileFile(path: string, profile: CpuProfile): CpuProfileFile {
  const m = FILE_NAME.exec(path.split(/[\\/]/).pop() ?? "");
  return m ? { path, pid: Number(m[1]), threadId: Number(m[2]), profile } : { path, profile };
}

/**
 * Reads every `.cpuprofile` in a directory (as written by
 * `node --cpu-prof --cpu-prof-dir=DIR`), main thread first, then by thread id.
 */
export async function readCpuProfileDir(dir: string): Promise<CpuProfileFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".cpuprofile"));
  const files = await Promise.all(names.map((n) => readCpuProfile(join(dir, n))));
  return files.sort((a, b) => (a.threadId ?? 0) - (b.threadId ?? 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Self sample count per node id. Uses `samples` when present (exact), else
 * each node's `hitCount`.
 */
export function selfSamplesByNode(profile: CpuProfile): Map<number, number> {
  const counts = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  } else {
    for (const n of profile.nodes) if (n.hitCount) counts.set(n.id, n.hitCount);
  }
  return counts;
}

/** Mean sampling interval in milliseconds, from the profile's own clock. */
export function meanIntervalMs(profile: CpuProfile): number | undefined {
  const n = profile.samples?.length ?? 0;
  if (n === 0) return undefined;
  return (profile.endTime - profile.startTime) / 1000 / n;
}

/**
 * Joins several threads' profiles into one tree, with one child of the root
 * per thread, so a single flamegraph shows every thread. Keeps nodes,
 * children and hitCounts (what flamegraph tools read), and every thread's
 * samples in time order, with their `timeDeltas`: speedscope reads a file
 * as a Chrome profile only with both, and the hitCounts left out samples a
 * thread's nodes had not counted (sweep35: 662 against pprof's 669).
 */
export function mergeThreadProfiles(files: { profile: CpuProfile; threadId?: number }[]): CpuProfile {
  const root: CpuProfileNode = { id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [] };
  const nodes: CpuProfileNode[] = [root];
  let offset = 1;
  let startTime = Infinity;
  let endTime = -Infinity;
  // Every sample with its time, while every thread's profile has them (else none are kept).
  let timed: Array<[number, number]> | null = [];
  files.forEach(({ profile, threadId }, i) => {
    const children = new Set(profile.nodes.flatMap((n) => n.children ?? []));
    const threadRoot = profile.nodes.find((n) => !children.has(n.id)) ?? profile.nodes[0]!;
    let maxId = 0;
    const thread = threadId ?? i;
    for (const n of profile.nodes) {
      maxId = Math.max(maxId, n.id);
      const callFrame = n === threadRoot ? { ...n.callFrame, functionName: thread === 0 ? "(main thread)" : `(worker thread ${thread})` } : n.callFrame;
      const copy: CpuProfileNode = { id: n.id + offset, callFrame, hitCount: n.hitCount ?? 0, children: (n.children ?? []).map((c) => c + offset) };
      if (n.positionTicks) copy.positionTicks = n.positionTicks;
      nodes.push(copy);
    }
    root.children!.push(threadRoot.id + offset);
    if (timed !== null && profile.samples && profile.timeDeltas && profile.timeDeltas.length === profile.samples.length) {
      let t = profile.startTime;
      for (let k = 0; k < profile.samples.length; k++) {
        t += profile.timeDeltas[k]!;
        timed.push([t, profile.samples[k]! + offset]);
      }
    } else timed = null;
    offset += maxId;
    startTime = Math.min(startTime, profile.startTime);
    endTime = Math.max(endTime, profile.endTime);
  });
  const merged: CpuProfile = { nodes, startTime: Number.isFinite(startTime) ? startTime : 0, endTime: Number.isFinite(endTime) ? endTime : 0 };
  if (timed !== null && timed.length > 0) {
    timed.sort((a, b) => a[0] - b[0]);
    const samples: number[] = [];
    const timeDeltas: number[] = [];
    let last = merged.startTime;
    for (const [t, id] of timed) {
      samples.push(id);
      timeDeltas.push(Math.max(0, t - last));
      last = t;
    }
    merged.samples = samples;
    merged.timeDeltas = timeDeltas;
    // The counts the samples give, so that every tool reads the same totals.
    const counts = new Map<number, number>();
    for (const id of samples) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const n of nodes) n.hitCount = counts.get(n.id) ?? 0;
  }
  return merged;
}
