// Variants of matmul4's generated body against hand.ts and gl-matrix (docs/notes/matmul-alias-guards.md). Run after `npm run build`, under the bench lock.
import { run, bench, do_not_optimize, measure } from "mitata";
import { createRequire } from "node:module";
const { mat4 } = createRequire(import.meta.url)("gl-matrix");
const TAP = Object.getPrototypeOf(Uint8Array.prototype);
const uncurry = (g) => Function.prototype.call.bind(g);
const tagOf = uncurry(Object.getOwnPropertyDescriptor(TAP, Symbol.toStringTag).get);
const bufG = Object.getOwnPropertyDescriptor(TAP, "buffer").get;
const bufferOf = uncurry(bufG);
const WM = new WeakMap(); const fill = (x) => { const b = bufferOf(x); WM.set(x, b); return b; };
const offOf = uncurry(Object.getOwnPropertyDescriptor(TAP, "byteOffset").get);
const isTA = (x) => tagOf(x) !== undefined;

// generated body (exact path)
const gen = [];
const genAt = (i, j) => { let s = `s${i}${j} = 0 + A[${i*4}] * B[${j}];`; for (let k = 1; k < 4; k++) s += ` s${i}${j} = s${i}${j} + A[${i*4+k}] * B[${k*4+j}];`; return s + ` out[${i*4+j}] = s${i}${j};`; };
for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) gen.push(genAt(i, j));
const sums = []; for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) sums.push(`s${i}${j}`);
const exact = `var ${sums.join(", ")};\n` + gen.join("\n").replaceAll("A[", "a[").replaceAll("B[", "b[") + "\nreturn out;";
// lazy locals: each element a local declared at first read
function lazy() {
  const seen = new Set(); const lines = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    const pre = [];
    for (let k = 0; k < 4; k++) for (const [x, idx] of [["a", i*4+k], ["b", k*4+j]]) if (!seen.has(x+idx)) { seen.add(x+idx); pre.push(`const ${x}${idx} = ${x}[${idx}];`); }
    lines.push(pre.join(" ") + " " + genAt(i, j).replace(/A\[(\d+)\]/g, "a$1").replace(/B\[(\d+)\]/g, "b$1"));
  }
  return `var ${sums.join(", ")};\n` + lines.join("\n") + "\nreturn out;";
}
function eager() {
  const pre = []; for (let x of ["a","b"]) for (let k = 0; k < 16; k++) pre.push(`const ${x}${k} = ${x}[${k}];`);
  return `var ${sums.join(", ")};\n` + pre.join("\n") + "\n" + gen.join("\n").replace(/A\[(\d+)\]/g, "a$1").replace(/B\[(\d+)\]/g, "b$1") + "\nreturn out;";
}
function lazyD0() {
  // order of outputs m = 4i+j; reads per output
  const readsOf = (m) => { const i = m >> 2, j = m & 3; const r = []; for (let k = 0; k < 4; k++) r.push(["a", i*4+k], ["b", k*4+j]); return r; };
  const seen = new Set(); const lines = []; const decl = [];
  for (let m = 0; m < 16; m++) {
    const pre = [];
    for (const [x, idx] of readsOf(m)) if (!seen.has(x+idx)) { seen.add(x+idx); decl.push(x+idx); pre.push(`${x}${idx} = ${x}[${idx}];`); }
    lines.push(pre.join(" ") + " " + genAt(m >> 2, m & 3).replace(/A\[(\d+)\]/g, "a$1").replace(/B\[(\d+)\]/g, "b$1"));
    // reload x[m] if read by a later output
    const post = [];
    for (const x of ["a", "b"]) if (seen.has(x+m)) { let later = false; for (let m2 = m + 1; m2 < 16; m2++) if (readsOf(m2).some(([y, k]) => y === x && k === m)) later = true; if (later) post.push(`${x}${m} = ${x}[${m}];`); }
    lines.push(post.join(" "));
  }
  return `var ${sums.join(", ")}, ${decl.join(", ")};\n` + lines.join("\n") + "\nreturn out;";
}
const entry = `if (!(n === 4)) { return $deopt(); }\n`;
const mk = (guard, fast) => new Function("$deopt", "isTA", "bufferOf", "tagOf", "bufG", "TAP", "WM", "fill", "nr", "offOf", `return function matmul(n, a, b, out) {\n${entry}${guard ? `if (${guard}) {\n${fast}\n}\n` + exact : fast}\n}`)(() => 0, isTA, bufferOf, tagOf, bufG, TAP, WM, fill, (o, k) => o[k], offOf);
const KOSG = "isTA(a) && isTA(b) && isTA(out) && bufferOf(a) !== bufferOf(out) && bufferOf(b) !== bufferOf(out)";
const variants = {
  gen: mk(null, exact),
  lazyNoGuard: mk(null, lazy()),
  eagerNoGuard: mk(null, eager()),
  lazyKosGuard: mk(KOSG, lazy()),
  lazyTagOnly: mk("isTA(a) && isTA(b) && isTA(out)", lazy()),
  lazyIdentity: mk("out !== a && out !== b", lazy()),
  lazyBufOnly: mk("bufferOf(a) !== bufferOf(out) && bufferOf(b) !== bufferOf(out)", lazy()),
  lazyDotBuffer: mk("out.buffer !== a.buffer && out.buffer !== b.buffer", lazy()),
  lazyCallBuffer: mk("bufG.call(out) !== bufG.call(a) && bufG.call(out) !== bufG.call(b)", lazy()),
  lazyReflectGet: mk("Reflect.get(TAP, 'buffer', out) !== Reflect.get(TAP, 'buffer', a) && Reflect.get(TAP, 'buffer', out) !== Reflect.get(TAP, 'buffer', b)", lazy()),
  lazyWeakMap: mk("(WM.get(out) ?? fill(out)) !== (WM.get(a) ?? fill(a)) && (WM.get(out) ?? fill(out)) !== (WM.get(b) ?? fill(b))", lazy()),
  lazyWeakMapTag: mk("isTA(a) && isTA(b) && isTA(out) && (WM.get(out) ?? fill(out)) !== (WM.get(a) ?? fill(a)) && (WM.get(out) ?? fill(out)) !== (WM.get(b) ?? fill(b))", lazy()),
  genNoNull: mk(null, exact),
  lazyD0NoGuard: mk(null, lazyD0()),
  lazyD0: mk("tagOf(out) !== undefined && tagOf(a) === tagOf(out) && tagOf(b) === tagOf(out) && offOf(a) === offOf(out) && offOf(b) === offOf(out)", lazyD0()),
  d0Tags: mk("tagOf(out) !== undefined && tagOf(a) === tagOf(out) && tagOf(b) === tagOf(out)", lazyD0()),
  d0Offs: mk("offOf(a) === offOf(out) && offOf(b) === offOf(out)", lazyD0()),
  d0DotOffs: mk("a.byteOffset === out.byteOffset && b.byteOffset === out.byteOffset", lazyD0()),
  d0Tag1: mk("tagOf(out) !== undefined", lazyD0()),
  d0Touch: mk("tagOf(out) !== undefined && tagOf(a) === tagOf(out) && tagOf(b) === tagOf(out) && (a[0], b[0], out[0], offOf(a) === offOf(out) && offOf(b) === offOf(out))", lazyD0()),
  d0TouchOffs: mk("(a[0], b[0], out[0], offOf(a) === offOf(out) && offOf(b) === offOf(out))", lazyD0()),
  lazyBufOutOnce: mk("isTA(a) && isTA(b) && isTA(out) && (o => bufferOf(a) !== o && bufferOf(b) !== o)(bufferOf(out))", lazy()),
};
const { matmul4: hand } = await import("../../dist/fixtures/matmul4/hand.js");
const { makeArgs } = await import("../../dist/fixtures/matmul4/inputs.js");
variants.hand = hand;
const { jit, inspect } = await import("../../dist/index.js");
const { matmul } = await import("../../dist/fixtures/matmul4/generic.js");
variants.jit = jit(matmul, { specialize: { n: 4 } });
const genExpr = `var x;\n` + Array.from({length:16}, (_, m) => { const i = m >> 2, j = m & 3; return `out[${m}] = 0 + a[${i*4}] * b[${j}] + a[${i*4+1}] * b[${4+j}] + a[${i*4+2}] * b[${8+j}] + a[${i*4+3}] * b[${12+j}];`; }).join("\n") + "\nreturn out;";
variants.genExpr = mk(null, genExpr);
variants.genNull = mk(null, exact.replace("0 + a[0] * b[0]", "0 + (a ?? nr(a, 0))[0] * (b ?? nr(b, 0))[0]"));

