/**
 * Unrolled iterations that gain nothing from being unrolled: each emits the
 * same code as the one before, except numbers that move by the same step
 * every time (the induction variable, and what is computed from it alone).
 * Such a loop runs as fast as a loop, and unrolled it only grows: a constant
 * bound of 1,000 over `s += Math.sqrt(o.v * i + y)` took 223 ms (348 ms of
 * CPU) to compile, because the first attempt unrolled it past the residual
 * size limit and the retry unrolled a quarter of it again, and a bound of 300
 * was unrolled whole into 9 KB of source (/tmp probe). With this check the
 * bound of 1,000 compiles in 45 ms (cold, the compiler's load included) into
 * 1.2 KB: the first UNROLLED_FIRST iterations, then the loop. Numbers read from a
 * constant table (a FIR's coefficients) do not move by a fixed step, and
 * neither do names or strings (a template's tokens): those loops unroll.
 */
import { zipTrees, type Node } from "../ast.js";

/** Iterations in a row whose numbers move by the same steps before the rest stays a loop. */
export const UNIFORM_RUN = 3;
/**
 * Iterations always unrolled first. A short loop over a table whose values happen to move by a
 * fixed step (horner's test coefficients 1..8) still gains from straight-line code: unrolled,
 * its reads of the table fold, and the loop's own test and branch are gone.
 */
export const UNROLLED_FIRST = 32;

/**
 * Iterations left after the current one of a loop whose test `a op b` read `before` and `now` at
 * the start of its last two iterations ([a, b] each); null where the test does not tell (another
 * operator, sides that do not close in on each other). A uniform loop that runs past
 * UNROLLED_FIRST iterations stays a loop from where it is found uniform: its first 32 iterations
 * unrolled only repeat one another, and the loop after them runs the rest anyway. ARC4's key
 * schedule in seedrandom, `for (i = 0; i < 256; i++)` over a dynamic key, unrolled 32 steps of
 * itself into each of two branches of a tiered version (17 KB of source),
 * which V8 ran 5-8x slower than the original for its first 4,000 calls; 8 KB without them.
 */
export function iterationsLeft(op: string, before: readonly [number, number], now: readonly [number, number]): number | null {
  const [a0, b0] = before;
  const [a1, b1] = now;
  // How far the side that must stay below the other is from it, and how much closer each iteration gets.
  const below = op === "<" || op === "<=";
  if (!below && op !== ">" && op !== ">=") return null;
  const gap = below ? b1 - a1 : a1 - b1;
  const step = below ? (a1 - a0) - (b1 - b0) : (b1 - b0) - (a1 - a0);
  if (!Number.isFinite(gap) || !Number.isFinite(step) || !(step > 0)) return null;
  return op === "<" || op === ">" ? Math.max(0, Math.ceil(gap / step) - 1) : Math.max(0, Math.floor(gap / step));
}

/** What the uniformity check keeps between iterations of one loop. */
export interface UniformState {
  last: Node | null;
  steps: number[] | null;
  run: number;
}

export function newUniformState(): UniformState {
  return { last: null, steps: null, run: 0 };
}

/**
 * Records the code one iteration emitted; true once UNIFORM_RUN iterations in
 * a row moved every differing number by the same step as the iteration before.
 * `code` null (an iteration that emitted nothing a loop would run) resets it.
 */
export function sameStepAgain(state: UniformState, code: Node | null): boolean {
  if (code === null) {
    state.last = null;
    state.steps = null;
    state.run = 0;
    return false;
  }
  const steps = state.last ? numberSteps(state.last, code) : null;
  state.run = steps !== null && state.steps !== null && sameSteps(steps, state.steps) ? state.run + 1 : 0;
  state.last = code;
  state.steps = steps;
  return state.run >= UNIFORM_RUN;
}

function sameSteps(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function numberOf(n: Node): number | null {
  if (n.type === "Literal" && typeof n.value === "number") return n.value;
  if (n.type === "KosConst" && typeof n.value === "number") return n.value;
  return null;
}

/**
 * `s_12` and `s_13`: the versions the specializer names each assignment of `s` by, one per
 * iteration; an inlined callee's `mid_11_12` and `mid_25_26` too (a suffix per inlining).
 */
const VERSIONED = /^(.*?)(?:_\d+)+$/;

/**
 * The steps (b - a) of the numbers where two trees differ, in tree order; null when they
 * differ in anything else (a node type, a string, an object kos passes by reference, a name).
 * Names may differ only as versions of one variable, renamed the same way throughout.
 */
function numberSteps(a: Node, b: Node): number[] | null {
  const steps: number[] = [];
  const renamed = new Map<string, string>();
  const renamedFrom = new Map<string, string>();
  const same = zipTrees(a, b, (p, q) => {
    if (p.type === "Identifier") {
      if (p.name !== q.name) {
        const base = VERSIONED.exec(p.name)?.[1];
        if (base === undefined || VERSIONED.exec(q.name)?.[1] !== base) return false;
      }
      // One to one: two variables of one iteration are never one of the next.
      if ((renamed.get(p.name) ?? q.name) !== q.name || (renamedFrom.get(q.name) ?? p.name) !== p.name) return false;
      renamed.set(p.name, q.name);
      renamedFrom.set(q.name, p.name);
      return true;
    }
    const u = numberOf(p);
    const v = numberOf(q);
    if (u !== null && v !== null) {
      if (!Object.is(u, v)) steps.push(v - u);
      return true;
    }
    if (p.type === "KosConst" || p.type === "Literal") return Object.is(p.value, q.value) && p.bigint === q.bigint && !p.regex && !q.regex;
    return undefined;
  });
  return same ? steps : null;
}
