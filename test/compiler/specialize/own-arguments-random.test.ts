/**
 * Seeded random programs over the function's own `arguments` (compiler/specialize/own-arguments.ts,
 * compiler/arguments-escape.ts), checked against the original: reads at constant and dynamic
 * indices and of its length, an unfrozen configuration read around them, the object handed to a
 * helper kos inlines, handed to a call that makes an item a getter, called as a method, written,
 * and a callback that installs an Object.prototype getter past the count mid-call; in loops and
 * branches, with fewer arguments than the reads reach. (bench/fuzz.ts generates no `arguments`.)
 *
 * Reproduce with KOS_ARGS_SEED=<seed>; KOS_ARGS_PROGRAMS sets how many (default 120).
 */
import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { seededRandom, type Random } from "../../../fixtures/random.js";

const SEED = Number(process.env.KOS_ARGS_SEED ?? 0xa7935);
const COUNT = Number(process.env.KOS_ARGS_PROGRAMS ?? 120);

interface Cfg { k: number; b: number; op: (v: unknown) => unknown }
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** One statement that pushes what it sees on `out`; `depth` bounds nesting. */
function statement(r: Random, depth: number): string {
  const k = pick(r, [0, 1, 2, 3, 4, 5]);
  const simple = [
    `out.push(cfg.k);`,
    `out.push(cfg.b + 1);`,
    `out.push(arguments[${k}]);`,
    `out.push(arguments.length);`,
    `out.push(arguments[i]);`,
    `out.push(helper(arguments, ${k}));`,
    `out.push(String(arguments[${k}]));`,
    `out.push(cfg.op(cfg.b));`,
    `hook(arguments);`,
    `cb(cfg);`,
    `{ const a = arguments; out.push(a[${k}], a.length); }`,
    `out.push(typeof arguments[${k}] === "function" ? "fn" : arguments[${k}]);`,
    `out.push(arguments.length > ${k} && arguments[${k}] !== undefined ? arguments[${k}] : cfg.b);`,
    `out.push(${k} < arguments.length ? arguments[${pick(r, [0, 1, 2, 3, 4, 5])}] : cfg.k);`,
  ];
  const rare = [`arguments[${k}] = "w";`, `delete arguments[${k}];`, `out.push(arguments[0] === cb ? "cb" : 0);`];
  if (depth > 0 && r() < 0.25) {
    const a = statement(r, depth - 1);
    const b = statement(r, depth - 1);
    return pick(r, [
      `for (let j = 0; j < n; j++) { ${a} ${b} }`,
      `if (arguments.length > ${k}) { ${a} } else { ${b} }`,
      `if (cfg.k > 2) { ${a} } else { ${b} }`,
    ]);
  }
  return r() < 0.05 ? pick(r, rare) : pick(r, simple);
}

function program(r: Random): string {
  const body: string[] = [];
  const count = 2 + Math.floor(r() * 6);
  for (let s = 0; s < count; s++) body.push(statement(r, 2));
  return `"use strict"; const out = []; ${body.join(" ")} return [out, cfg.k];`;
}

/** The helpers a program sees, over its configuration. */
function helpers(cfg: Cfg) {
  return {
    helper: (argv: IArguments, k: number) => argv[k],
    // Makes item 1 a getter that changes the configuration.
    hook: (args: IArguments) => {
      Object.defineProperty(args, 1, { configurable: true, get() { cfg.k += 10; return "got"; } });
    },
  };
}

const callbacks: Array<(cfg: Cfg) => void> = [
  () => {},
  (cfg) => {
    cfg.k += 1;
  },
  // A getter past the count, which the reads after this call must run (removed after each call).
  (cfg) => {
    Object.defineProperty(Object.prototype, "5", {
      configurable: true,
      get() {
        cfg.k += 100;
        return "proto";
      },
      set(this: object, v: unknown) {
        Object.defineProperty(this, "5", { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  },
];

const outcome = (run: () => unknown): string => {
  try {
    return `returned ${JSON.stringify(run())}`;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("random programs over the function's own arguments", () => {
  it(`${COUNT} programs agree with the original (seed ${SEED})`, () => {
    const r = seededRandom(SEED);
    const failures: string[] = [];
    let compiled = 0;
    try {
      for (let p = 0; p < COUNT && failures.length < 3; p++) {
        const text = program(r);
        const make = (cfg: Cfg) => {
          const h = helpers(cfg);
          return new Function("cfg", "hook", "helper", `return function (cb, i, n, x, y) { ${text} };`)(cfg, h.hook, h.helper) as (...a: unknown[]) => unknown;
        };
        const double = (v: unknown) => (v as number) * 2;
        const cfgA: Cfg = { k: 1, b: 2, op: double };
        const cfgB: Cfg = { k: 1, b: 2, op: double };
        const original = make(cfgA);
        const jitted = jit(make(cfgB), { specialize: {} });
        for (let c = 0; c < 6; c++) {
          const cb = pick(r, callbacks);
          const argc = pick(r, [1, 2, 3, 4, 5, 6]);
          const args = [cb, pick(r, [0, 1, 3, 5, 7]), pick(r, [0, 1, 2]), "x", { y: 1 }, 6].slice(0, argc);
          cfgA.k = cfgB.k = 1;
          const want = outcome(() => original(...args));
          delete (Object.prototype as Record<string, unknown>)["5"];
          const got = outcome(() => jitted(...args));
          delete (Object.prototype as Record<string, unknown>)["5"];
          if (got !== want || cfgA.k !== cfgB.k) failures.push(`program ${p} (seed ${SEED}): ${text}\n  args ${argc}, callback ${callbacks.indexOf(cb)}\n  original ${want}\n  jitted   ${got}`);
        }
        compiled++;
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>)["5"];
    }
    expect("5" in Object.prototype).toBe(false);
    expect(failures).toEqual([]);
    expect(compiled).toBe(COUNT);
  });
});
