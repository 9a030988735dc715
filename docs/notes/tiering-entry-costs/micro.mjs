const N = 1000;
const mk = (r) => Array.from({ length: N }, (_, i) => new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${r * N + i};\nreturn s;`));
const FK = new Set(["length", "name", "prototype", "arguments", "caller"]);
const ts = Function.prototype.toString;
const tests = {
  ownKeys: (f) => { for (const k of Reflect.ownKeys(f)) if (!FK.has(k)) return 1; return 0; },
  getOwnNames: (f) => Object.getOwnPropertyNames(f).length,
  keys: (f) => Object.keys(f).length,
  syms: (f) => Object.getOwnPropertySymbols(f).length,
  toString: (f) => Reflect.apply(ts, f, []).length,
  includes4: (f) => { const s = Reflect.apply(ts, f, []); return (s.includes("[native code]") ? 1 : 0) + (s.includes("arguments") ? 1 : 0) + (s.includes("target") ? 1 : 0) + (s.includes("this") ? 1 : 0); },
  env: (f) => process.env.KOS_HOT_CALLS === undefined ? 1 : 0,
  hasOwnProto: (f) => Object.prototype.hasOwnProperty.call(f, "prototype") ? 1 : 0,
  getProtoOf: (f) => Object.getPrototypeOf(f) === Function.prototype ? 1 : 0,
};
const res = Object.fromEntries(Object.keys(tests).map((k) => [k, []]));
for (let r = 0; r < 30; r++) for (const [k, t] of Object.entries(tests)) { const fs = mk(r); let s = 0; const t0 = process.hrtime.bigint(); for (const f of fs) s += t(f); res[k].push(Number(process.hrtime.bigint() - t0) / N); }
for (const [k, xs] of Object.entries(res)) { xs.sort((a, b) => a - b); console.log(k.padEnd(12), "med", xs[15].toFixed(0), "min", xs[0].toFixed(0)); }
console.log(Reflect.ownKeys(function(){}), Reflect.ownKeys(new Function("a","return a")));
