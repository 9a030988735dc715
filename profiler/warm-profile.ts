/**
 * A small synthetic run (a script, its CPU profiles, its feedback dump) that `kos profile` analyzes
 * while the profiled command still runs, and throws away: the analysis and the artifacts' code then
 * has its bytecode and inline caches when the real profiles arrive.
 *
 * Why: everything `kos profile` does after the command exits is on its wall time, and all of it ran
 * once, cold. Of the 20-27 ms from the DSP program's exit to the `kos` process's (bench/programs/dsp.ts
 * at 15000, Node 20.20.2), the worker's pprof encoding took 12-15 ms of a 2.4 KB file (cold 7-8 ms
 * in a fresh process, warm 2-4 ms), and the analysis 9-20 ms; nothing here is written anywhere.
 */
import type { CpuProfile, CpuProfileNode } from "./cpuprofile.js";
import type { FeedbackDump } from "./profile-format.js";

/** The synthetic script's URL: not a file (hotEntries reads it through the warm-up's own source reader). */
export const WARM_URL = "file:///kos-warm-up/app.js";

/** The synthetic script: a loop, a callee, an arrow function and a method, as hot code has them. */
export const WARM_SOURCE = `"use strict";
function outer(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += inner(i);
  return s;
}
function inner(x) {
  return x * 2 + 1;
}
const arrow = (a) => a + 1;
class Box {
  get(k) { return this[k]; }
}
module.exports = { outer, arrow, Box };
`;

type Frame = [name: string, url: string, line: number, column: number];

// Each node: its frame, its parent's index, and its self samples (positionTicks on its first line).
const NODES: Array<[Frame, number, number]> = [
  [["(root)", "", -1, -1], -1, 0],
  [["(program)", "", -1, -1], 0, 2],
  [["(garbage collector)", "", -1, -1], 0, 1],
  [["(idle)", "", -1, -1], 0, 1],
  [["", WARM_URL, 0, 0], 0, 1],
  [["outer", WARM_URL, 1, 14], 4, 9],
  [["entry", "kos://entry.js", 12, 10], 5, 2],
  [["inner", WARM_URL, 6, 14], 6, 7],
  [["arrow", WARM_URL, 9, 14], 4, 3],
  [["get", WARM_URL, 11, 5], 4, 4],
  [["normalize", "node:path", 1257, 11], 4, 1],
];

/** The synthetic run's profile of thread `thread`: every node sampled, in a fixed order, 1 ms apart. */
export function warmCpuProfile(thread = 0): CpuProfile {
  const nodes: CpuProfileNode[] = NODES.map(([[functionName, url, lineNumber, columnNumber], , self], i) => {
    const node: CpuProfileNode = { id: i + 1, callFrame: { functionName, scriptId: String(url ? 3 + thread : 0), url, lineNumber, columnNumber }, hitCount: self, children: [] };
    if (self > 0 && lineNumber >= 0) node.positionTicks = [{ line: lineNumber + 1, ticks: self }];
    return node;
  });
  NODES.forEach(([, parent], i) => {
    if (parent >= 0) nodes[parent]!.children!.push(i + 1);
  });
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  NODES.forEach(([, , self], i) => {
    for (let k = 0; k < self; k++) {
      samples.push(i + 1);
      timeDeltas.push(1000 + ((i * 7 + k) % 5));
    }
  });
  const startTime = 1_000_000 + thread * 500;
  return { nodes, startTime, endTime: startTime + timeDeltas.reduce((a, b) => a + b, 0), samples, timeDeltas };
}

/** The synthetic run's feedback dump: `inner` wrapped in `jit()`, compiled, with a stable argument. */
export function warmFeedbackDump(innerHash: string): FeedbackDump {
  return {
    version: 1,
    pid: 1,
    functions: [
      { name: "inner", sourceHash: innerHash, calls: 5000, deopts: 0, tier: 1, versions: 1, args: [{ index: 0, name: "x", stability: "type", type: "number" }], compileMs: 3, compileCpuMs: 4, tier0UsPerCall: 0.01 },
      { name: "unsampled", sourceHash: "0".repeat(64), calls: 2000, deopts: 0, tier: 0, fallbackReason: "warm-up", args: [] },
    ],
  };
}
