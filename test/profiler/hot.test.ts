import { describe, expect, it } from "vitest";
import type { CpuProfile, CpuProfileNode } from "../../profiler/cpuprofile.js";
import { analyzeCpuProfile, analyzeCpuProfiles, analyzeStacks, analyzeV8Log, stacksFromCpuProfile } from "../../profiler/hot.js";
import { frameFromCodeName, type V8LogJson, type ZeroXInlinedMap } from "../../profiler/v8-log.js";

const URL_A = "file:///app/a.js";

function node(id: number, name: string, line: number, col: number, hitCount: number, children: number[] = [], extra: Partial<CpuProfileNode> = {}): CpuProfileNode {
  return { id, callFrame: { functionName: name, scriptId: "1", url: name.startsWith("(") ? "" : URL_A, lineNumber: line, columnNumber: col }, hitCount, children, ...extra };
}

// (root) → main → { work → leaf, work (recursive) → work }, plus (idle) and (garbage collector)
const tree: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    node(1, "(root)", -1, -1, 0, [2, 3, 4, 9]),
    node(2, "(idle)", -1, -1, 5),
    node(3, "(garbage collector)", -1, -1, 2),
    node(4, "main", 0, 13, 1, [5, 7]),
    node(5, "work", 3, 13, 4, [6]),
    node(6, "leaf", 6, 13, 3),
    node(7, "work", 3, 13, 2, [8]),
    node(8, "work", 3, 13, 1),
    node(9, "(program)", -1, -1, 0),
  ],
};

describe("analyzeCpuProfile: self and total", () => {
  const report = analyzeCpuProfile(tree, { sourceOf: false });
  const byName = Object.fromEntries(report.functions.map((f) => [f.name, f]));

  it("excludes idle from the busy total, keeps GC in it", () => {
    expect(report.idleSamples).toBe(5);
    expect(report.totalSamples).toBe(2 + 1 + 4 + 3 + 2 + 1);
  });

  it("counts self at the leaf and total once per sample, even under recursion", () => {
    expect(byName.work!.selfSamples).toBe(7);
    expect(byName.work!.totalSamples).toBe(4 + 3 + 2 + 1);
    expect(byName.main!.totalSamples).toBe(11);
    expect(byName.leaf!.selfSamples).toBe(3);
    expect(byName.main!.selfPercent).toBeCloseTo((1 / 13) * 100, 1);
  });

  it("ranks by self samples and leaves VM pseudo-frames out of the ranking", () => {
    expect(report.functions.map((f) => f.name)).toEqual(["work", "leaf", "main"]);
  });

  it("lists the hottest stacks first, merging equal stacks, labelled with 1-based positions", () => {
    // Nodes 5 and 7 are both main → work: one stack of 4 + 2 samples.
    expect(report.stacks[0]).toEqual({ frames: [`main ${URL_A}:1:14`, `work ${URL_A}:4:14`], samples: 6, percent: 46.15 });
    expect(report.stacks[1]!.frames.at(-1)).toBe(`leaf ${URL_A}:7:14`);
  });

  it("prefers the samples array over hitCount when both exist", () => {
    const p: CpuProfile = { ...tree, samples: [5, 5, 6], timeDeltas: [1, 1, 1] };
    const r = analyzeCpuProfile(p, { sourceOf: false });
    expect(r.totalSamples).toBe(3);
    expect(r.functions[0]).toMatchObject({ name: "work", selfSamples: 2 });
  });

  it("pools several threads' profiles", () => {
    expect(analyzeCpuProfiles([tree, tree], { sourceOf: false }).functions[0]!.selfSamples).toBe(14);
  });
});

