/**
 * Hot-function analysis: self and total samples per function and the
 * hottest stacks, from a `.cpuprofile` (in-process sampling or
 * `node --cpu-prof`) or from 0x's `isolate-*-v8.log.json` (see v8-log.ts).
 *
 * Self time goes to the leaf frame of each sample; total time counts a
 * function once per sample however often it recurses. `(idle)` samples are
 * left out of the denominator, so percentages are shares of busy time.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CpuProfile, CpuProfileNode } from "./cpuprofile.js";
import { meanIntervalMs, selfSamplesByNode } from "./cpuprofile.js";
import { functionAt, scriptFunctions, type ScriptFunctions, type SourceFunction } from "./function-source.js";
import { kosOwnScripts } from "./kos-frames.js";

/** Source bytes acorn parses per millisecond in a cold process (measured above: 235 KB in 92 ms). */
const PARSE_BYTES_PER_MS = 2500;
import { type Frame, type StackSample, frameKey, frameLabel, isVmFrame } from "./stack.js";
import { stacksFromV8Log, type V8LogJson, type ZeroXInlinedMap } from "./v8-log.js";

export type { Frame, StackSample } from "./stack.js";
export type { V8LogJson, ZeroXInlinedMap } from "./v8-log.js";
export { stacksFromV8Log } from "./v8-log.js";

/** One function's share of the samples. */
export interface HotFunction {
  name: string;
  url: string;
  /** 0-based, as V8 reports (see function-source.ts for which position). */
  line: number;
  column: number;
  selfSamples: number;
  totalSamples: number;
  selfPercent: number;
  totalPercent: number;
  /** Part of `selfSamples` that was reconstructed from inlining data. */
  inlinedSamples: number;
  /** Part of `selfSamples` taken below a frame of kos's own code: work kos did for itself (a compile's parse). */
  underKosSamples: number;
}

/** One distinct call stack and how often it was sampled. */
export interface HotStack {
  /** Frame labels, root first. */
  frames: string[];
  samples: number;
  percent: number;
}

export interface HotReport {
  /** Busy samples (all samples minus `(idle)`). */
  totalSamples: number;
  idleSamples: number;
  /** Mean sampling interval, when the source says. */
  intervalMs?: number;
  /** Functions ranked by self samples, then total; VM pseudo-frames excluded. */
  functions: HotFunction[];
  /** The heaviest distinct stacks. */
  stacks: HotStack[];
}

export interface AnalyzeOptions {
  /** How many stacks to keep in `stacks` (default 10). */
  topStacks?: number;
}

/** Reads a script's source for positionTicks attribution; undefined when unavailable. */
export type SourceReader = (url: string) => string | undefined;

/** Default {@link SourceReader}: `file://` URLs and absolute paths from disk. */
export const readSourceFromDisk: SourceReader = (url) => {
  try {
    if (url.startsWith("file://")) return readFileSync(fileURLToPath(url), "utf8");
    if (url.startsWith("/")) return readFileSync(url, "utf8");
  } catch {
    /* deleted or unreadable: no attribution */
  }
  return undefined;
};

const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 100 : 0);

/** What analyzeStacks works out once per frame object: a profile's stacks share their frames (stacksFromCpuProfile). */
interface FrameFacts {
  /** The function's tally; null for a VM pseudo-frame. */
  fn: FunctionTally | null;
  own: boolean;
  label: string;
  /** The label's number: equal labels, equal numbers. */
  labelId: number;
}

interface FunctionTally {
  hot: HotFunction;
  /** The last stack whose total this function counted (a function counts once a stack, however often it recurses). */
  countedIn: number;
}

/** A stack of labels, as a path in a tree of label numbers: a stack's key without joining its labels. */
interface StackNode {
  next: Map<number, StackNode> | undefined;
  stack: { frames: string[]; samples: number } | undefined;
}

