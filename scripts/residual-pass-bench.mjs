// CPU time of each residual clean-up pass on one fixed input, for comparing two builds.
//   node scripts/residual-pass-bench.mjs capture <dist> <use> <out.js>
//     compiles the use with every clean-up pass switched off and writes the generated source;
//   node scripts/residual-pass-bench.mjs run <dist> <in.js>
//     parses it, runs <dist>'s residual pipeline on each of its outermost functions once (a fresh process is
//     as cold as a compile's first clean-up) and prints one JSON line: CPU ms per pass and in all.
// Uses: sift-tiering, mingo-tiering, mingo-explicit, valibot, mustache, jsonpath-plus.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";

const [mode, distArg, a, b] = process.argv.slice(2);
const dist = pathToFileURL(resolve(distArg)).href;

if (mode === "capture") {
  process.env.KOS_HOT_CALLS = "1000";
  const { jit, inspect } = await import(dist + "/index.js");
  const { PASS_NAMES } = await import(dist + "/compiler/pass-names.js");
  const real = await import(dist + "/fixtures/real/index.js");
  const off = { maxCompileMs: 60000, disablePasses: PASS_NAMES.filter((p) => !["specialize", "unrollLoops", "inlineCalls"].includes(p)) };
  const prog = (lib) => import(`${dist}/fixtures/real/${lib}/program.js`);
  let fn;
  let tiering = null;
  switch (a) {
    case "sift-tiering": { const { sift, query } = await prog("sift"); fn = jit(sift(query), off); tiering = real.siftCase; break; }
    case "mingo-tiering": { const { query } = await prog("mingo"); fn = jit(query.test.bind(query), off); tiering = real.mingoCase; break; }
    case "mingo-explicit": { const { query } = await prog("mingo"); fn = jit(query.test, { ...off, specialize: { this: query } }); break; }
    case "valibot": { const { v, schema } = await prog("valibot"); fn = jit(v.safeParse, { ...off, specialize: { schema } }); break; }
    case "mustache": { const { Mustache, template } = await prog("mustache"); fn = jit(Mustache.render, { ...off, specialize: { template } }); break; }
    case "jsonpath-plus": { const { JSONPath, path } = await prog("jsonpath-plus"); fn = jit(JSONPath, { ...off, specialize: { opts: path } }); break; }
    default: throw new Error(`unknown use ${a}`);
  }
  if (tiering) for (const x of tiering.inputs(1, 1500)) try { fn(x); } catch {}
  const info = inspect(fn);
  if (!info.source) throw new Error(`no source: ${info.fallbackReason}`);
  writeFileSync(b, info.source);
  console.log(`${a}: ${info.source.length} chars`);
} else {
  const { parse } = await import("acorn");
  const { RESIDUAL_PASSES, runResidualPipeline } = await import(dist + "/compiler/residual/pipeline.js");
  const { countNodes, walk } = await import(dist + "/compiler/ast.js");
  const program = parse(readFileSync(a, "utf8"), { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true });
  // Every outermost function: the residual and each version and callback body the compile cleans up.
  const fns = [];
  walk(program, (n) => {
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
      if (n.body.type === "BlockStatement") fns.push(n);
      return false;
    }
  });
  const perPass = {};
  for (const p of RESIDUAL_PASSES) {
    const run = p.run;
    p.run = (f, ctx) => {
      const t = process.cpuUsage();
      const r = run(f, ctx);
      const u = process.cpuUsage(t);
      perPass[p.name] = (perPass[p.name] ?? 0) + (u.user + u.system) / 1000;
      return r;
    };
  }
  const nodes = fns.reduce((a, f) => a + countNodes(f), 0);
  const ctx = { disabled: new Set(), fastmath: false, sourceNames: new Set(), trace: null, preview: () => "", kosHelpers: true, nullReads: { helper: "$k_nullRead", prefix: "$k_" } };
  const t = process.cpuUsage();
  for (const fn of fns) runResidualPipeline(fn, ctx);
  const u = process.cpuUsage(t);
  for (const k of Object.keys(perPass)) perPass[k] = Math.round(perPass[k] * 10) / 10;
  console.log(JSON.stringify({ functions: fns.length, nodes, totalMs: Math.round((u.user + u.system) / 100) / 10, perPass }));
}
