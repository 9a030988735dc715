const D = process.argv[2] ?? "../../../dist";
const { precheck } = await import(D + "/compiler/precheck.js");
const { smallFunctionReason } = await import(D + "/compiler/small-function.js");
const { makeTieringEntry, inheritOwnProperties, mirrorIntegrity } = await import(D + "/compiler/tiering-entry.js");
const { Dormant, sleepingJit } = await import(D + "/compiler/dormant.js");
const { EntryBrand } = await import(D + "/compiler/entry-brand.js");
const host = { coreLoaded: () => false, wake: () => { throw new Error("no"); } };
const N = 1000;
const make = (r) => Array.from({ length: N }, (_, i) => new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${r * N + i};\nreturn s;`));
const ev = () => undefined, tk = () => {};
const parts = {
  precheck: (fs) => fs.map((f) => precheck(f)),
  small: (fs) => fs.map((f) => smallFunctionReason(Function.prototype.toString.call(f))),
  makeEntry: (fs) => fs.map((f) => makeTieringEntry(f, { exact: false, arity: 2 }, ev, tk)),
  entry_inherit: (fs) => fs.map((f) => { const e = makeTieringEntry(f, { exact: false, arity: 2 }, ev, tk).entry; inheritOwnProperties(e, f); return e; }),
  entry_inherit_mirror: (fs) => fs.map((f) => { const e = makeTieringEntry(f, { exact: false, arity: 2 }, ev, tk).entry; inheritOwnProperties(e, f); mirrorIntegrity(e, f); return e; }),
  entry_brand: (fs) => fs.map((f) => { const e = makeTieringEntry(f, { exact: false, arity: 2 }, ev, tk).entry; EntryBrand.stamp(e, f); return e; }),
  dormant: (fs) => fs.map((f) => new Dormant(f, precheck(f), host)),
  sleepingJit: (fs) => fs.map((f) => sleepingJit(f, {}, host)),
};
const res = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
let r = 0;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
for (let round = 0; round < 15; round++) {
  for (const [k, fn] of Object.entries(parts)) {
    const fs = make(r++);
    for (const f of fs) void f.toString().length;
    globalThis.gc();
    const c0 = cpu();
    globalThis.keep = fn(fs);
    res[k].push((cpu() - c0) / N);
  }
}
for (const [k, xs] of Object.entries(res)) { const s = xs.sort((a, b) => a - b); console.log(k.padEnd(22), "median ns", s[7].toFixed(0), "min", s[0].toFixed(0)); }