/**
 * Self/total per function and the hottest stacks, from weighted stacks.
 *
 * Each frame object's key and label are made once, and a stack is found by its path of label
 * numbers, not by its labels joined: every frame's key and label, and each stack's joined key, were
 * built again for every stack (a profile's stacks ~40 deep share most frames), on `kos profile`'s
 * wall time after its command exits. The analysis and artifacts after the exit took 23.4 ms of
 * CPU against 25.3 for bench/programs/logs.ts (380 nodes), 29.8 against 36.0 for documents.ts
 * (543), medians of 7 under the bench lock.
 */
export function analyzeStacks(stacks: StackSample[], options: AnalyzeOptions = {}): HotReport {
  const fns = new Map<string, FunctionTally>();
  const facts = new Map<Frame, FrameFacts>();
  const labelIds = new Map<string, number>();
  const root: StackNode = { next: undefined, stack: undefined };
  const distinct: Array<{ frames: string[]; samples: number }> = [];
  let total = 0;
  let idle = 0;
  const isOwn = kosOwnScripts();
  const factsOf = (f: Frame): FrameFacts => {
    let x = facts.get(f);
    if (x) return x;
    let fn: FunctionTally | null = null;
    if (!isVmFrame(f)) {
      const key = frameKey(f);
      fn = fns.get(key) ?? null;
      if (!fn) {
        fn = { hot: { name: f.name, url: f.url, line: f.line, column: f.column, selfSamples: 0, totalSamples: 0, selfPercent: 0, totalPercent: 0, inlinedSamples: 0, underKosSamples: 0 }, countedIn: -1 };
        fns.set(key, fn);
      }
    }
    const label = frameLabel(f);
    let labelId = labelIds.get(label);
    if (labelId === undefined) labelIds.set(label, (labelId = labelIds.size));
    x = { fn, own: fn !== null && isOwn(f.url), label, labelId };
    facts.set(f, x);
    return x;
  };
  let stackNumber = 0;
  for (const { frames, weight } of stacks) {
    if (weight <= 0 || frames.length === 0) continue;
    const leaf = frames[frames.length - 1]!;
    if (leaf.name === "(idle)" && leaf.url === "") {
      idle += weight;
      continue;
    }
    total += weight;
    stackNumber++;
    let underKos = false;
    let node = root;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const x = factsOf(f);
      let child = node.next?.get(x.labelId);
      if (!child) {
        child = { next: undefined, stack: undefined };
        (node.next ??= new Map()).set(x.labelId, child);
      }
      node = child;
      const fn = x.fn;
      if (fn === null) continue;
      const h = fn.hot;
      if (i === frames.length - 1) {
        h.selfSamples += weight;
        if (f.inlined) h.inlinedSamples += weight;
        if (underKos) h.underKosSamples += weight;
      }
      if (!underKos && x.own) underKos = true;
      if (fn.countedIn !== stackNumber) {
        fn.countedIn = stackNumber;
        h.totalSamples += weight;
      }
    }
    if (node.stack) node.stack.samples += weight;
    else distinct.push((node.stack = { frames: frames.map((f) => factsOf(f).label), samples: weight }));
  }
  const functions = [...fns.values()].map((t) => t.hot);
  for (const h of functions) {
    h.selfPercent = pct(h.selfSamples, total);
    h.totalPercent = pct(h.totalSamples, total);
  }
  // Ties by code-point order of the name: localeCompare builds an ICU collator on its first call,
  // 5 ms of a 25 ms cold analysis of the DSP program's profile.
  functions.sort((a, b) => b.selfSamples - a.selfSamples || b.totalSamples - a.totalSamples || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const top = distinct.sort((a, b) => b.samples - a.samples).slice(0, options.topStacks ?? 10);
  return {
    totalSamples: total,
    idleSamples: idle,
    functions,
    stacks: top.map((s) => ({ frames: s.frames, samples: s.samples, percent: pct(s.samples, total) })),
  };
}

