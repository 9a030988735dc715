// Compile time of two builds, A against B: `node scripts/compile-time-ab.mjs <distA> <distB> [uses|all] [processes]`.
// Each use (a fixture's `jit(generic, { specialize })`, or a real library's natural explicit use)
// compiles 12 times in a process of its own; "first" is the process's first compile, "warm" the
// median of compiles 5-12 (inspect(f).compileTimeMs, wall clock). Processes of A and B alternate;
// the table gives medians over them. Used for docs/compiler.md, "Compile time".
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

if (process.env.CT_CHILD) {
  const dist = pathToFileURL(process.env.CT_DIST).href;
  const { jit, inspect } = await import(dist + "/index.js");
  const name = process.env.CT_CHILD;
  const fx = await import(dist + "/fixtures/index.js");
  const real = await import(dist + "/fixtures/real/index.js");
  const f = fx.fixtures.find((x) => x.name === name);
  const c = Object.values(real).find((x) => x && x.lib === name);
  if (!f && !c) throw new Error(`no fixture or real library named ${name}`);
  const make = f ? () => jit(f.generic, { specialize: f.specialize, ...(f.scope ? { scope: f.scope } : {}) }) : () => c.natural.find((u) => !u.tiering).make().fn;
  const times = [];
  for (let i = 0; i < 12; i++) times.push(inspect(make()).compileTimeMs);
  const warm = times.slice(4).sort((a, b) => a - b);
  console.log(JSON.stringify({ first: times[0], warm: warm[warm.length >> 1] }));
  process.exit(0);
}
const [A, B] = [resolve(process.argv[2]), resolve(process.argv[3])];
const names = (process.argv[4] && process.argv[4] !== "all" ? process.argv[4] : "json-serializer,validator,matmul4,expr-interpreter,json-logic-js,mustache,valibot,expression-eval,expr-eval,jsonpath-plus,jmespath,mingo").split(",");
const processes = Number(process.argv[5]) || 3;
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const run = (dist, n) => JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname], { env: { ...process.env, CT_CHILD: n, CT_DIST: dist } }).toString().trim().split("\n").pop());
console.log("| use | first, A | first, B | warm, A | warm, B | warm B/A |\n| --- | --- | --- | --- | --- | --- |");
for (const n of names) {
  const r = { A: [], B: [] };
  for (let i = 0; i < processes; i++) {
    r.A.push(run(A, n));
    r.B.push(run(B, n));
  }
  const [af, bf, aw, bw] = [median(r.A.map((x) => x.first)), median(r.B.map((x) => x.first)), median(r.A.map((x) => x.warm)), median(r.B.map((x) => x.warm))];
  console.log(`| ${n} | ${af.toFixed(1)} ms | ${bf.toFixed(1)} ms | ${aw.toFixed(1)} ms | ${bw.toFixed(1)} ms | ${(bw / aw).toFixed(2)} |`);
}
