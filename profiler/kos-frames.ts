/**
 * kos's own frames in a profile. The entry that `jit()` returns
 * (`kos://entry.js`), the tier-0 hooks that profile arguments, and the links
 * of its guard chain are plumbing: they are
 * removed from `.cpuprofile` trees before analysis and drawing, so the
 * caller's frame sits directly above the function it called, and kos's
 * wrapper never ranks among the hot functions. Their few samples go to the
 * caller. Compiled versions (`kos://<name>.js`) stay: they are the user's
 * functions, under their own names.
 */
import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { CpuProfile, CpuProfileNode } from "./cpuprofile.js";

/** URL of the entry functions kos makes. */
export const KOS_ENTRY_URL = "kos://entry.js";

// kos's own install: this file is <root>/profiler/kos-frames.(ts|js), or <root>/cjs/profiler/… in the CommonJS build.
const here = fileURLToPath(import.meta.url);
const KOS_ROOT = dirname(dirname(here));
// The tier-0 path (entry, event hook, argument profiles, the clock) and the guard chain's links,
// the build's core and dormant-tier bundles included (`compiler/core.cached.cjs`, `tier0.cached.cjs`,
// scripts/bundle-compiler.mjs: the
// tiering's bundled file, missing here, left its `run` and `event` in the demo's table of hot
// functions). The compiler's own work (a compile during the run) is real cost and stays visible.
const PLUMBING_FILES = /^(cjs[\\/])?(profiler[\\/](tiering|tiering-options|tier0-sampling|call-times|compile-gate|no-constant-arguments|profile-guided|verify-gain|miss-policy|feedback-summary|feedback|feedback-record|speculation)|compiler[\\/](dispatcher|entry-factory|tiering-entry|dormant|precheck|call-clock|gain-check|core\.cached|tier0\.cached))\.(ts|js|cjs)$/;