variants.glmatrix = (_n, a, b, out) => mat4.multiply(out, b, a);
const F32 = process.argv.includes("--f32");
const batch = makeArgs(0xbe7c4, 64).map(t => F32 ? [4, new Float32Array(t[1]), new Float32Array(t[2]), new Float32Array(16)] : t);
// correctness vs gen
for (const [k, f] of Object.entries(variants)) { if (k === "glmatrix") continue; const o1 = new Float64Array(16), o2 = new Float64Array(16); for (const t of batch) { variants.gen(4, t[1], t[2], o1); f(4, t[1], t[2], o2); for (let i = 0; i < 16; i++) if (!Object.is(o1[i], o2[i])) throw new Error(k); } }
let id = 0;
const makeRunner = (fn) => new Function("fn", "batch", "dno", `const r = new Array(batch.length).fill(0); return function runBatch() { for (let i = 0; i < batch.length; i++) { const a = batch[i]; r[i] = fn(a[0], a[1], a[2], a[3]); } dno(r); }; // ${id++}`)(fn, batch, do_not_optimize);
const only = process.argv.find(a => a.startsWith("--only="))?.slice(7).split(",");
const runners = Object.entries(variants).filter(([k]) => !only || only.includes(k)).map(([k, f]) => [k, makeRunner(f)]);
function cpu(run) { let best = Infinity; for (let w = 0; w < 12; w++) { const t0 = process.cpuUsage(); const e = performance.now() + 25; let n = 0; while (performance.now() < e) { run(); n++; } const d = process.cpuUsage(t0); best = Math.min(best, (d.user + d.system) * 1e3 / (n * 64)); } return best; }
const res = {};
const ROUNDS = Number(process.argv.find(a => a.startsWith("--rounds="))?.slice(9) ?? 3);
for (let round = 0; round < ROUNDS; round++) for (const [k, r] of (round % 2 ? [...runners].reverse() : runners)) {
  const s = await measure(r, { min_cpu_time: 300e6 });
  const c = cpu(r);
  res[k] ??= { med: Infinity, cpu: Infinity };
  res[k].med = Math.min(res[k].med, s.p50 / 64); res[k].cpu = Math.min(res[k].cpu, c);
}
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(16), v.med.toFixed(2), "ns", v.cpu.toFixed(2), "cpu ns", "hand/x med", (res.hand.med / v.med).toFixed(3), "cpu", (res.hand.cpu / v.cpu).toFixed(3), "gl/x med", (res.glmatrix?.med / v.med).toFixed(3), "cpu", (res.glmatrix?.cpu / v.cpu).toFixed(3));