function toFrame(node: CpuProfileNode): Frame {
  const c = node.callFrame;
  return { name: c.functionName, url: c.url, line: c.lineNumber, column: c.columnNumber };
}

/**
 * Which function the ticks on `line1` belong to, when not the sampled
 * function `self`: the innermost function whose text covers all of the
 * line's code. A line with code of two functions (one-liners side by side,
 * or `self`'s own code next to a nested function) stays with `self`.
 */
function inlinedOwner(script: ScriptFunctions, self: SourceFunction, line1: number): SourceFunction | undefined {
  const from = script.starts[line1 - 1];
  if (from === undefined) return undefined;
  const to = script.starts[line1] ?? script.source.length;
  const text = script.source.slice(from, to);
  const first = text.search(/\S/);
  if (first < 0) return undefined;
  const a = from + first;
  const b = from + text.trimEnd().length - 1;
  let owner: SourceFunction | undefined;
  for (const f of script.functions) {
    if (f.textStart <= a && b < f.textEnd && (!owner || f.textStart > owner.textStart || (f.textStart === owner.textStart && f.textEnd < owner.textEnd))) owner = f;
  }
  return owner && owner !== self ? owner : undefined;
}

function frameFor(script: ScriptFunctions, url: string, f: SourceFunction): Frame {
  let line = 0;
  while (line + 1 < script.starts.length && script.starts[line + 1]! <= f.position) line++;
  return { name: f.name, url, line, column: f.position - script.starts[line]!, inlined: true };
}

export interface CpuProfileStackOptions {
  /**
   * Source reader used to attribute positionTicks that fall inside another
   * function (one V8 inlined into the sampled one) to that function. Pass
   * `false` to switch attribution off. Default: {@link readSourceFromDisk}.
   */
  sourceOf?: SourceReader | false;
}

/**
 * Turns a `.cpuprofile` into weighted stacks. A node's self samples become
 * one stack; when its `positionTicks` name lines inside a different function
 * (the sampled code had that function inlined), those ticks become a child
 * frame for the function that owns the line.
 */
