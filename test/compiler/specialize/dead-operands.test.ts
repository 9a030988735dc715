/**
 * An inlined call that can only throw ends control inside an expression:
 * what follows it in the same statement is dead code. kos used to go on
 * evaluating it with no environment and fell back with INTERNAL ("Cannot read
 * properties of null"); @cfworker/json-schema's `Validator#validate`, whose
 * schema walk throws for unknown keywords, was the first real case. Now the
 * compiled code throws where the original throws, and nothing after it runs.
 *
 * Also here: a class declared in the function body, then used, was reported
 * as read in its temporal dead zone (the class's inner name binding was taken
 * for the declaration).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function fail(m: unknown): never {
  throw new RangeError(`bad ${String(m)}`);
}

type Cfg = { k: number; a: number };
const log: string[] = [];
const note = (x: string): number => (log.push(x), 1);

const bodies: Record<string, (o: any, cfg: Cfg) => unknown> = {
  declaration: (o, cfg) => { const v = fail(cfg.k); return v + o; },
  "declaration in a branch": (o, cfg) => { if (cfg.a) { const v = fail(cfg.k); return v; } return o; },
  "object pattern": (o, cfg) => { const { a } = fail(cfg.k) as any; return a; },
  "array pattern": (o, cfg) => { const [a] = fail(cfg.k) as any; return a; },
  "pattern default": (o, cfg) => { const { a = fail(cfg.k) } = {} as any; return a; },
  assignment: (o, cfg) => { let x; x = fail(cfg.k); return x; },
  "compound assignment": (o, cfg) => { let q = 1; q += fail(cfg.k); return q; },
  "assignment whose own value is pending": (o, cfg) => { let acc = ""; try { acc = acc + fail(cfg.k); } catch (e) { acc = (e as Error).message; } return acc; },
  "left operand": (o, cfg) => (fail(cfg.k) as any) + o,
  "array item after a logged one": (o, cfg) => [note("first"), fail(cfg.k), note("never")],
  "object property": (o, cfg) => ({ a: fail(cfg.k), o }),
  "template part": (o, cfg) => `${fail(cfg.k)}${o}`,
  "call argument": (o, cfg) => Math.max(fail(cfg.k), o),
  "method argument": (o, cfg) => { const m = { g: (x: unknown) => x }; return m.g(fail(cfg.k)); },
  "for-of head": (o, cfg) => { for (const x of fail(cfg.k) as any) o += x; return o; },
  "for-in head": (o, cfg) => { for (const x in fail(cfg.k) as any) o += x; return o; },
  "for initialiser": (o, cfg) => { let s = 0; for (let i = fail(cfg.k); i < 3; i++) s += i; return s; },
  "computed key of a store": (o, cfg) => { const obj: any = {}; obj[fail(cfg.k)] = o; return obj; },
  "labeled block": (o, cfg) => { label: { const v = fail(cfg.k); void v; break label; } return o; },
  "try and catch": (o, cfg) => { try { const v = fail(cfg.k); return v; } catch (e) { return (e as Error).message; } },
  "callback of an unfolded map": (o, cfg) => [1, 2].map(() => fail(cfg.k)),
  "nested arrows": (o, cfg) => { const g = () => fail(cfg.k); const h = () => (g() as any) + 1; return h() + o; },
};

describe("an inlined call that always throws ends the statement", () => {
  for (const [name, f] of Object.entries(bodies)) {
    it(`${name}: compiles, and throws (or catches) what the original does`, () => {
      const cfg = { k: 7, a: 1 };
      const j = jit(f, { specialize: { cfg }, strict: true });
      expect(inspect(j)!.tier).toBe(1);
      const run = (g: typeof f): string => {
        log.length = 0;
        try {
          return `ok ${JSON.stringify(g(2, cfg))} ${log.join()}`;
        } catch (e) {
          return `${(e as Error).constructor.name}: ${(e as Error).message} ${log.join()}`;
        }
      };
      const want = run(f);
      expect(want).toMatch(/bad 7/);
      expect(run(j)).toBe(want);
    });
  }

  it("the residual code is the throw, with nothing after it", () => {
    const j = jit(bodies["left operand"]!, { specialize: { cfg: { k: 7, a: 1 } }, strict: true });
    const src = inspect(j)!.source!;
    expect(src).toMatch(/throw new RangeError/);
    expect(src).not.toMatch(/\+ o\b/);
  });
});

describe("a class declared in the function body", () => {
  it("is constructed where the source constructs it, not reported as read before its declaration", () => {
    function make(o: number, cfg: Cfg): number {
      class Point {
        constructor(public x: number) {}
        twice(): number { return this.x * 2; }
      }
      return new Point(o).twice() + cfg.k;
    }
    // Its class keeps the body as written (cfg.k too): the version is the original's own code and
    // settles on it, with no other reason (the bug reported the class as read before its declaration).
    const j = jit(make, { specialize: { cfg: { k: 7, a: 1 } } });
    expect(inspect(j)!.fallbackReason ?? "NOTHING_SPECIALIZED: ").toMatch(/^NOTHING_SPECIALIZED: /);
    expect(j(3, { k: 7, a: 1 })).toBe(13);
    expect(j(-0.5, { k: 7, a: 1 })).toBe(make(-0.5, { k: 7, a: 1 }));
  });
});