describe("positionTicks attribution of inlined frames", () => {
  // Lines (1-based): 1 sq, 2 add3, 3-6 hot (calls add3, which calls sq).
  const source = [
    "function sq(x) { return x * x; }",
    "function add3(a, b) { return sq(a) + sq(b) * 3; }",
    "function hot(n) {",
    "  let s = 0;",
    "  for (let i = 0; i < n; i++) s += add3(i, i & 7);",
    "  return s; }",
  ].join("\n");
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 1000,
    nodes: [
      node(1, "(root)", -1, -1, 0, [2]),
      // V8 reports hot at its `(`: line index 2, column 12. 10 self samples:
      // 5 on its own line 5, 3 on sq's line 1, 2 on add3's line 2.
      node(2, "hot", 2, 12, 10, [], { positionTicks: [{ line: 5, ticks: 5 }, { line: 1, ticks: 3 }, { line: 2, ticks: 2 }] }),
    ],
  };

  it("moves ticks on lines of other functions to those functions, marked inlined", () => {
    const r = analyzeCpuProfile(profile, { sourceOf: (u) => (u === URL_A ? source : undefined) });
    const byName = Object.fromEntries(r.functions.map((f) => [f.name, f]));
    expect(byName.hot).toMatchObject({ selfSamples: 5, totalSamples: 10, inlinedSamples: 0 });
    expect(byName.sq).toMatchObject({ selfSamples: 3, inlinedSamples: 3, line: 0, column: 11 });
    expect(byName.add3).toMatchObject({ selfSamples: 2, inlinedSamples: 2, line: 1, column: 13 });
    const sqStack = stacksFromCpuProfile(profile, { sourceOf: () => source }).find((s) => s.frames.at(-1)!.name === "sq")!;
    expect(sqStack.frames.map((f) => f.name)).toEqual(["hot", "sq"]);
    expect(sqStack.frames[1]!.inlined).toBe(true);
  });

  it("keeps ticks on the sampled function's own lines, even when other functions share the line", () => {
    const oneLine = "const o = { a(n) { return n + 1; }, b(n) { return n * 2; } };";
    const p: CpuProfile = { startTime: 0, endTime: 1, nodes: [node(1, "(root)", -1, -1, 0, [2]), node(2, "a", 0, 13, 4, [], { positionTicks: [{ line: 1, ticks: 4 }] })] };
    const r = analyzeCpuProfile(p, { sourceOf: () => oneLine });
    expect(r.functions).toHaveLength(1);
    expect(r.functions[0]).toMatchObject({ name: "a", selfSamples: 4, inlinedSamples: 0 });
  });

  it("moves ticks from a module's top level into a function declared inside it", () => {
    // The top-level code (V8 reports it at 0:0) inlined hot(); ticks on lines 4-5 are hot's.
    const p: CpuProfile = {
      startTime: 0,
      endTime: 1,
      nodes: [node(1, "(root)", -1, -1, 0, [2]), node(2, "", 0, 0, 9, [], { positionTicks: [{ line: 4, ticks: 4 }, { line: 5, ticks: 3 }, { line: 3, ticks: 1 }, { line: 7, ticks: 1 }] })],
    };
    const top = ["const n = 10;", "let out = 0;", "function hot(k) {", "  let s = 0;", "  for (let i = 0; i < k; i++) s += i;", "  return s; }", "for (let r = 0; r < n; r++) out += hot(r);"].join("\n");
    const r = analyzeCpuProfile(p, { sourceOf: () => top });
    const byName = Object.fromEntries(r.functions.map((f) => [f.name, f]));
    expect(byName.hot).toMatchObject({ selfSamples: 8, inlinedSamples: 8, line: 2, column: 12 });
    expect(byName[""]).toMatchObject({ selfSamples: 1 });
  });

  it("leaves samples alone without a source", () => {
    const r = analyzeCpuProfile(profile, { sourceOf: () => undefined });
    expect(r.functions.map((f) => [f.name, f.selfSamples])).toEqual([["hot", 10]]);
  });
});