export function stacksFromCpuProfile(profile: CpuProfile, options: CpuProfileStackOptions = {}): StackSample[] {
  const sourceOf = options.sourceOf === false ? undefined : (options.sourceOf ?? readSourceFromDisk);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = selfSamplesByNode(profile);
  const isOwn = kosOwnScripts();
  const scripts = new Map<string, ScriptFunctions | undefined>();
  const interval = meanIntervalMs(profile) ?? 1;
  const scriptOf = (url: string) => {
    if (!sourceOf || !url) return undefined;
    if (!scripts.has(url)) {
      const src = sourceOf(url);
      // A parse costs about 1 ms per 2.5 KB in a cold process (acorn's own 235 KB: 92 ms): a script is
      // parsed only when its samples stand for more time than that. Attribution within a dependency
      // the program barely ran (the compiler's acorn, during a compile) is not worth its parse.
      const worth = src !== undefined && (samplesByUrl.get(url) ?? 0) * interval * PARSE_BYTES_PER_MS >= src.length;
      scripts.set(url, worth ? scriptFunctions(src) : undefined);
    }
    return scripts.get(url);
  };

  // Attribution parses each script with acorn (about 2 ms per 100 KB once acorn is warm, 40 ms in
  // a cold process, see PARSE_BYTES_PER_MS): only scripts holding at least 2% of the samples are worth it (measured: parsing every sampled script, kos's own
  // and the dependencies', was 300 ms of a 1.2 s `kos profile` run).
  // Samples taken below a frame of kos's own code (a compile during the run: acorn, astring) do not
  // make their scripts worth parsing: attributing within the compiler's parser is of no use to the
  // program, and acorn's own 235 KB took 90 ms to parse cold (bench/programs/rules.ts at 4x its work).
  const underKos = new Map<number, boolean>();
  const isUnderKos = (id: number): boolean => {
    // Up the tree to the first answer known, then down the path: no recursion, however deep the program.
    const path: number[] = [];
    let answer = false;
    for (let cur: number | undefined = id; ; ) {
      const known = underKos.get(cur);
      if (known !== undefined) {
        answer = known;
        break;
      }
      path.push(cur);
      const p: number | undefined = parent.get(cur);
      if (p === undefined) break;
      if (isOwn(byId.get(p)!.callFrame.url)) {
        answer = true;
        break;
      }
      cur = p;
    }
    for (const x of path) underKos.set(x, answer);
    return answer;
  };
  const samplesByUrl = new Map<string, number>();
  let allSamples = 0;
  for (const [id, count] of self) {
    const url = byId.get(id)!.callFrame.url;
    allSamples += count;
    if (url && !isUnderKos(id)) samplesByUrl.set(url, (samplesByUrl.get(url) ?? 0) + count);
  }
  const worthParsing = (url: string) => !url.startsWith("node:") && !isOwn(url) && (samplesByUrl.get(url) ?? 0) * 50 >= allSamples;
  const out: StackSample[] = [];
  // One frame object per node, shared by the stacks through it (analyzeStacks works out each once).
  const frames = new Map<number, Frame>();
  for (const [id, count] of self) {
    const path: Frame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (n.callFrame.functionName === "(root)" && n.callFrame.url === "") break;
      let frame = frames.get(cur);
      if (!frame) frames.set(cur, (frame = toFrame(n)));
      path.push(frame);
    }
    path.reverse();
    const node = byId.get(id)!;
    let remaining = count;
    const script = node.positionTicks?.length && worthParsing(node.callFrame.url) ? scriptOf(node.callFrame.url) : undefined;
    const { lineNumber, columnNumber } = node.callFrame;
    const me = script && (functionAt(script, lineNumber, columnNumber) ?? (lineNumber === 0 && columnNumber === 0 ? script.program : undefined));
    if (script && me) {
      const moved = new Map<SourceFunction, number>();
      for (const { line, ticks } of node.positionTicks!) {
        const owner = inlinedOwner(script, me, line);
        if (owner) moved.set(owner, (moved.get(owner) ?? 0) + ticks);
      }
      for (const [owner, ticks] of moved) {
        const w = Math.min(ticks, remaining);
        if (w <= 0) continue;
        remaining -= w;
        out.push({ frames: [...path, frameFor(script, node.callFrame.url, owner)], weight: w });
      }
    }
    if (remaining > 0) out.push({ frames: path, weight: remaining });
  }
  return out;
}

/** Hot functions of a `.cpuprofile`. */
export function analyzeCpuProfile(profile: CpuProfile, options: AnalyzeOptions & CpuProfileStackOptions = {}): HotReport {
  const report = analyzeStacks(stacksFromCpuProfile(profile, options), options);
  const interval = meanIntervalMs(profile);
  return interval === undefined ? report : { ...report, intervalMs: interval };
}

/** Hot functions of several profiles (e.g. every thread of a `--cpu-prof` run), pooled. */
export function analyzeCpuProfiles(profiles: CpuProfile[], options: AnalyzeOptions & CpuProfileStackOptions = {}): HotReport {
  const stacks = profiles.flatMap((p) => stacksFromCpuProfile(p, options));
  const report = analyzeStacks(stacks, options);
  const intervals = profiles.map(meanIntervalMs).filter((x): x is number => x !== undefined);
  return intervals.length ? { ...report, intervalMs: intervals.reduce((a, b) => a + b, 0) / intervals.length } : report;
}

/**
 * Hot functions of a 0x run: its `isolate-*-v8.log.json` and, optionally, the
 * `inlined` map from its `meta.json`.
 */
export function analyzeV8Log(log: V8LogJson, inlined?: ZeroXInlinedMap, options: AnalyzeOptions = {}): HotReport {
  return analyzeStacks(stacksFromV8Log(log, inlined ? { inlined } : {}), options);
}
