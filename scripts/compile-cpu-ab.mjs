// Compile CPU time of two builds: `node scripts/compile-cpu-ab.mjs <distA> <distB> <use,use,...> <rounds> <compiles>`.
// Each process compiles one use <compiles> times (uses as in compile-profile.mjs) and takes the CPU
// time of each (process.cpuUsage around the jit() call: V8's compiler and GC threads included).
// "first" is compile 1, "warm" the median of compiles 5..N (2..N when N < 5); processes of A and B
// alternate, the order flipped each round; the table gives medians over the rounds, and the median
// wall time (inspect(f).compileTimeMs) of the warm compiles. Run under the bench lock. A build whose
// compile limit may cut a use short should have it raised in both (see docs/notes/compile-time.md).
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
if (process.env.AB_CHILD) {
  process.env.KOS_HOT_CALLS = "1000";
  const dist = pathToFileURL(process.env.AB_DIST).href;
  const { jit, inspect } = await import(dist + "/index.js");
  const fx = await import(dist + "/fixtures/index.js");
  const real = await import(dist + "/fixtures/real/index.js");
  const name = process.env.AB_CHILD; const N = Number(process.env.AB_N);
  const f = fx.fixtures.find((x) => x.name === name);
  let make;
  if (f) make = () => jit(f.generic, { specialize: f.specialize, ...(f.scope ? { scope: f.scope } : {}) });
  else if (name === "sift") {
    const { sift, query } = await import(dist + "/fixtures/real/sift/program.js");
    const inputs = real.siftCase.inputs(1, 1100);
    make = () => { const fn = jit(sift(query), { maxCompileMs: 60000 }); for (const x of inputs) try { fn(x); } catch {} return fn; };
  } else {
    const c = Object.values(real).find((x) => x && x.lib === name);
    make = () => c.natural.find((u) => !u.tiering).make().fn;
  }
  const cpu = [], wall = [];
  for (let i = 0; i < N; i++) {
    const c0 = process.cpuUsage(); const fn = make(); const c = process.cpuUsage(c0);
    const r = inspect(fn); if (r.tier !== 1) throw new Error(`${name} tier ${r.tier} ${r.fallbackReason}`);
    cpu.push((c.user + c.system) / 1000); wall.push(r.compileTimeMs);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const w = cpu.slice(N >= 5 ? 4 : 1);
  console.log(JSON.stringify({ first: cpu[0], warm: med(w), warmWall: med(wall.slice(N >= 5 ? 4 : 1)) }));
  process.exit(0);
}
const [A, B] = [resolve(process.argv[2]), resolve(process.argv[3])];
const uses = process.argv[4].split(","); const rounds = Number(process.argv[5] ?? 3); const N = Number(process.argv[6] ?? 12);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const run = (dist, n) => JSON.parse(execFileSync(process.execPath, ["--expose-gc", new URL(import.meta.url).pathname], { env: { ...process.env, AB_CHILD: n, AB_DIST: dist, AB_N: String(N) } }).toString().trim().split("\n").pop());
console.log(`| use | runs | first CPU A | B | warm CPU A | B | warm B/A | warm wall A | B |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const n of uses) {
  const r = { A: [], B: [] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2) { r.B.push(run(B, n)); r.A.push(run(A, n)); } else { r.A.push(run(A, n)); r.B.push(run(B, n)); }
  }
  const g = (x, k) => med(r[x].map((y) => y[k]));
  console.log(`| ${n} | ${rounds}/${rounds} | ${g("A", "first").toFixed(0)} | ${g("B", "first").toFixed(0)} | ${g("A", "warm").toFixed(1)} | ${g("B", "warm").toFixed(1)} | ${(g("B", "warm") / g("A", "warm")).toFixed(2)} | ${g("A", "warmWall").toFixed(1)} | ${g("B", "warmWall").toFixed(1)} |`);
}