describe("0x v8 log ticks", () => {
  const file = "/app/inl.js";
  const source = "function sq(x) { return x * x; }\nfunction hot(n) { let s = 0; for (let i = 0; i < n; i++) s += sq(i); return s; }";
  const hotStart = source.indexOf("(n)");
  const sqStart = source.indexOf("(x)");
  const log: V8LogJson = {
    code: [
      { name: `hot ${file}:2:13`, type: "JS", kind: "Opt", func: 0, source: { script: 0, start: hotStart, end: source.length, positions: `C0O${hotStart}C20O${sqStart + 10}I0C40O${hotStart + 30}`, inlined: `F0O${hotStart + 60}`, fns: [1] } },
      { name: ` ${file}:1:1`, type: "JS", kind: "Unopt", source: { script: 0, start: 0, end: source.length } },
      { name: "v8::internal::Runtime_Foo", type: "CPP" },
      { name: `hot2 ${file}:2:13`, type: "JS", kind: "Opt", source: { script: 0, start: hotStart, end: source.length, positions: `C0O${hotStart}C20O${sqStart + 10}C40O${hotStart + 30}`, inlined: "", fns: [] } },
    ],
    functions: [{ name: `hot ${file}:2:13` }, { name: `sq ${file}:1:12` }],
    scripts: [{ url: file, source }],
    ticks: [
      { tm: 1, vm: 0, s: [0, 5, 1, 50] }, // hot's own code
      { tm: 2, vm: 0, s: [0, 25, 1, 50] }, // pc 25 → inlining id 0 → sq
      { tm: 3, vm: 0, s: [2, 999, 0, 45, 1, 50] }, // C++ on top: folds into hot
      { tm: 4, vm: 1, s: [] }, // GC
      { tm: 5, vm: 8, s: [] }, // idle
      { tm: 6, vm: 0, s: [-1, 1234] }, // unresolved
    ],
  };

  it("parses code names into 0-based frames", () => {
    expect(frameFromCodeName(`hot ${file}:2:13`)).toEqual({ name: "hot", url: file, line: 1, column: 12 });
    expect(frameFromCodeName(` ${file}:1:1`)).toEqual({ name: "", url: file, line: 0, column: 0 });
    expect(frameFromCodeName("validate10 :1:100")).toEqual({ name: "validate10", url: "", line: 0, column: 99 });
    expect(frameFromCodeName("Builtin: Foo")).toBeUndefined();
  });

  it("rebuilds inlined frames from inlining ids and folds native frames into the JS frame below", () => {
    const r = analyzeV8Log(log);
    expect(r.totalSamples).toBe(5);
    expect(r.idleSamples).toBe(1);
    const byName = Object.fromEntries(r.functions.map((f) => [f.name, f]));
    expect(byName.hot).toMatchObject({ selfSamples: 2, totalSamples: 3 });
    expect(byName.sq).toMatchObject({ selfSamples: 1, inlinedSamples: 1, line: 0, column: 11 });
    expect(r.stacks.some((s) => s.frames.join(" > ") === `(anonymous) ${file}:1:1 > hot ${file}:2:13 > sq ${file}:1:12`)).toBe(true);
  });

  it("uses meta.json's inlined map when code carries no inlining ids", () => {
    const inlined: ZeroXInlinedMap = {
      [`sq ${file}`]: [{ file, fn: "sq", pos: String(sqStart), caller: { file, fn: "hot2", key: `hot2 ${file}` } }],
    };
    const noIds: V8LogJson = { ...log, ticks: [{ tm: 1, vm: 0, s: [3, 25, 1, 50] }, { tm: 2, vm: 0, s: [3, 45, 1, 50] }] };
    const without = analyzeV8Log(noIds);
    expect(without.functions.find((f) => f.name === "sq")).toBeUndefined();
    const r = analyzeV8Log(noIds, inlined);
    const byName = Object.fromEntries(r.functions.map((f) => [f.name, f]));
    expect(byName.sq).toMatchObject({ selfSamples: 1, inlinedSamples: 1, line: 0, column: 11 });
    expect(byName.hot2).toMatchObject({ selfSamples: 1, totalSamples: 2 });
    // The same positions in unoptimized code: nothing is inlined there, so nothing moves.
    const unopt: V8LogJson = { ...noIds, code: [...noIds.code.slice(0, 3), { ...noIds.code[3]!, kind: "Unopt" }] };
    expect(analyzeV8Log(unopt, inlined).functions.find((f) => f.name === "sq")).toBeUndefined();
  });
});

