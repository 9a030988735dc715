import { jit } from "../../../dist/index.js";
import { precheck } from "../../../dist/compiler/precheck.js";
import { smallFunctionReason } from "../../../dist/compiler/small-function.js";
const N = 1000;
const make = (r) => Array.from({ length: N }, (_, i) => new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${r * N + i};\nreturn s;`));
const parts = {
  env1: (fs) => { let k = 0; for (const f of fs) if (process.env.KOS_JIT !== undefined) k++; return k; },
  env7: (fs) => { let k = 0; for (const f of fs) { const e = process.env; if (e.KOS_JIT || e.KOS_FEEDBACK_OUT || e.KOS_HOT_CALLS || e.KOS_CACHE || e.KOS_PROFILE || e.KOS_JIT || e.KOS_JIT) k++; } return k; },
  toString: (fs) => { let k = 0; for (const f of fs) k += Function.prototype.toString.call(f).length; return k; },
  precheck: (fs) => { let k = 0; for (const f of fs) k += precheck(f).ok ? 1 : 0; return k; },
  small: (fs) => { let k = 0; for (const f of fs) k += smallFunctionReason(Function.prototype.toString.call(f)) ? 1 : 0; return k; },
  jit: (fs) => { const out = []; for (const f of fs) out.push(jit(f)); return out.length; },
};
const res = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
let r = 0;
for (let round = 0; round < 21; round++) {
  for (const [k, fn] of Object.entries(parts)) {
    const fs = make(r++);
    for (const f of fs) void f.toString().length; // the bench does this (source string materialized)
    globalThis.gc();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn(fs);
    res[k].push(Number(process.hrtime.bigint() - t0) / N);
  }
}
for (const [k, xs] of Object.entries(res)) { const s = xs.sort((a, b) => a - b); console.log(k.padEnd(9), "median ns", s[10].toFixed(0), "min", s[0].toFixed(0)); }
