// Compile time of a few real uses, whole and per residual clean-up pass, from a CPU profile.
// `node scripts/residual-pass-time.mjs <dist> <use> [interval µs]` prints one JSON line:
// { use, compileMs, cpuMs, passes: { flattenBlocks: ms, ... } } where a pass's ms is the
// sampled time of every stack that passes through the pass's entry function (its total time).
// Uses: sift-tiering, mingo-explicit, mingo-tiering, valibot, mustache, jsonpath-plus. Tiering
// uses are made with maxCompileMs 60000 so they finish, and tier up at 1000 calls.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { Session } from "node:inspector";

process.env.KOS_HOT_CALLS = "1000";
const dist = pathToFileURL(resolve(process.argv[2] ?? "dist")).href;
const useName = process.argv[3];
// "off": no profiler, only the compile's wall and CPU time.
const profiling = process.argv[4] !== "off";
const interval = Number(profiling ? process.argv[4] ?? 100 : 100);
const { jit, inspect } = await import(dist + "/index.js");
const real = await import(dist + "/fixtures/real/index.js");
const LONG = { maxCompileMs: 60000 };

async function makeUse(name) {
  switch (name) {
    case "sift-tiering": {
      const { sift, query } = await import(dist + "/fixtures/real/sift/program.js");
      return { fn: jit(sift(query), LONG), c: real.siftCase, tiering: true };
    }
    case "mingo-tiering": {
      const { query } = await import(dist + "/fixtures/real/mingo/program.js");
      return { fn: jit(query.test.bind(query), LONG), c: real.mingoCase, tiering: true };
    }
    case "mingo-explicit": return { ...explicit(real.mingoCase), tiering: false };
    case "valibot": return { ...explicit(real.valibotCase), tiering: false };
    case "mustache": return { ...explicit(real.mustacheCase), tiering: false };
    case "jsonpath-plus": return { ...explicit(real.jsonpathCase), tiering: false };
  }
  throw new Error(`unknown use ${name}`);
}
function explicit(c) {
  return { c, make: () => c.natural.find((u) => !u.tiering).make().fn };
}

// The passes' entry functions (compiler/residual/pipeline.ts) and the specializer's.
const PASS_FNS = ["flattenBlocks", "threadBranchResults", "branchesToLogical", "removeDeadStores", "forwardTemporaries", "removeUnusedDeclarations", "sinkClosures", "hoistCommonAllocations", "mergeAppends", "chainAppends", "slideWindows", "nullishReads", "shareTemporaries", "copyColdCaptures", "residualFeatures", "outlineBlocks", "runResidualPipeline", "specializeFunction"];

const session = new Session();
session.connect();
const post = (m, p) => new Promise((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval });

const use = await makeUse(useName);
let fn;
if (profiling) await post("Profiler.start");
const cpu0 = process.cpuUsage();
if (use.tiering) {
  fn = use.fn;
  const inputs = use.c.inputs(1, 1500);
  for (const x of inputs) try { fn(x); } catch {}
} else {
  fn = use.make();
}
const cpu = process.cpuUsage(cpu0);
const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
const { profile } = profiling ? await post("Profiler.stop") : { profile: { nodes: [], samples: [], timeDeltas: [] } };
if (process.env.PROF_OUT) (await import("node:fs")).writeFileSync(process.env.PROF_OUT, JSON.stringify(profile));
const info = inspect(fn);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
const totals = {};
const memo = new Map();
// Per node: the set of pass names on its stack (outermost first counts each once).
function passesOf(id) {
  if (memo.has(id)) return memo.get(id);
  const n = byId.get(id);
  const p = parent.get(id);
  const up = p === undefined ? [] : passesOf(p);
  const name = n.callFrame.functionName;
  const r = PASS_FNS.includes(name) && !up.includes(name) ? [...up, name] : up;
  memo.set(id, r);
  return r;
}
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  for (const name of passesOf(profile.samples[i])) totals[name] = (totals[name] ?? 0) + dt;
}
for (const k of Object.keys(totals)) totals[k] = Math.round(totals[k] * 10) / 10;
console.log(JSON.stringify({ use: useName, tier: info.tier, fallback: info.fallbackReason ?? null, compileMs: Math.round(info.compileTimeMs ?? -1), cpuMs, passes: totals }));