describe("analyzeStacks", () => {
  it("gives the same report whether stacks share their frame objects or not: recursion, equal labels, ties kept in order", () => {
    const f = (name: string, line: number, url = URL_A) => ({ name, url, line, column: 2 });
    const gc = { name: "(garbage collector)", url: "", line: -1, column: -1 };
    const shape = (): Array<[string, number, string?]>[] => [
      [["main", 0], ["work", 5], ["work", 5], ["leaf", 9]],
      [["main", 0], ["work", 5]],
      [["main", 0], ["b", 20], ["leaf", 9]],
      [["main", 0], ["a", 30]],
      [["main", 0], ["work", 5], ["work", 5], ["leaf", 9]],
      [["main", 0], ["leaf", 9, "file:///app/b.js"]],
    ];
    const weights = [3, 2, 1, 1, 4, 2];
    // Shared: one object per distinct frame, as stacksFromCpuProfile hands them over.
    const pool = new Map<string, ReturnType<typeof f>>();
    const sharedOf = ([n, l, u]: [string, number, string?]) => {
      const k = `${n} ${l} ${u ?? URL_A}`;
      if (!pool.has(k)) pool.set(k, f(n, l, u));
      return pool.get(k)!;
    };
    const shared = shape().map((s, i) => ({ frames: [...s.map(sharedOf), ...(i === 3 ? [gc] : [])], weight: weights[i]! }));
    const fresh = shape().map((s, i) => ({ frames: [...s.map(([n, l, u]) => f(n, l, u)), ...(i === 3 ? [{ ...gc }] : [])], weight: weights[i]! }));
    const a = analyzeStacks(shared, { topStacks: 20 });
    expect(analyzeStacks(fresh, { topStacks: 20 })).toEqual(a);
    const work = a.functions.find((x) => x.name === "work")!;
    expect(work).toMatchObject({ selfSamples: 2, totalSamples: 9 }); // once per stack under recursion
    expect(a.stacks[0]).toMatchObject({ samples: 7 }); // the two equal stacks merged
    expect(a.stacks.map((s) => s.samples)).toEqual([7, 2, 2, 1, 1]);
    expect(a.stacks[1]!.frames).toEqual(["main file:///app/a.js:1:3", "work file:///app/a.js:6:3"]); // ties in first-seen order
    expect(a.stacks[3]!.frames.at(-1)).toBe("leaf file:///app/a.js:10:3");
    expect(a.stacks[4]!.frames.at(-1)).toBe("(garbage collector)");
  });
  it("ignores empty and zero-weight stacks and handles an empty input", () => {
    expect(analyzeStacks([])).toEqual({ totalSamples: 0, idleSamples: 0, functions: [], stacks: [] });
    expect(analyzeStacks([{ frames: [], weight: 3 }, { frames: [{ name: "f", url: "/x.js", line: 0, column: 0 }], weight: 0 }]).totalSamples).toBe(0);
  });
  it("counts the samples a function took under kos's own code apart (a compile's parser), and parses no script for them", () => {
    const kosCompiler = new URL("../../compiler/index.js", import.meta.url).href;
    const parserUrl = "file:///app/node_modules/acorn/dist/acorn.mjs";
    const frame = (name: string, url: string) => ({ name, url, line: 1, column: 1 });
    const r = analyzeStacks([
      { frames: [frame("main", URL_A), frame("compileVersion", kosCompiler), frame("parseStatement", parserUrl)], weight: 6 },
      { frames: [frame("main", URL_A), frame("parseStatement", parserUrl)], weight: 2 },
    ]);
    const parse = r.functions.find((f) => f.name === "parseStatement")!;
    expect(parse).toMatchObject({ selfSamples: 8, underKosSamples: 6 });
    expect(r.functions.find((f) => f.name === "main")).toMatchObject({ underKosSamples: 0 });
    // positionTicks attribution: the parser's script is not read for samples taken under kos.
    const read: string[] = [];
    const p: CpuProfile = {
      startTime: 0,
      endTime: 1000,
      nodes: [
        node(1, "(root)", -1, -1, 0, [2]),
        { id: 2, callFrame: { functionName: "compileVersion", scriptId: "2", url: kosCompiler, lineNumber: 0, columnNumber: 0 }, hitCount: 0, children: [3] },
        { id: 3, callFrame: { functionName: "parseStatement", scriptId: "3", url: parserUrl, lineNumber: 0, columnNumber: 9 }, hitCount: 50, children: [], positionTicks: [{ line: 2, ticks: 50 }] },
      ],
    };
    stacksFromCpuProfile(p, { sourceOf: (u) => (read.push(u), "function parseStatement() {\n  return 1;\n}") });
    expect(read).toEqual([]);
  });
});
