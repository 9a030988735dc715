// Which calls of a real library's natural use stay calls on the hot path of its compiled version.
// Block coverage (V8's precise coverage, through the inspector) counts every block of the
// residual code: the lines it prints are the residual's lines that call library code (a call kept
// as written, a residual version, an outlined part), with how many times each ran per call of the
// jitted function. A function the specializer left as a call shows up here whether or not its
// budgets ran out (docs/notes/fork-budgets-sift.md).
//
//   npm run build && node docs/notes/hot-residual-calls.mjs sift [use index] [pattern]
//
// The library is one of fixtures/real's cases (its `lib`); the use index picks among its natural
// uses. It runs as the bench does: on the seeded inputs the original does not throw on, the
// original first.
//
// Block counting slows the compile too: a tiering compile near its time limit (sift's: 1.2 s of
// 1.58 s on an idle machine) may fall back here, and does on a loaded one; the script then says so.
process.env.KOS_HOT_CALLS ??= "1000";
const [lib = "sift", useIndex = "0", pattern = String.raw`\w\(|\.next\(|\.reset\(|\$k_part\d+\(`] = process.argv.slice(2);
const dist = new URL("../../dist/", import.meta.url);
const { Session } = await import("node:inspector");
const session = new Session();
session.connect();
const post = (m, a) => new Promise((resolve, reject) => session.post(m, a, (e, v) => (e ? reject(e) : resolve(v))));
// Before anything is compiled: a function V8 compiled before block counting began keeps counting
// its calls only (started after the tier-up, every line of a version read as run on every call).
await post("Profiler.enable");
await post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
const { inspect } = await import(new URL("index.js", dist).href);
const { realCases } = await import(new URL("fixtures/real/index.js", dist).href);
const c = realCases.find((r) => r.lib === lib);
if (!c) throw new Error(`no real case ${lib}; one of ${realCases.map((r) => r.lib).join(", ")}`);
// Inputs the original throws on are left out, as in the bench; the original runs on the rest
// first, as in the bench and the tests: a library's own caches (jsonpath-plus's parsed paths) are
// then filled when kos compiles, as they are in a program.
const items = c.inputs(1, 64).filter((x) => {
  try {
    c.original(x);
    return true;
  } catch {
    return false;
  }
});
const use = c.natural[Number(useIndex)];
const { fn, run } = use.make();
const t0 = performance.now();
while (performance.now() - t0 < 10_000) {
  for (const x of items) run(x);
  if (inspect(fn).tier > 0 && inspect(fn).source) break;
}
const info = inspect(fn);
console.log(`${lib}: ${use.label}: tier ${info.tier}${info.fallbackReason ? ` (${info.fallbackReason})` : ""}, compile ${Math.round(info.compileTimeMs ?? 0)} ms`);
await post("Profiler.takePreciseCoverage");
const rounds = 100;
for (let k = 0; k < rounds; k++) for (const x of items) run(x);
const { result } = await post("Profiler.takePreciseCoverage");
await post("Debugger.enable");
const callRe = new RegExp(pattern);
for (const script of result) {
  // The version's script (the dispatcher's entry.js only routes calls to it).
  if (!script.url.startsWith("kos://") || script.url === "kos://entry.js" || !script.functions.some((f) => f.ranges[0].count > 0)) continue;
  const { scriptSource: src } = await post("Debugger.getScriptSource", { scriptId: script.scriptId });
  // Innermost range wins: V8 lists a function's ranges outermost first.
  const counts = new Float64Array(src.length).fill(-1);
  for (const f of script.functions) for (const r of f.ranges) counts.fill(r.count, r.startOffset, Math.min(r.endOffset, src.length));
  let offset = 0;
  const lines = src.split("\n");
  console.log(`${script.url}: ${lines.length} lines; lines with a call that ran at least 0.05 times a call:`);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const c = counts[offset + line.search(/\S|$/)] / (rounds * items.length);
    if (c >= 0.05 && callRe.test(line) && !/^\s*(function|const|let|var|return \[)/.test(line)) console.log(`${String(i + 1).padStart(6)} ${c.toFixed(2)}  ${line.trim().slice(0, 140)}`);
    offset += line.length + 1;
  }
}