/** The path of a script of kos's own install, relative to its root; null for any other URL. */
function kosRelativePath(url: string): string | null {
  if (!url) return null;
  let path = url;
  if (url.startsWith("file://")) {
    try {
      path = fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return path.startsWith(KOS_ROOT + sep) ? path.slice(KOS_ROOT.length + 1) : null;
}

export function isKosPlumbing(url: string, _name: string): boolean {
  if (url === KOS_ENTRY_URL) return true;
  const rel = kosRelativePath(url);
  return rel !== null && PLUMBING_FILES.test(rel);
}

/**
 * A script of kos's own install (its compiler, profiler, runtime). Their frames stay in
 * profiles, but the analysis does not parse them: no user jits kos's code, and the compiler
 * is one whitespace-minified 219 KB file whose first parse was 186 ms of a 650 ms
 * `kos profile` run (bench/programs/dsp.ts), for a hash and line attribution nobody uses.
 */
export function isKosOwnScript(url: string): boolean {
  const rel = kosRelativePath(url);
  // The library's directories and root files, in either build; not fixtures, tests or benches (the
  // demo's program and test programs live beside them and are users' code).
  return rel !== null && LIBRARY_FILES.test(rel);
}
const LIBRARY_FILES = /^(cjs[\\/])?((compiler|profiler|runtime|cli|aot)[\\/]|[^\\/]+\.(js|cjs|ts)$)/;

/**
 * {@link isKosOwnScript}, decided once per URL for one analysis: a profile has thousands of nodes
 * over a few dozen scripts, and turning each frame's URL into a path was 9 ms of a 50 ms analysis
 * (`kos profile` of bench/programs/rules.ts, CPU profile of the command).
 */
export function kosOwnScripts(): (url: string) => boolean {
  const known = new Map<string, boolean>();
  return (url) => {
    let own = known.get(url);
    if (own === undefined) known.set(url, (own = isKosOwnScript(url)));
    return own;
  };
}

/** The functions of the entry's script that are not the entry itself (its policy hooks and construct path). */
const ENTRY_HELPERS = new Set(["rare", "eventPath", "constructPath", ""]);

/**
 * A copy of `profile` without kos's plumbing frames: their children move up, and their samples go
 * to the parent, except an entry's own. V8 inlines the function an entry calls into the entry's
 * optimized code, and its CPU profile then counts that function's time as the entry's own (Node 20
 * makes no frames for inlined functions): in the demo's profile, crc32 (the control, which runs as
 * the original behind its entry) had 21 ms of samples under its own name and 327 ms in the entry,
 * and given to the caller, they made the demo program's loop 54.7% of the samples and crc32 0.2%
 * (with V8's inlining off, crc32 had 344 ms and the entry 73 ms). So the samples of an entry frame
 * go to the function it called that has the most samples of its own below that frame (the original,
 * or its version: the profile's table folds versions into their original). Samples of an entry
 * frame that never called out where the profile saw it (a function inlined from its first sampled
 * call) still go to the caller. Picking the callee nearest in sample order instead added 20 ms to a
 * cold analysis of the demo's 4,516-node profile (52-61 ms against 31-37), for a difference only
 * the flamegraph would show.
 */
export function dropKosPlumbing(profile: CpuProfile): CpuProfile {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Decided once per script: a profile has thousands of nodes over a few dozen URLs, and turning each
  // URL into a path was 8.7 ms of a `kos profile` analysis (bench/programs/rules.ts).
  const plumbing = new Map<string, boolean>();
  const isPlumbing = (url: string): boolean => {
    let p = plumbing.get(url);
    if (p === undefined) plumbing.set(url, (p = isKosPlumbing(url, "")));
    return p;
  };
  const dropped = new Map<number, CpuProfileNode>();
  const entries = new Set<number>(); // the dropped frames that are entries themselves
  for (const n of profile.nodes) {
    if (!isPlumbing(n.callFrame.url) || !parent.has(n.id)) continue;
    dropped.set(n.id, n);
    if (n.callFrame.url === KOS_ENTRY_URL && !ENTRY_HELPERS.has(n.callFrame.functionName)) entries.add(n.id);
  }
  if (dropped.size === 0) return profile;
  const keptAncestor = (id: number): number => {
    let cur = id;
    while (dropped.has(cur)) cur = parent.get(cur)!;
    return cur;
  };
  const nodes: CpuProfileNode[] = [];
  const copies = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) {
    if (dropped.has(n.id)) continue;
    const copy: CpuProfileNode = { ...n, children: [] };
    copies.set(n.id, copy);
    nodes.push(copy);
  }
  for (const n of profile.nodes) {
    const p = parent.get(n.id);
    if (p === undefined) continue;
    const target = copies.get(keptAncestor(p))!;
    if (dropped.has(n.id)) {
      if (n.hitCount) target.hitCount = (target.hitCount ?? 0) + n.hitCount;
    } else {
      target.children!.push(n.id);
    }
  }
  const out: CpuProfile = { ...profile, nodes };
  const samples = profile.samples;
  if (!samples) return out;
  // Where an entry frame has samples of its own, the function it called that has the most of its
  // own (first kept frames below it, through kos's policy frames): its samples go there.
  const calleeOf = new Map<number, number | null>();
  for (const id of samples) {
    if (!entries.has(id) || calleeOf.has(id)) continue;
    let best: number | null = null;
    let most = -1;
    const todo = [...(dropped.get(id)!.children ?? [])];
    while (todo.length) {
      const c = todo.pop()!;
      const d = dropped.get(c);
      if (d) {
        todo.push(...(d.children ?? []));
        continue;
      }
      const own = copies.get(c)?.hitCount ?? 0;
      if (own > most) {
        most = own;
        best = c;
      }
    }
    calleeOf.set(id, best);
  }
  out.samples = samples.map((id) => {
    const callee = calleeOf.get(id);
    if (callee === undefined || callee === null) return keptAncestor(id);
    // Hit counts follow the samples: this one counts for the callee, not for the caller.
    const caller = copies.get(keptAncestor(id))!;
    if (caller.hitCount) caller.hitCount -= 1;
    const to = copies.get(callee)!;
    to.hitCount = (to.hitCount ?? 0) + 1;
    return callee;
  });
  return out;
}
