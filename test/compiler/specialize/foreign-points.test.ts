/**
 * Every construct that can run code of the program's ends what kos folded from an unfrozen
 * configuration: a getter, a setter, a proxy trap, `valueOf`/`toString`/`toJSON`, an iterator,
 * `Symbol.hasInstance`, a callback, a class's heritage or static code, a field initialiser.
 * Each program reads `cfg.k`, reaches one such construct (whose code sets `cfg.k`), and reads
 * `cfg.k` again; the jitted function must see the new value where the original does. (Written
 * after sweep23, with the literal and class cases of foreign-state.test.ts, which these passed.)
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Cfg = { k: number; name: string };
const K = (cfg: Cfg, v: number) => {
  cfg.k = v;
};
const cases: Record<string, [(cfg: Cfg, x: any) => unknown, (cfg: Cfg) => any]> = {
  forIn: [(cfg, x) => { const out = [cfg.k]; for (const k in x) out.push(k); out.push(cfg.k); return out; }, (cfg) => new Proxy({ a: 1 }, { ownKeys(t) { K(cfg, 11); return Reflect.ownKeys(t); } })],
  instOf: [(cfg, x) => { const out = [cfg.k]; const r = {} instanceof x; out.push(cfg.k, r); return out; }, (cfg) => ({ [Symbol.hasInstance]() { K(cfg, 12); return true; } })],
  looseEq: [(cfg, x) => { const out = [cfg.k]; const r = x == 1; out.push(cfg.k, r); return out; }, (cfg) => ({ valueOf() { K(cfg, 13); return 1; } })],
  rel: [(cfg, x) => { const out = [cfg.k]; const r = x > 0; out.push(cfg.k, r); return out; }, (cfg) => ({ valueOf() { K(cfg, 14); return 1; } })],
  plusStr: [(cfg, x) => { const out = [cfg.k]; const r = x + ""; out.push(cfg.k, r); return out; }, (cfg) => ({ toString() { K(cfg, 15); return "s"; } })],
  objKeys: [(cfg, x) => { const out = [cfg.k]; const r = Object.keys(x); out.push(cfg.k, r.length); return out; }, (cfg) => new Proxy({ a: 1 }, { ownKeys(t) { K(cfg, 16); return Reflect.ownKeys(t); } })],
  jsonStr: [(cfg, x) => { const out = [cfg.k]; const r = JSON.stringify(x); out.push(cfg.k, r); return out; }, (cfg) => ({ toJSON() { K(cfg, 17); return 1; } })],
  arrDestr: [(cfg, x) => { const out = [cfg.k]; const [a] = x; out.push(cfg.k, a); return out; }, (cfg) => ({ *[Symbol.iterator]() { K(cfg, 18); yield 5; } })],
  destrAssign: [(cfg, x) => { const out = [cfg.k]; let a; [a] = x; out.push(cfg.k, a); return out; }, (cfg) => ({ *[Symbol.iterator]() { K(cfg, 19); yield 6; } })],
  mathMax: [(cfg, x) => { const out = [cfg.k]; const r = Math.max(x, 0); out.push(cfg.k, r); return out; }, (cfg) => ({ valueOf() { K(cfg, 20); return 3; } })],
  arrFrom: [(cfg, x) => { const out = [cfg.k]; const r = Array.from(x); out.push(cfg.k, r.length); return out; }, (cfg) => ({ *[Symbol.iterator]() { K(cfg, 21); yield 1; } })],
  strFn: [(cfg, x) => { const out = [cfg.k]; const r = String(x); out.push(cfg.k, r); return out; }, (cfg) => ({ toString() { K(cfg, 22); return "q"; } })],
  lenRead: [(cfg, x) => { const out = [cfg.k]; const r = x.length; out.push(cfg.k, r); return out; }, (cfg) => ({ get length() { K(cfg, 23); return 2; } })],
  inOp2: [(cfg, x) => { const out = [cfg.k]; const r = cfg.name in x; out.push(cfg.k, r); return out; }, (cfg) => new Proxy({}, { has() { K(cfg, 24); return true; } })],
  forOf: [(cfg, x) => { const out = [cfg.k]; for (const v of x) out.push(v, cfg.k); out.push(cfg.k); return out; }, (cfg) => ({ *[Symbol.iterator]() { K(cfg, 25); yield 1; K(cfg, 26); yield 2; } })],
  setterStore: [(cfg, x) => { const out = [cfg.k]; x.p = 1; out.push(cfg.k); return out; }, (cfg) => ({ set p(v) { K(cfg, 27); } })],
  optCall: [(cfg, x) => { const out = [cfg.k]; x.f?.(); out.push(cfg.k); return out; }, (cfg) => ({ f() { K(cfg, 28); } })],
  nullish: [(cfg, x) => { const out = [cfg.k]; const r = x.a ?? 0; out.push(cfg.k, r); return out; }, (cfg) => ({ get a() { K(cfg, 29); return null; } })],
  condGetter: [(cfg, x) => { const out = [cfg.k]; const r = x.a ? 1 : 2; out.push(cfg.k, r); return out; }, (cfg) => ({ get a() { K(cfg, 30); return 0; } })],
  spreadCall: [(cfg, x) => { const out = [cfg.k]; out.push(Math.max(...x)); out.push(cfg.k); return out; }, (cfg) => ({ *[Symbol.iterator]() { K(cfg, 31); yield 1; } })],
  sortCmp: [(cfg, x) => { const out = [cfg.k]; [3, 1].sort(x); out.push(cfg.k); return out; }, (cfg) => (a, b) => { K(cfg, 32); return a - b; }],
  tmplTag: [(cfg, x) => { const out = [cfg.k]; const s = `a${x}b`; out.push(cfg.k, s); return out; }, (cfg) => ({ toString() { K(cfg, 33); return "T"; } })],
  exp: [(cfg, x) => { const out = [cfg.k]; const r = x ** 2; out.push(cfg.k, r); return out; }, (cfg) => ({ valueOf() { K(cfg, 34); return 3; } })],
  unaryPlus: [(cfg, x) => { const out = [cfg.k]; const r = +x; out.push(cfg.k, r); return out; }, (cfg) => ({ valueOf() { K(cfg, 35); return 4; } })],
  compound: [(cfg, x) => { const out = [cfg.k]; let s = 1; s += x; out.push(cfg.k, s); return out; }, (cfg) => ({ valueOf() { K(cfg, 36); return 4; } })],
  incr: [(cfg, x) => { const out = [cfg.k]; let s = x; s++; out.push(cfg.k, s); return out; }, (cfg) => ({ valueOf() { K(cfg, 37); return 4; } })],
  switchCase: [(cfg, x) => { const out = [cfg.k]; switch (x.t) { case cfg.name: out.push("m"); } out.push(cfg.k); return out; }, (cfg) => ({ get t() { K(cfg, 38); return "n"; } })],
  keyedRead: [(cfg, x) => { const out = [cfg.k]; const o = { a: 1 }; const r = o[x]; out.push(cfg.k, r); return out; }, (cfg) => ({ toString() { K(cfg, 39); return "a"; } })],
  hasOwn: [(cfg, x) => { const out = [cfg.k]; const r = Object.prototype.hasOwnProperty.call(x, "a"); out.push(cfg.k, r); return out; }, (cfg) => new Proxy({}, { getOwnPropertyDescriptor() { K(cfg, 40); return undefined; } })],

  classExtends: [(cfg, x) => { const out = [cfg.k]; class C extends x {} out.push(cfg.k, typeof C); return out; }, (cfg) => { const F = function () {}; Object.defineProperty(F, "prototype", { get() { K(cfg, 41); return {}; } }); return F; }],
  newFieldInit: [(cfg, x) => { const out = [cfg.k]; class C { f = x(); } new C(); out.push(cfg.k); return out; }, (cfg) => () => K(cfg, 42)],
  defaultParamInner: [(cfg, x) => { const out = [cfg.k]; const g = (a = x()) => a; g(); out.push(cfg.k); return out; }, (cfg) => () => K(cfg, 43)],
  destrDefault: [(cfg, x) => { const out = [cfg.k]; const { a = x() } = {}; out.push(cfg.k); return out; }, (cfg) => () => K(cfg, 44)],
  classExprStatic: [(cfg, x) => { const out = [cfg.k]; const C = class { static s = (cfg.k = x); }; out.push(cfg.k, typeof C); return out; }, () => 45],
  getterObjLit: [(cfg, x) => { const out = [cfg.k]; const o = { get g() { return cfg.k; } }; x(); out.push(o.g, cfg.k); return out; }, (cfg) => () => K(cfg, 46)],
  arrowIIFE: [(cfg, x) => { const out = [cfg.k]; (() => { x.f(); })(); out.push(cfg.k); return out; }, (cfg) => ({ f() { K(cfg, 47); } })],
  labeledBlockBreak: [(cfg, x) => { const out = [cfg.k]; blk: { if (x.a) break blk; out.push(0); } out.push(cfg.k); return out; }, (cfg) => ({ get a() { K(cfg, 48); return true; } })],
  whileGetter: [(cfg, x) => { const out = [cfg.k]; let i = 0; while (x.more && i < 3) { out.push(cfg.k); i++; } out.push(cfg.k); return out; }, (cfg) => { let n = 0; return { get more() { K(cfg, 49 + n); return n++ < 2; } }; }],
  doWhile: [(cfg, x) => { const out = [cfg.k]; let i = 0; do { out.push(cfg.k); i++; } while (x.more && i < 3); out.push(cfg.k); return out; }, (cfg) => { let n = 0; return { get more() { K(cfg, 60 + n); return n++ < 2; } }; }],
  tryFinallyReturn: [(cfg, x) => { const out = [cfg.k]; try { return out; } finally { x.f(); out.push(cfg.k); } }, (cfg) => ({ f() { K(cfg, 70); } })],
  catchParamDestr: [(cfg, x) => { const out = [cfg.k]; try { throw x; } catch ({ a }) { out.push(a, cfg.k); } return out; }, (cfg) => ({ get a() { K(cfg, 71); return 1; } })],
  commaSeq: [(cfg, x) => { const out = [cfg.k]; const r = (x.a, cfg.k); out.push(r); return out; }, (cfg) => ({ get a() { K(cfg, 72); return 1; } })],
  logicalAssign: [(cfg, x) => { const out = [cfg.k]; x.p ||= 5; out.push(cfg.k); return out; }, (cfg) => ({ get p() { K(cfg, 73); return 0; }, set p(v) {} })],
};

const outcome = (f: () => unknown): string => {
  try {
    return JSON.stringify(f());
  } catch (e) {
    return `threw ${(e as Error).message}`;
  }
};

describe("constructs that run the program's code count as foreign code", () => {
  for (const [name, [f, make]] of Object.entries(cases)) {
    it(name, () => {
      const cfg: Cfg = { k: 1, name: "n" };
      const j = jit(f, { specialize: { cfg } });
      const mine: Cfg = { k: 1, name: "n" };
      const want = outcome(() => f(mine, make(mine)));
      expect(outcome(() => j(cfg, make(cfg)))).toBe(want);
      expect(cfg.k).toBe(mine.k);
      expect(inspect(j)!.tier).toBe(1);
    });
  }
});
